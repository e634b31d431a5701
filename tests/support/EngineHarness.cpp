#include "EngineHarness.h"

#include "Sanitizers.h"

#include <QFile>
#include <QTest>

namespace Brigade::Test {

EngineHarness::EngineHarness()
    : m_engine(std::make_unique<Engine>())
{
    settings.workers = 2;
    settings.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    settings.retry.baseDelayMs = 10;
    settings.retry.maxDelayMs = 50;
    settings.seed = 1;
    // A sanitized worker streaming big bodies beside another sanitized test can be busy past
    // a user's default; tests of the heartbeat itself set their own.
    settings.heartbeatTimeoutMs *= SanitizerSlowdown;
    connect(m_engine.get(), &Engine::tasksFinished, this,
            [this](const QVector<int> &rows) { finishedOrder += rows; });
    connect(m_engine.get(), &Engine::loadSampled, this,
            [this](const LoadSample &s) { loadSamples.append(s); });
    connect(m_engine.get(), &Engine::workerMessage, this,
            [this](int, const QString &m) { workerMessages.append(m); });
    connect(m_engine.get(), &Engine::progress, this, [this](const RunStats &s) { lastStats = s; });
    connect(m_engine.get(), &Engine::finished, this, [this](const RunStats &s) {
        lastStats = s;
        isFinished = true;
    });
}

bool EngineHarness::load(const QStringList &jsonLines)
{
    const QString path = m_dir.filePath(QStringLiteral("batch.jsonl"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(jsonLines.join(QLatin1Char('\n')).toUtf8());
    f.close();
    Batch batch = BatchParser::parseFile(path);
    if (batch.hasErrors()) {
        lastError = batch.errors.first().toString();
        return false;
    }
    m_store = std::make_shared<TaskStore>(std::move(batch.tasks));
    return true;
}

void EngineHarness::start()
{
    isFinished = false;
    m_engine->start(m_store, settings);
}

bool EngineHarness::waitFinished(int timeoutMs)
{
    // A spy's event loop, not qWaitFor's polling: an in-process test server must keep
    // serving at full speed while we wait.
    if (isFinished)
        return true;
    QSignalSpy finished(m_engine.get(), &Engine::finished);
    return finished.wait(timeoutMs) || isFinished;
}

TaskState EngineHarness::state(const QString &id) const
{
    return m_store->state(m_store->rowOf(id));
}

} // namespace Brigade::Test
