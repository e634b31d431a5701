#pragma once

#include "HostPaceInfo.h"

#include <QMetaType>
#include <QString>
#include <QVector>

namespace Brigade {

// A snapshot of a run's progress, emitted a few tens of times per second.
struct RunStats
{
    qint64 total = 0;
    qint64 queued = 0;
    qint64 running = 0;
    // Tasks that failed an attempt and will try again, until they end: waiting out the
    // backoff, queued again or running their next attempt (not in queued or running).
    qint64 retrying = 0;
    qint64 succeeded = 0;
    qint64 failed = 0;
    qint64 cancelled = 0;
    qint64 skipped = 0;  // given up on with a reason (RunSession::skipTasks)
    qint64 attempts = 0; // attempts finished this run, failed ones included
    qint64 elapsedMs = 0;
    double rate = 0;   // tasks finished per second, recent
    qint64 etaMs = -1; // -1 when unknown
    bool paused = false;
    bool active = false; // the run has not finished

    qint64 finished() const { return succeeded + failed + cancelled + skipped; }
    // The exit status rule (README) for a run that ended so: 0 when every task succeeded or
    // was skipped (given up on with a reason), else 1.
    int exitStatus() const { return succeeded + skipped == total ? 0 : 1; }
};

enum class WorkerState : quint8 {
    Starting, // launched, no hello yet
    Queued,   // waiting for a launcher (e.g. Slurm) to give it a CPU
    Running,
    Restarting, // lost, a replacement is on its way
    Stopped,
    Failed,  // gave up restarting
    Blocked, // its host was taken out of rotation for this run
};

const char *workerStateName(WorkerState s);

struct WorkerInfo
{
    int slot = 0;
    WorkerState state = WorkerState::Starting;
    QString group; // where it was launched: "local", "ssh node2", "slurm", ...
    QString host;  // the host it reported in its hello
    QString slurmJobId;
    qint64 pid = 0;
    int inFlight = 0;
    qint64 finished = 0;   // attempts this slot finished, across restarts
    qint64 tasksEnded = 0; // tasks whose last attempt ended on this slot: succeeded or failed
    int restarts = 0;
    double cpuPercent = 0; // of one core
    qint64 rssKb = 0;
    QString lastError;
};

// Per-core utilisation (0..1) of this machine and the workers' load.
struct LoadSample
{
    qint64 elapsedMs = 0;
    QVector<double> cores;
    QVector<WorkerInfo> workers;
    double tasksPerSecond = 0;
    QVector<HostPaceInfo> hosts; // every fetched host (http and https), in order of first use
};

} // namespace Brigade

Q_DECLARE_METATYPE(Brigade::RunStats)
Q_DECLARE_METATYPE(Brigade::LoadSample)
Q_DECLARE_METATYPE(Brigade::WorkerInfo)
