#pragma once

#include "Journal.h"

#include <QObject>

#include <memory>

namespace Brigade {

// Appends to a journal from its own thread, so neither the engine nor a window ever waits
// on the disk. The engine queues batches of finished rows (a few tens per second); each
// becomes one segment in one transaction.
class JournalWriter : public QObject
{
    Q_OBJECT
public:
    JournalWriter(QString path, std::shared_ptr<const TaskStore> store, QObject *parent = nullptr);

    // All of these run on the writer's thread (call them queued).
    void open(const QString &runKind);
    // Creates the journal from the batch (see Journal::create), then opens it.
    void create(const QString &batchPath, const BatchBytes &batch, const QString &runKind);
    // A new run into the journal already open: recorded, and every task open until it ends.
    void beginRun(const QString &runKind);
    void appendFinished(const QVector<int> &rows);
    void appendReset(const QVector<int> &rows);
    void appendEdit(const JournalEdit &edit);
    // A fed run's new tasks: their lines go to the journal's batch (committed when this
    // returns), and openTasks more tasks count as open until the run ends.
    void appendBatchData(const QByteArray &lines, qint64 openTasks);
    void recordWorkerHost(int slot, const QString &host);
    // Records how many tasks are still open (see Journal::openTasks), as the engine counts
    // them (counting here would walk every task's state at the end of a run).
    void recordOpenTasks(qint64 open);
    void close(qint64 openTasks);

signals:
    void failed(const QString &message);

private:
    void report(const QString &message);

    QString m_path;
    std::shared_ptr<const TaskStore> m_store;
    std::unique_ptr<Journal> m_journal;
    bool m_failed = false;
};

} // namespace Brigade
