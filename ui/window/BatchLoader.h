#pragma once

#include "batch/Batch.h"
#include "core/TaskStore.h"

#include <QFutureWatcher>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace Brigade {

// Loads a batch file off the GUI thread (BatchParser::parseFile in QtConcurrent::run) and
// builds its TaskStore there too, so a million-line batch never freezes the window.
class BatchLoader : public QObject
{
    Q_OBJECT
public:
    struct Loaded
    {
        std::shared_ptr<Batch> batch; // summary and errors; its tasks moved into store
        std::shared_ptr<TaskStore> store;
        qint64 elapsedMs = 0;
        // Set when the file was a run journal: its path, and the rows it had finished (in
        // the order they finished). The batch is the journal's own copy.
        QString journalPath;
        QVector<int> finishedRows;
        // For a batch file: the newest journal of an earlier run of exactly this batch that
        // did not finish (crashed, closed or cancelled), and how many tasks it left open.
        QString earlierJournal;
        qint64 earlierOpenTasks = 0;
    };

    explicit BatchLoader(QObject *parent = nullptr);
    ~BatchLoader() override;

    void load(const QString &path); // a load in progress is cancelled
    // Opens a run journal instead: parses its copy of the batch and restores every finished
    // task's state into the store. A journal that cannot be read comes back like an
    // unreadable file (one error without a line).
    void loadJournal(const QString &path);
    void cancel();
    bool isLoading() const { return m_watcher.isRunning(); }
    QString path() const { return m_path; }

signals:
    void progressChanged(qint64 done, qint64 total);
    // Also for a cancelled load (batch->cancelled) and for a file that could not be read
    // (its problem is in batch->errors).
    void finished(const Brigade::BatchLoader::Loaded &result);

private:
    struct Progress
    {
        std::atomic<qint64> done{0};
        std::atomic<qint64> total{0};
        std::atomic_bool cancel{false};
    };

    void onFinished();

    QFutureWatcher<Loaded> m_watcher;
    std::shared_ptr<Progress> m_progress;
    QTimer m_poll;
    QString m_path;
    qint64 m_lastDone = -1;
};

} // namespace Brigade
