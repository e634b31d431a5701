#pragma once

#include "BatchBytes.h"
#include "core/Result.h"
#include "core/TaskStore.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QSqlDatabase>
#include <QString>
#include <QVector>

namespace Brigade {

// The run journal: a SQLite database (Qt SQL, QSQLITE, WAL) holding a copy of the batch,
// every finished task's final state with its failed attempts, and which tasks were reset
// for a retry. Enough to resume after a crash, to retry what failed and to export results
// without the original batch file.
//
// Results are stored as segments: one row per committed batch of records, each a compact
// binary encoding of many tasks. A row per task measured 2.5-3.3 µs through Qt SQL here,
// more than a whole no-op task costs; a segment costs well under 0.1 µs per task.
//
// A Journal object belongs to the thread that opened it (a QSqlDatabase connection is
// per thread).
// A change to tasks' specs for a retry (SpecChange), as the journal keeps it: which rows,
// the change (JSON), and each row's fields before and after (JSON Lines), so the history
// says what ran how, and a resume runs the edited tasks.
struct JournalEdit
{
    QVector<int> rows;
    QByteArray change;
    QByteArray specs; // {"row":R,"id":ID,"before":{...},"after":{...}} per line
    QString at;       // when, ISO 8601 UTC (set by the journal)
};

class Journal
{
public:
    // 2: records may hold process outcomes (commands' exit codes, stderr tails); 3: edits
    // (retries with changed specs) and skipped tasks. Older journals are read as they are; an edit
    // made to one adds the table and raises its version.
    static constexpr int FormatVersion = 3;
    static constexpr int OldestReadableVersion = 1;
    // SQLite's page size for new journals, and how much write-ahead log is checkpointed at once.
    static constexpr int PageBytes = 32 * 1024;
    static constexpr int CheckpointBytes = 4 * 1024 * 1024;

    Journal();
    ~Journal();
    Journal(const Journal &) = delete;
    Journal &operator=(const Journal &) = delete;

    // Creates a new journal (readable by its owner only) holding a copy of the batch. Fails,
    // leaving nothing, when a batch to be read back has changed since it was parsed.
    bool create(const QString &path, const QString &batchPath, const BatchBytes &batch,
                QString *error);
    // Whether create() could make a journal at path (its folder made, a file written there),
    // for a front end that lets the engine create it but wants to refuse a bad path first.
    static Status checkCreatable(const QString &path);
    // Opens an existing journal; a foreign or corrupt file is refused with a readable error.
    bool open(const QString &path, QString *error);
    void close();
    bool isOpen() const;
    QString path() const { return m_path; }

    QString batchPath() const;
    QByteArray batchData(QString *error) const;

    // Appends the final states (and failed attempts) of these rows in one transaction.
    // Rows that are no longer final (reset meanwhile) are skipped.
    bool appendFinished(const TaskStore &store, const QVector<int> &rows, QString *error);
    // Adds lines to the end of the batch (a fed run's tasks, whole lines): batchData() and
    // a resume then hold them as if the batch had had them from the start.
    bool appendBatchData(const QByteArray &lines, QString *error);
    // Records that these rows were reset for a retry: they are no longer final.
    bool appendReset(const QVector<int> &rows, QString *error);
    bool recordRun(const QString &kind, QString *error);
    // Records a change to tasks' specs (before the reset that retries them).
    bool appendEdit(const JournalEdit &edit, QString *error);
    // Every change recorded, oldest first; none in a journal of an older Brigade.
    QList<JournalEdit> edits(QString *error) const;
    // Records the host a worker slot runs on (its hello's), for failures grouped by host
    // from the journal alone. A later run's worker in the same slot replaces it.
    bool recordWorkerHost(int slot, const QString &host, QString *error);
    // Worker slot -> host, as recorded; empty for a journal of an older Brigade.
    QHash<int, QString> workerHosts() const;
    // How many tasks were neither succeeded nor failed when the journal was last told: the
    // whole batch from the start of a run until it ends, so a run that crashed still counts
    // as unfinished. -1 when never recorded.
    bool setOpenTasks(qint64 count, QString *error);
    qint64 openTasks() const;

    // Journals in the default directory that were made for this batch file (by name; the
    // caller checks their contents), newest first.
    static QStringList journalsNamedFor(const QString &batchPath);

    // Replays every segment into store: final states and attempt histories. Rows not final
    // in the journal are left queued. Returns false if a segment is corrupt.
    // order, if given, receives the final rows in the order they finished; finishedAtMs,
    // if given, when each row's final record was written (ms since the epoch; -1 for rows
    // not final, and in journals of an older Brigade, which did not record it).
    bool restore(TaskStore &store, QString *error, QVector<int> *order = nullptr,
                 QVector<qint64> *finishedAtMs = nullptr) const;

    // How many tasks ended succeeded, failed and cancelled by the records so far (a reset
    // task counts as not ended), without the batch: for a list of journals.
    struct FinishedCounts
    {
        qint64 succeeded = 0;
        qint64 failed = 0;
        qint64 cancelled = 0;
    };
    Result<FinishedCounts> finishedCounts() const;
    // When the latest run recorded in the journal started (UTC); invalid when none was.
    QDateTime lastRunStarted() const;

    // GenericDataLocation/brigade/journals; in Qt's test mode, the program's own data folder.
    static QString defaultDirectory();
    static QString defaultPathFor(const QString &batchPath);

private:
    bool exec(const QString &sql, QString *error);
    bool readMeta(const QString &key, QByteArray *value, QString *error) const;

    // What a journal of an older Brigade does not have: it is read and appended to without.
    bool m_hasSegmentTimes = false;
    bool m_hasWorkerHosts = false;
    bool m_hasEdits = false;
    QString m_connection;
    QString m_path;
    QSqlDatabase m_db;
};

} // namespace Brigade
