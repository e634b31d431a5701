#pragma once

#include "job/Job.h"
#include "run/RunStats.h"

#include <functional>

namespace Brigade {

class Engine;

// One run of a batch's tasks on the engine, as a Job: Killable (every unfinished task is
// cancelled) and Suspendable (no new attempt starts). Amounts count tasks: processed are
// those that reached a final state, total the batch. The result is NoError when every task
// succeeded, PartialError when some failed or were cancelled, KilledError after kill().
// RunSession makes one per run, resume or retry; progress in detail is in stats().
class TaskRunJob : public Job
{
    Q_OBJECT
public:
    // begin: what start() does (RunSession starts the engine with the run's plan).
    TaskRunJob(Engine *engine, std::function<void()> begin, const QString &title,
               QObject *parent = nullptr);

    RunStats stats() const { return m_stats; }

private:
    void doStart() override;
    bool doKill() override;
    bool doSuspend() override;
    bool doResume() override;
    void onProgress(const RunStats &stats);
    void onFinished(const RunStats &stats);

    Engine *m_engine;
    std::function<void()> m_begin;
    RunStats m_stats;
};

} // namespace Brigade
