#pragma once

#include "core/TaskStore.h"

#include <QFile>
#include <QString>
#include <QVector>

namespace Brigade {

// Writes one record per finished task, as JSON Lines or CSV (chosen by the file suffix):
// id, url (of a task that fetches one; always a CSV column), status, attempts, result,
// error, http_status, bytes, worker, duration_ms; and for commands and program calls
// exit_code, command and stderr (the tail of the final attempt's; in CSV these columns are
// always there, empty for other tasks).
// Records are appended as tasks finish, so whatever finished survives an interruption.
class ResultWriter
{
public:
    enum class Format { JsonLines, Csv };

    static Format formatFor(const QString &path);
    // process: the task's ProcessOutcome (TaskStore::process), or null.
    static QByteArray record(const TaskSpec &spec, const TaskState &state, Format format,
                             const ProcessOutcome *process = nullptr);
    // The same, appended to buffer (the fast path for many records).
    static void appendRecord(QByteArray *buffer, const TaskSpec &spec, const TaskState &state,
                             Format format, const ProcessOutcome *process = nullptr);
    static QByteArray csvHeader();

    ~ResultWriter();

    bool open(const QString &path, QString *error);
    // Appends the records of rows (in that order), reading their states under the lock.
    void write(const TaskStore &store, const QVector<int> &rows);
    bool close(QString *error);
    qint64 written() const { return m_written; }

private:
    QFile m_file;
    Format m_format = Format::JsonLines;
    QByteArray m_buffer;
    qint64 m_written = 0;
};

} // namespace Brigade
