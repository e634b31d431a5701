#pragma once

#include "AttemptLog.h"

#include <QString>
#include <QVector>

#include <atomic>
#include <memory>
#include <vector>

namespace Brigade {

// Where attempts' time went, summed: the answer to "is it the network, the CPU or my
// retries?". Queued is the engine's queue and the wait on a worker for a compute thread
// (both are waiting for a free slot); fetching and computing are as the worker measured
// them; waiting to retry is the backoff after a failed attempt.
struct PhaseTotals
{
    qint64 attempts = 0;
    qint64 failedAttempts = 0; // failed, retried, cancelled or lost
    double queuedUs = 0;       // in the engine's queue
    double workerWaitUs = 0;   // on a worker, neither fetching nor computing
    double fetchUs = 0;
    double computeUs = 0;
    double backoffUs = 0;

    double waitingUs() const { return queuedUs + workerWaitUs; }
    double totalUs() const { return queuedUs + workerWaitUs + fetchUs + computeUs + backoffUs; }
    // Share of the total, 0..1 (0 when nothing was recorded).
    double share(double us) const { return totalUs() > 0 ? us / totalUs() : 0; }
    void add(const PhaseTotals &other);
    // "queued 2% · waiting on a worker 10% · fetching 70% · computing 15% · waiting to retry 3%"
    QString summary() const;
};

// The breakdown of a run, or of any part of it: per worker lane, per host, and in all.
class TimeBreakdown
{
public:
    // What to count: every attempt, or those of some tasks, or the time inside a range.
    struct Scope
    {
        qint64 fromUs = -1; // a range on the log's clock; -1: unbounded
        qint64 toUs = -1;
        // Only these tasks (indexed by row; true counts), when set.
        std::shared_ptr<const std::vector<bool>> rows;
        bool isWholeRun() const { return fromUs < 0 && toUs < 0 && !rows; }
    };
    struct Host
    {
        QString name;
        PhaseTotals totals;
        QVector<int> lanes; // indexes into lanes()
    };

    // Sums the log's spans in scope: off the GUI thread for a large log (a million attempts
    // take ~10-20 ms). Stops early, returning what it has, when cancel becomes true.
    static TimeBreakdown compute(const AttemptLog &log, const Scope &scope,
                                 const std::atomic_bool *cancel = nullptr);
    static TimeBreakdown compute(const AttemptLog &log) { return compute(log, Scope()); }

    const PhaseTotals &total() const { return m_total; }
    const QVector<TimelineLane> &lanes() const { return m_lanes; }
    const PhaseTotals &lane(int i) const { return m_perLane.at(i); }
    // Hosts in the order their first lane appears, each with its lanes.
    const QVector<Host> &hosts() const { return m_hosts; }
    Scope scope() const { return m_scope; }

private:
    PhaseTotals m_total;
    QVector<TimelineLane> m_lanes;
    QVector<PhaseTotals> m_perLane;
    QVector<Host> m_hosts;
    Scope m_scope;
};

} // namespace Brigade
