#include "BatchLoader.h"

#include "BackgroundPool.h"
#include "batch/BatchParser.h"
#include "journal/Journal.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

namespace Brigade {

namespace {
constexpr int MaxErrorsKept = 500;
constexpr int PollIntervalMs = 50;
constexpr int JournalsLookedAt = 5;

// The newest journal in the default directory of a run of this very batch (same path, same
// bytes) that left tasks open. Runs on the loader's thread.
QString unfinishedJournalFor(const QString &batchPath, qint64 *openTasks)
{
    const QString absolute = QFileInfo(batchPath).absoluteFilePath();
    QByteArray bytes;
    bool read = false;
    for (const QString &path : Journal::journalsNamedFor(batchPath).mid(0, JournalsLookedAt)) {
        Journal journal;
        QString error;
        if (!journal.open(path, &error) || journal.batchPath() != absolute)
            continue;
        const qint64 open = journal.openTasks();
        if (open <= 0)
            continue;
        if (!read) {
            QFile file(batchPath);
            if (!file.open(QIODevice::ReadOnly))
                return {};
            bytes = file.readAll();
            read = true;
        }
        if (journal.batchData(&error) != bytes)
            continue; // the file changed since: that run was of another batch
        *openTasks = open;
        return path;
    }
    return {};
}
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
    m_watcher.setFuture(QtConcurrent::run(BackgroundPool::instance(), [path,
                                                                       progress = m_progress] {
        QElapsedTimer clock;
        clock.start();
        BatchParser::Options options;
        options.maxErrors = MaxErrorsKept;
        options.cancel = &progress->cancel;
        options.progress = [progress](qint64 done, qint64 total) {
            progress->total.store(total);
            progress->done.store(done);
        };
        Loaded loaded;
        loaded.batch = std::make_shared<Batch>(BatchParser::parseFile(path, options));
        if (!loaded.batch->cancelled && !progress->cancel.load()) {
            loaded.store = std::make_shared<TaskStore>(std::move(loaded.batch->tasks));
            if (!loaded.batch->mapReduce)
                loaded.earlierJournal = unfinishedJournalFor(path, &loaded.earlierOpenTasks);
        }
        loaded.batch->tasks = {};
        loaded.elapsedMs = clock.elapsed();
        return loaded;
    }));
    m_poll.start();
}

void BatchLoader::loadJournal(const QString &path)
{
    cancel();
    m_path = path;
    m_lastDone = -1;
    m_progress = std::make_shared<Progress>();
    m_watcher.setFuture(
            QtConcurrent::run(BackgroundPool::instance(), [path, progress = m_progress] {
                QElapsedTimer clock;
                clock.start();
                Loaded loaded;
                const auto fail = [&](const QString &message) {
                    loaded.batch = std::make_shared<Batch>();
                    loaded.batch->path = path;
                    BatchError e;
                    e.file = path;
                    e.message = message;
                    loaded.batch->errors.append(e);
                    loaded.batch->errorCount = 1;
                    loaded.store.reset();
                    return loaded;
                };
                // The Journal (a QSqlDatabase connection) lives and dies in this thread.
                Journal journal;
                QString error;
                if (!journal.open(path, &error))
                    return fail(error);
                const QByteArray data = journal.batchData(&error);
                if (!error.isEmpty())
                    return fail(error);
                BatchParser::Options options;
                options.maxErrors = MaxErrorsKept;
                options.cancel = &progress->cancel;
                // The journal's own copy of the batch: the original may have moved or changed.
                loaded.batch = std::make_shared<Batch>(
                        BatchParser::parseData(data, journal.batchPath(), options));
                if (loaded.batch->cancelled || progress->cancel.load()) {
                    loaded.batch->tasks = {};
                    return loaded;
                }
                loaded.store = std::make_shared<TaskStore>(std::move(loaded.batch->tasks));
                loaded.batch->tasks = {};
                if (!journal.restore(*loaded.store, &error, &loaded.finishedRows))
                    return fail(error);
                loaded.journalPath = path;
                loaded.elapsedMs = clock.elapsed();
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
    Loaded loaded = m_watcher.result();
    if (m_progress && m_progress->cancel.load() && loaded.batch)
        loaded.batch->cancelled = true;
    if (!loaded.batch) {
        loaded.batch = std::make_shared<Batch>();
        loaded.batch->path = m_path;
        loaded.batch->cancelled = true;
    }
    emit finished(loaded);
}

} // namespace Brigade
