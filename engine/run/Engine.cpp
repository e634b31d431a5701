#include "Engine.h"

#include "RunCoordinator.h"
#include "core/TsanAnnotations.h"

namespace Brigade {

namespace {

// A call queued to the engine thread. Qt orders it after what the caller did before, and
// its destruction (in either thread) after the call, under locks ThreadSanitizer cannot
// see; the annotations tell it so (no-ops in other builds).
template<typename F>
struct Handoff
{
    const void *tag;
    F f;
    ~Handoff() { Tsan::acquire(tag); } // before f's captures are destroyed
    void operator()()
    {
        Tsan::acquire(tag);
        f();
        Tsan::release(tag);
    }
};

template<typename F>
void post(Internal::RunCoordinator *core, F f)
{
    Tsan::release(core);
    QMetaObject::invokeMethod(core, Handoff<F>{core, std::move(f)});
}

} // namespace

Engine::Engine(QObject *parent)
    : QObject(parent)
    , m_core(new Internal::RunCoordinator)
    , m_programLog(std::make_shared<ProgramLog>())
{
    m_core->setProgramLog(m_programLog);
    m_thread.setObjectName(QStringLiteral("brigade-engine"));
    m_core->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_core, &QObject::deleteLater);
    using RC = Internal::RunCoordinator;
    connect(m_core, &RC::started, this, [this] {
        m_running = true; // also when added tasks reopened a run that had ended
        emit started();
    });
    connect(m_core, &RC::progress, this, &Engine::progress);
    connect(m_core, &RC::tasksChanged, this, &Engine::tasksChanged);
    connect(m_core, &RC::tasksFinished, this, &Engine::tasksFinished);
    connect(m_core, &RC::failuresChanged, this, &Engine::failuresChanged);
    connect(m_core, &RC::failureRowsFound, this, &Engine::failureRowsFound);
    connect(m_core, &RC::loadSampled, this, &Engine::loadSampled);
    connect(m_core, &RC::workerMessage, this, &Engine::workerMessage);
    connect(m_core, &RC::programLogChanged, this, &Engine::programLogChanged);
    connect(m_core, &RC::message, this, &Engine::message);
    connect(m_core, &RC::tasksSkipped, this, &Engine::tasksSkipped);
    connect(m_core, &RC::feedIdle, this, &Engine::feedIdle);
    connect(m_core, &RC::finished, this, [this](const RunStats &stats) {
        m_running = false;
        emit finished(stats);
    });
#ifdef BRIGADE_TSAN
    // Qt does not join its threads where ThreadSanitizer could see it: mark the thread's end
    // (its last act), to be acquired once wait() has seen it (see ~Engine).
    connect(
            &m_thread, &QThread::finished, this, [this] { Tsan::release(&m_thread); },
            Qt::DirectConnection);
#endif
    m_thread.start();
}

Engine::~Engine()
{
    QMetaObject::invokeMethod(
            m_core,
            [core = m_core] {
                core->shutdown();
                Tsan::release(core);
            },
            Qt::BlockingQueuedConnection);
    Tsan::acquire(m_core);
    m_thread.quit();
    m_thread.wait();
    Tsan::acquire(&m_thread);
}

void Engine::start(std::shared_ptr<TaskStore> store, const RunSettings &settings,
                   const QVector<int> &reset, std::shared_ptr<const FailureGroups> earlierFailures)
{
    if (store != m_store)
        m_programLog->clear(); // a log belongs to its batch
    m_store = store;
    m_running = true;
    post(m_core, [core = m_core, store, settings, reset, earlierFailures] {
        core->start(store, settings, reset, earlierFailures);
    });
}

quint64 Engine::findFailureRows(const QVector<int> &groupIds)
{
    const quint64 token = m_nextToken++;
    post(m_core, [core = m_core, token, groupIds] { core->findFailureRows(token, groupIds); });
    return token;
}

void Engine::pause()
{
    post(m_core, [core = m_core] { core->setPaused(true); });
}

void Engine::resume()
{
    post(m_core, [core = m_core] { core->setPaused(false); });
}

void Engine::cancel()
{
    post(m_core, [core = m_core] { core->cancelAll(); });
}

void Engine::cancelTasks(const QVector<int> &rows)
{
    post(m_core, [core = m_core, rows] { core->cancelTasks(rows); });
}

void Engine::retryTasks(const QVector<int> &rows)
{
    m_running = true;
    post(m_core, [core = m_core, rows] { core->retryTasks(rows); });
}

void Engine::changeTasks(std::shared_ptr<TaskStore> store, const QVector<int> &rows,
                         QVector<std::shared_ptr<const TaskShape>> shapes, const JournalEdit &edit)
{
    post(m_core, [core = m_core, store, rows, shapes = std::move(shapes), edit] {
        core->changeTasks(store, rows, shapes, edit);
    });
}

void Engine::skipTasks(std::shared_ptr<TaskStore> store, const QVector<int> &rows,
                       const QString &reason, const QString &journalPath,
                       std::shared_ptr<const FailureGroups> earlierFailures)
{
    post(m_core, [core = m_core, store, rows, reason, journalPath, earlierFailures] {
        core->skipTasks(store, rows, reason, journalPath, earlierFailures);
    });
}

void Engine::changePriority(const QVector<int> &rows, int delta, const QByteArray &change)
{
    post(m_core,
         [core = m_core, rows, delta, change] { core->changePriority(rows, delta, change); });
}

void Engine::killWorker(int slot)
{
    post(m_core, [core = m_core, slot] { core->killWorker(slot); });
}

void Engine::openFeed(std::shared_ptr<FeedGate> gate, bool reopens)
{
    post(m_core, [core = m_core, gate, reopens] { core->openFeed(gate, reopens); });
}

void Engine::closeFeed()
{
    post(m_core, [core = m_core] { core->closeFeed(); });
}

void Engine::checkFeed()
{
    post(m_core, [core = m_core] { core->checkFeed(); });
}

void Engine::addTasks(QVector<TaskSpec> specs, QByteArray lines, std::function<void()> taken)
{
    post(m_core, [core = m_core, specs = std::move(specs), lines = std::move(lines),
                  taken = std::move(taken)]() mutable {
        core->addTasks(std::move(specs), lines, std::move(taken));
    });
}

void Engine::releaseRows(const QVector<int> &rows)
{
    post(m_core, [core = m_core, rows] { core->releaseRows(rows); });
}

} // namespace Brigade
