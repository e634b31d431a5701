#pragma once

#include "session/OpenedRun.h"

#include <QFutureWatcher>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace Brigade {

// Opens a batch file or a run journal off the GUI thread (RunSession::open on a pool
// thread), so a million-line batch never freezes the window; reports progress and can be
// cancelled.
class BatchLoader : public QObject
{
    Q_OBJECT
public:
    struct Loaded
    {
        OpenedRun run; // run.cancelled when the load was cancelled
        QString error; // set when the file cannot be used at all
    };

    explicit BatchLoader(QObject *parent = nullptr);
    ~BatchLoader() override;

    void load(const QString &path); // a load in progress is cancelled
    void cancel();
    bool isLoading() const { return m_watcher.isRunning(); }
    QString path() const { return m_path; }

signals:
    void progressChanged(qint64 done, qint64 total);
    void finished(Brigade::BatchLoader::Loaded result);

private:
    struct Progress
    {
        std::atomic<qint64> done{0};
        std::atomic<qint64> total{0};
        std::atomic_bool cancel{false};
    };

    void onFinished();

    QFutureWatcher<std::shared_ptr<Loaded>> m_watcher;
    std::shared_ptr<Progress> m_progress;
    QTimer m_poll;
    QString m_path;
    qint64 m_lastDone = -1;
};

} // namespace Brigade
