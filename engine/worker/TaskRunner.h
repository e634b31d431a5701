#pragma once

#include "core/TaskState.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <memory>

namespace Brigade {

class ComputeSlots;
class ProcessGuardian;
struct ConfigureMsg;

// One attempt handed to a runner, its fetch (if any) done.
struct RunnerTask
{
    qint32 row = 0;
    quint16 attempt = 0;
    quint8 op = 0;
    QByteArray params;
    // Built-in ops: what they compute over (the fetched body, or the task id). Ops with a
    // runner of their own: the task's TaskContext.
    QByteArray input;
    QByteArray body;      // own-runner ops: the fetched body
    bool fetched = false; // whether a URL was fetched (body is then meaningful)
    QByteArray url;       // the fetched URL, encoded
};

// What runners report to: the worker runtime.
class RunnerHost
{
public:
    virtual ~RunnerHost() = default;
    // The attempt is over. Exactly once for every started attempt that was not aborted.
    virtual void attemptFinished(qint32 row, quint16 attempt, AttemptResult &&result) = 0;
    // Live output of a running attempt (command: its expanded command line, given once when
    // it starts). The host coalesces it and drops it when the attempt ends first.
    virtual void taskOutput(qint32 row, quint16 attempt, const QString &command, QByteArrayView out,
                            QByteArrayView err)
            = 0;
    // Lines a program wrote, or an event in its life, for the program's log.
    virtual void programOutput(const QString &program, quint8 stream, QByteArrayView text) = 0;
    // A flag the worker sets when the attempt is aborted (timeout, cancel), for work on
    // another thread that looks at it now and then. Made when first asked for: most
    // attempts never need one, and one allocation per attempt shows in a no-op run.
    virtual std::shared_ptr<std::atomic_bool> cancelFlag(qint32 row, quint16 attempt) = 0;
    virtual ComputeSlots &computeSlots() = 0;
    virtual ProcessGuardian &guardian() = 0;
    virtual const ConfigureMsg &config() const = 0;
};

// Runs attempts of some ops, asynchronously, on the worker's main thread: starts them and
// reports each one's outcome to the host when it is over. See RunnerRegistry.
class TaskRunner
{
public:
    enum class Abort { Cancelled, TimedOut };

    explicit TaskRunner(RunnerHost &host)
        : m_host(host)
    {}
    virtual ~TaskRunner() = default;

    // A new configuration (a run starting on this worker).
    virtual void configure() {}
    virtual void start(RunnerTask &&task) = 0;
    // After the tasks of one assign frame were started: a chance to hand them out in bulk.
    virtual void flush() {}
    // Ends an attempt early; attemptFinished() will not follow for it. *partial (timeouts)
    // gets what is known of the attempt so far, e.g. its command and output.
    virtual void abort(qint32 row, quint16 attempt, Abort why, AttemptResult *partial) = 0;
    // About twice a second (heartbeats): housekeeping such as memory checks.
    virtual void tick() {}
    // Attempts waiting for a compute slot or a program, for heartbeats.
    virtual int queued() const { return 0; }

protected:
    RunnerHost &m_host;
};

} // namespace Brigade
