#include "Engine.h"

#include "RunCoordinator.h"

namespace Brigade {

Engine::Engine(QObject *parent)
    : QObject(parent)
    , m_core(new Internal::RunCoordinator)
{
    m_thread.setObjectName(QStringLiteral("brigade-engine"));
    m_core->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_core, &QObject::deleteLater);
    using RC = Internal::RunCoordinator;
    connect(m_core, &RC::started, this, &Engine::started);
    connect(m_core, &RC::progress, this, &Engine::progress);
    connect(m_core, &RC::tasksChanged, this, &Engine::tasksChanged);
    connect(m_core, &RC::tasksFinished, this, &Engine::tasksFinished);
    connect(m_core, &RC::loadSampled, this, &Engine::loadSampled);
    connect(m_core, &RC::workerMessage, this, &Engine::workerMessage);
    connect(m_core, &RC::message, this, &Engine::message);
    connect(m_core, &RC::finished, this, [this](const RunStats &stats) {
        m_running = false;
        emit finished(stats);
    });
    m_thread.start();
}

Engine::~Engine()
{
    QMetaObject::invokeMethod(m_core, &Internal::RunCoordinator::shutdown,
                              Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void Engine::start(std::shared_ptr<TaskStore> store, const RunSettings &settings)
{
    m_store = store;
    m_running = true;
    QMetaObject::invokeMethod(m_core,
                              [core = m_core, store, settings] { core->start(store, settings); });
}

void Engine::pause()
{
    QMetaObject::invokeMethod(m_core, [core = m_core] { core->setPaused(true); });
}

void Engine::resume()
{
    QMetaObject::invokeMethod(m_core, [core = m_core] { core->setPaused(false); });
}

void Engine::cancel()
{
    QMetaObject::invokeMethod(m_core, &Internal::RunCoordinator::cancelAll);
}

void Engine::cancelTasks(const QVector<int> &rows)
{
    QMetaObject::invokeMethod(m_core, [core = m_core, rows] { core->cancelTasks(rows); });
}

void Engine::retryTasks(const QVector<int> &rows)
{
    m_running = true;
    QMetaObject::invokeMethod(m_core, [core = m_core, rows] { core->retryTasks(rows); });
}

void Engine::killWorker(int slot)
{
    QMetaObject::invokeMethod(m_core, [core = m_core, slot] { core->killWorker(slot); });
}

} // namespace Brigade
