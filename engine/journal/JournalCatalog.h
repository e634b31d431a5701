#pragma once

#include "core/Result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace Brigade {

// The journals in a folder (by default where runs keep theirs): what each is of, how far
// it got, how much room it takes; and which of them to remove to keep the folder small.
// brigade journals lists and prunes with it.
class JournalCatalog
{
public:
    struct Entry
    {
        QString path;
        QString batchPath; // empty when the journal could not be read
        QDateTime lastRun; // when its latest run started (else the file's time), UTC
        qint64 bytes = 0;  // the file and its write-ahead log
        qint64 succeeded = 0;
        qint64 failed = 0;
        qint64 cancelled = 0;
        qint64 openTasks = -1; // not finished (cancelled included); -1: never recorded
        QString problem;       // why it could not be read, if it could not
    };

    // Every *.journal in dir, newest run first.
    static QList<Entry> list(const QString &dir);

    // The entries to remove: of each batch, all but the keep newest (keep >= 0), or those
    // whose latest run is more than olderThanDays days before now (olderThanDays >= 0).
    // A journal that could not be read is never chosen.
    static QList<Entry> toPrune(const QList<Entry> &entries, int keep, int olderThanDays,
                                const QDateTime &now);
    // Removes a journal with its write-ahead log and shared-memory files.
    static Result<void> remove(const QString &path);
};

} // namespace Brigade
