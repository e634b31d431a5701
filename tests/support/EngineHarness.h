#pragma once

#include "batch/BatchParser.h"
#include "run/Engine.h"

#include <QSignalSpy>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace Brigade::Test {

// Runs a batch through a real Engine with real brigade-worker processes and records what
// the engine reported, for integration tests.
class EngineHarness : public QObject
{
    Q_OBJECT
public:
    EngineHarness();

    // Settings every test starts from: the built worker, small backoff, 2 workers.
    RunSettings settings;

    // Parses lines as a JSON Lines batch; returns false (with a test failure message in
    // lastError) when the batch has errors.
    bool load(const QStringList &jsonLines);
    void start();
    // Waits for finished(); false on timeout.
    bool waitFinished(int timeoutMs = 60000);

    Engine &engine() { return *m_engine; }
    // Where load() writes the batch file (commands' relative paths start here).
    QString batchDir() const { return m_dir.path(); }
    TaskStore &store() { return *m_store; }
    std::shared_ptr<TaskStore> storePtr() { return m_store; }
    TaskState state(const QString &id) const;
    int row(const QString &id) const { return m_store->rowOf(id); }

    QVector<int> finishedOrder; // every tasksFinished row, in order
    QList<LoadSample> loadSamples;
    QStringList workerMessages;
    RunStats lastStats;
    bool isFinished = false;
    QString lastError;

private:
    std::unique_ptr<Engine> m_engine;
    std::shared_ptr<TaskStore> m_store;
    QTemporaryDir m_dir;
};

} // namespace Brigade::Test
