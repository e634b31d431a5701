#include "BatchLoader.h"

#include "session/RunSession.h"
#include "window/shared/BackgroundPool.h"

#include <QtConcurrent/QtConcurrentRun>

namespace Brigade {

namespace {
constexpr int MaxErrorsKept = 500;
constexpr int PollIntervalMs = 50;
} // namespace

BatchLoader::BatchLoader(QObject *parent)
    : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &BatchLoader::onFinished);
    // The parser reports from its own thread; polling shared counters keeps the GUI side
    // simple and never floods the event loop.
    m_poll.setInterval(PollIntervalMs);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        const qint64 done = m_progress->done.load();
        if (done != m_lastDone) {
            m_lastDone = done;
            emit progressChanged(done, m_progress->total.load());
        }
    });
}

BatchLoader::~BatchLoader()
{
    if (m_progress)
        m_progress->cancel.store(true);
}

void BatchLoader::load(const QString &path)
{
    cancel();
    m_path = path;
    m_lastDone = -1;
    m_progress = std::make_shared<Progress>();
    // A previous load may still be winding down: setFuture() stops watching it, and its
    // cancel flag makes it stop soon.
    m_watcher.setFuture(
            QtConcurrent::run(BackgroundPool::instance(), [path, progress = m_progress] {
                OpenOptions options;
                options.maxErrors = MaxErrorsKept;
                options.cancel = &progress->cancel;
                options.progress = [progress](qint64 done, qint64 total) {
                    progress->total.store(total);
                    progress->done.store(done);
                };
                Result<OpenedRun> opened = RunSession::open(path, options);
                // Shared, so that onFinished() can move it out: the future's copy of the
                // result must not keep a million tasks (and the batch's bytes) alive.
                auto loaded = std::make_shared<Loaded>();
                if (opened)
                    loaded->run = std::move(opened).value();
                else
                    loaded->error = opened.error();
                return loaded;
            }));
    m_poll.start();
}

void BatchLoader::cancel()
{
    if (m_progress)
        m_progress->cancel.store(true);
}

void BatchLoader::onFinished()
{
    m_poll.stop();
    Loaded loaded = std::move(*m_watcher.result());
    if (m_progress && m_progress->cancel.load())
        loaded.run.cancelled = true;
    emit finished(loaded);
}

} // namespace Brigade
