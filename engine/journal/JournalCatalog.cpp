#include "JournalCatalog.h"

#include "Journal.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <algorithm>

namespace Brigade {

namespace {

// SQLite's companions of a journal in WAL mode.
const QStringList Companions{QStringLiteral("-wal"), QStringLiteral("-shm")};

} // namespace

QList<JournalCatalog::Entry> JournalCatalog::list(const QString &dir)
{
    QList<Entry> entries;
    const QFileInfoList files
            = QDir(dir).entryInfoList({QStringLiteral("*.journal")}, QDir::Files, QDir::Time);
    for (const QFileInfo &file : files) {
        Entry e;
        e.path = file.absoluteFilePath();
        e.bytes = file.size();
        for (const QString &suffix : Companions)
            e.bytes += QFileInfo(e.path + suffix).size();
        e.lastRun = file.lastModified().toUTC();
        Journal journal;
        QString error;
        if (!journal.open(e.path, &error)) {
            e.problem = error;
            entries.append(e);
            continue;
        }
        e.batchPath = journal.batchPath();
        e.openTasks = journal.openTasks();
        if (const QDateTime at = journal.lastRunStarted(); at.isValid())
            e.lastRun = at;
        if (const Result<Journal::FinishedCounts> counts = journal.finishedCounts()) {
            e.succeeded = counts->succeeded;
            e.failed = counts->failed;
            e.cancelled = counts->cancelled;
        } else {
            e.problem = counts.error();
        }
        entries.append(e);
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry &a, const Entry &b) { return a.lastRun > b.lastRun; });
    return entries;
}

QList<JournalCatalog::Entry> JournalCatalog::toPrune(const QList<Entry> &entries, int keep,
                                                     int olderThanDays, const QDateTime &now)
{
    QList<Entry> out;
    QHash<QString, int> kept; // per batch, newest first as listed
    for (const Entry &e : entries) {
        if (!e.problem.isEmpty() && e.batchPath.isEmpty())
            continue;
        bool remove = false;
        if (keep >= 0)
            remove = kept[e.batchPath]++ >= keep;
        if (olderThanDays >= 0)
            remove = remove || e.lastRun.secsTo(now) > qint64(olderThanDays) * 86400;
        if (remove)
            out.append(e);
    }
    return out;
}

Result<void> JournalCatalog::remove(const QString &path)
{
    QFile file(path);
    if (!file.remove())
        return Result<void>::failure(
                QStringLiteral("cannot remove %1: %2").arg(path, file.errorString()));
    for (const QString &suffix : Companions)
        QFile::remove(path + suffix);
    return {};
}

} // namespace Brigade
