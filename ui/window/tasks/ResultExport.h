#pragma once

#include "core/TaskStore.h"

#include <QString>
#include <QVector>

#include <atomic>

namespace Brigade {

// Writing results out, meant to run off the GUI thread (the store is thread-safe).
class ResultExport
{
public:
    // Writes the records of rows to path, CSV or JSON Lines by its suffix, in exactly the
    // CLI's record format (ResultWriter). Returns an error in words, or an empty string.
    static QString write(const TaskStore &store, const QVector<int> &rows, const QString &path,
                         const std::atomic_bool *cancel = nullptr);
    // The rows as the table shows them, tab-separated with a header line, for the clipboard:
    // these columns (TaskColumn), under these headers.
    static QString tabSeparated(const TaskStore &store, const QVector<int> &rows,
                                const QVector<int> &columns, const QStringList &headers);
};

} // namespace Brigade
