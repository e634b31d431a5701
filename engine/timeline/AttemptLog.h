#pragma once

#include <QMutex>
#include <QString>
#include <QVector>

#include <atomic>
#include <memory>

namespace Brigade {

// How one attempt on a worker ended.
enum class AttemptOutcome : quint8 {
    Succeeded = 0,
    Failed,    // failed, and its task failed with it
    Retried,   // failed, and its task waited out a backoff before the next attempt
    Cancelled, // cancelled while a worker had it
    Lost,      // its worker was lost with it in flight
};
constexpr int AttemptOutcomeCount = 5;

// One attempt on a worker, on its log's clock (µs since the log began). 36 bytes: a million
// attempts cost 36 MB. Times are 48 bits (8.9 years of µs); fetch and compute are the
// worker's own µs; the two waits outside a worker are ms, which is all a timeline or a
// breakdown can show of a wait that long.
//
// The phases, in order: queued in the engine (ready -> dispatched), on the worker
// (dispatched -> end): its fetch from the start, its compute up to the end, and whatever is
// left waiting there (for a compute thread, the result's flush); then, for a retried
// failure, the backoff before the task is ready again.
struct AttemptSpan
{
    quint32 endLow = 0;
    quint32 dispatchLow = 0;
    quint16 endHigh = 0;
    quint16 dispatchHigh = 0;
    quint16 lane = 0;   // index into AttemptLog::lanes()
    quint8 attempt = 0; // 1-based, 255 for any later
    AttemptOutcome outcome = AttemptOutcome::Succeeded;
    qint32 row = -1;
    quint32 fetchUs = 0;
    quint32 computeUs = 0;
    quint32 queuedMs = 0;  // in the engine's queue before dispatch
    quint32 backoffMs = 0; // Retried: the wait before the next attempt was ready

    qint64 endUs() const { return qint64(endLow) | (qint64(endHigh) << 32); }
    qint64 dispatchUs() const { return qint64(dispatchLow) | (qint64(dispatchHigh) << 32); }
    void setEndUs(qint64 us);
    void setDispatchUs(qint64 us);
    qint64 readyUs() const { return dispatchUs() - qint64(queuedMs) * 1000; }
    qint64 onWorkerUs() const { return endUs() - dispatchUs(); }
    // On the worker but neither fetching nor computing.
    qint64 waitUs() const;
    bool failed() const { return outcome != AttemptOutcome::Succeeded; }
};
static_assert(sizeof(AttemptSpan) == 36, "an attempt is kept in 36 bytes");

// A worker as the timeline shows it: one lane per worker slot and host.
struct TimelineLane
{
    int slot = 0;
    QString host;  // as its hello said, or where it was launched
    QString group; // "local", "ssh node2", ...
};

// An attempt on a worker now: how far it got is known when it ends, so until then it is one
// bar from its dispatch to now (after its time queued in the engine).
struct RunningAttempt
{
    qint64 dispatchUs = 0; // on the log's clock
    qint32 row = -1;
    quint32 queuedMs = 0; // in the engine's queue before dispatch
    quint16 lane = 0;
    quint8 attempt = 0; // 1-based, 255 for any later

    qint64 readyUs() const { return dispatchUs - qint64(queuedMs) * 1000; }
};

// The attempts running at one moment (atUs, on the log's clock), in no particular order.
struct RunningAttempts
{
    qint64 atUs = 0;
    QVector<RunningAttempt> attempts;
};

// The run's task counts at one moment, for rates over time.
struct CountSample
{
    qint64 atUs = 0;
    qint32 queued = 0;
    qint32 running = 0;
    qint32 retrying = 0;
    qint32 succeeded = 0;
    qint32 failed = 0;
    qint32 cancelled = 0;
    qint32 skipped = 0;
    qint32 attempts = 0;
};

// What every attempt of a batch's runs did, for the timeline and the time breakdown: an
// append-only log written by the engine thread as attempts end (and, apart, the attempts
// running now, as the engine last published them), read by any thread without
// a lock (readers see a prefix: size(), then any span below it). Spans are appended in the
// order they end, so their end times never decrease and a time range is two binary searches
// away. Kept by the TaskStore across the runs of its batch (a retry adds to it).
class AttemptLog
{
public:
    static constexpr int ChunkBits = 16; // 65,536 spans (2.4 MB) per chunk
    static constexpr qint64 ChunkSize = qint64(1) << ChunkBits;
    static constexpr int MaxChunks = 4096; // 268 M attempts; later ones are not kept

    AttemptLog();
    ~AttemptLog();
    AttemptLog(const AttemptLog &) = delete;
    AttemptLog &operator=(const AttemptLog &) = delete;

    // The log's clock: µs since it was made. Monotonic; any thread.
    qint64 nowUs() const;

    // ---- The writer (the engine thread) ----
    // The lane of a worker slot on a host, made on first use.
    quint16 laneFor(int slot, const QString &host, const QString &group);
    void append(const AttemptSpan &span);
    void addSample(CountSample sample); // a sample equal to the last but in time is dropped
    void markRunStart();                // a run (or retry run) begins now
    // The attempts on workers now (replacing the last such list; empty when none run).
    void setRunning(QVector<RunningAttempt> attempts);

    // ---- Readers (any thread) ----
    qint64 size() const { return m_size.load(std::memory_order_acquire); }
    // i < a size() read before.
    const AttemptSpan &at(qint64 i) const
    {
        return m_chunks[i >> ChunkBits].load(std::memory_order_relaxed)[i & (ChunkSize - 1)];
    }
    // The first span among [0, n) whose end is at or after us (n if none).
    qint64 lowerBoundEnd(qint64 us, qint64 n) const;
    // The longest time any span spent on a worker, and the longest backoff: how far before
    // a range a span that reaches into it can end.
    qint64 maxOnWorkerUs() const { return m_maxOnWorkerUs.load(std::memory_order_acquire); }
    qint64 maxBackoffUs() const { return m_maxBackoffUs.load(std::memory_order_acquire); }
    // The end of the latest span, 0 when none.
    qint64 lastEndUs() const;
    bool overflowed() const { return m_overflowed.load(std::memory_order_acquire); }

    QVector<TimelineLane> lanes() const;
    QVector<CountSample> samples() const;
    QVector<qint64> runStarts() const;
    // The latest list of running attempts (never null); a snapshot, not updated after.
    std::shared_ptr<const RunningAttempts> running() const;
    // Bytes held: the spans' chunks and the samples.
    qint64 bytesUsed() const;

private:
    std::unique_ptr<std::atomic<AttemptSpan *>[]> m_chunks;
    std::atomic<qint64> m_size{0};
    std::atomic<qint64> m_maxOnWorkerUs{0};
    std::atomic<qint64> m_maxBackoffUs{0};
    std::atomic<bool> m_overflowed{false};
    qint64 m_startNs = 0; // CLOCK_MONOTONIC at construction

    mutable QMutex m_mutex; // the small tables below
    QVector<TimelineLane> m_lanes;
    QVector<CountSample> m_samples;
    QVector<qint64> m_runStarts;
    std::shared_ptr<const RunningAttempts> m_running = std::make_shared<RunningAttempts>();
};

} // namespace Brigade
