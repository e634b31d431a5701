#pragma once

#include "AttemptLog.h"

#include <QVector>

#include <atomic>
#include <memory>
#include <vector>

namespace Brigade {

// What a lane draws, per column, when a column holds more attempts than can be told apart.
enum class TimelinePhase : quint8 {
    Waiting = 0, // on a worker, neither fetching nor computing
    Fetch,
    Compute,
    FailedWork, // the fetch and compute of an attempt that failed
    Backoff,    // waiting to retry after a failure
    Running,    // an attempt on a worker now, from its dispatch to the running list's time
};
constexpr int TimelinePhaseCount = 6;

// A time range of the attempt log summarised into columns (one per pixel, for a view; a few
// hundred for a report), per lane and phase: how many attempts were in that phase on that
// lane on average over the column. Built off the GUI thread; never an object per attempt.
// When few enough attempts reach into the range, their indexes come along, so a view can
// draw each as its own bar.
class TimelineBins
{
public:
    struct Request
    {
        qint64 fromUs = 0;
        qint64 toUs = 1;
        int columns = 1;
        QVector<int> lanes;      // which lanes (indexes into AttemptLog::lanes()), in order
        int individualLimit = 0; // keep the spans' indexes when at most this many reach in
        qint64 logSize = -1;     // the prefix of the log to read; -1: all there is now
        // Attempts running (AttemptLog::running()); null: none. They reach up to
        // runningUntilUs (-1: the list's time).
        std::shared_ptr<const RunningAttempts> running;
        qint64 runningUntilUs = -1;
    };

    static TimelineBins compute(const AttemptLog &log, const Request &request,
                                const std::atomic_bool *cancel = nullptr);

    const Request &request() const { return m_request; }
    // Average attempts in phase p on the request's laneIndex-th lane over column c.
    float value(int laneIndex, TimelinePhase p, int column) const
    {
        return m_values[(size_t(laneIndex) * TimelinePhaseCount + size_t(p))
                                * size_t(m_request.columns)
                        + size_t(column)];
    }
    // The largest column total (all phases) of a lane: what a lane's height stands for.
    float laneMax(int laneIndex) const { return m_laneMax.at(laneIndex); }
    // Spans that reach into the range, by log index in end order, when at most
    // individualLimit did (individual() says so); else empty.
    bool individual() const { return m_individual; }
    const std::vector<qint64> &spans() const { return m_spans; }
    // The same for the request's running attempts: indexes into its list.
    const std::vector<int> &runningSpans() const { return m_running; }
    qint64 spansConsidered() const { return m_considered; }
    qint64 logSize() const { return m_logSize; }
    bool cancelled() const { return m_cancelled; }

private:
    Request m_request;
    std::vector<float> m_values;
    QVector<float> m_laneMax;
    std::vector<qint64> m_spans;
    std::vector<int> m_running;
    bool m_individual = false;
    bool m_cancelled = false;
    qint64 m_considered = 0;
    qint64 m_logSize = 0;
};

} // namespace Brigade
