#include "AttemptLog.h"

#include <QMutexLocker>

#include <cstring>
#include <time.h>

namespace Brigade {

namespace {

qint64 monotonicNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

constexpr qint64 Max48 = (qint64(1) << 48) - 1;

void raise(std::atomic<qint64> &max, qint64 v)
{
    if (v > max.load(std::memory_order_relaxed))
        max.store(v, std::memory_order_release);
}

} // namespace

void AttemptSpan::setEndUs(qint64 us)
{
    us = qBound<qint64>(0, us, Max48);
    endLow = quint32(us);
    endHigh = quint16(us >> 32);
}

void AttemptSpan::setDispatchUs(qint64 us)
{
    us = qBound<qint64>(0, us, Max48);
    dispatchLow = quint32(us);
    dispatchHigh = quint16(us >> 32);
}

qint64 AttemptSpan::waitUs() const
{
    return qMax<qint64>(0, onWorkerUs() - qint64(fetchUs) - qint64(computeUs));
}

AttemptLog::AttemptLog()
    : m_chunks(new std::atomic<AttemptSpan *>[MaxChunks])
    , m_startNs(monotonicNs())
{
    for (int i = 0; i < MaxChunks; ++i)
        m_chunks[i].store(nullptr, std::memory_order_relaxed);
}

AttemptLog::~AttemptLog()
{
    for (int i = 0; i < MaxChunks; ++i)
        delete[] m_chunks[i].load(std::memory_order_relaxed);
}

qint64 AttemptLog::nowUs() const
{
    return (monotonicNs() - m_startNs) / 1000;
}

quint16 AttemptLog::laneFor(int slot, const QString &host, const QString &group)
{
    QMutexLocker locker(&m_mutex);
    for (int i = 0; i < m_lanes.size(); ++i) {
        const TimelineLane &l = m_lanes[i];
        if (l.slot == slot && l.host == host && l.group == group)
            return quint16(i);
    }
    if (m_lanes.size() >= 65535)
        return 65534; // a run with that many workers shares its last lane
    m_lanes.append(TimelineLane{slot, host, group});
    return quint16(m_lanes.size() - 1);
}

void AttemptLog::append(const AttemptSpan &span)
{
    const qint64 n = m_size.load(std::memory_order_relaxed);
    const qint64 chunk = n >> ChunkBits;
    if (chunk >= MaxChunks) {
        m_overflowed.store(true, std::memory_order_release);
        return;
    }
    AttemptSpan *c = m_chunks[chunk].load(std::memory_order_relaxed);
    if (!c) {
        c = new AttemptSpan[ChunkSize];
        m_chunks[chunk].store(c, std::memory_order_relaxed);
    }
    c[n & (ChunkSize - 1)] = span;
    raise(m_maxOnWorkerUs, span.onWorkerUs());
    raise(m_maxBackoffUs, qint64(span.backoffMs) * 1000);
    m_size.store(n + 1, std::memory_order_release); // publishes the span (and its chunk)
}

qint64 AttemptLog::lowerBoundEnd(qint64 us, qint64 n) const
{
    qint64 lo = 0;
    qint64 hi = n;
    while (lo < hi) {
        const qint64 mid = lo + (hi - lo) / 2;
        if (at(mid).endUs() < us)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

qint64 AttemptLog::lastEndUs() const
{
    const qint64 n = size();
    return n > 0 ? at(n - 1).endUs() : 0;
}

void AttemptLog::addSample(CountSample sample)
{
    QMutexLocker locker(&m_mutex);
    if (!m_samples.isEmpty()) {
        CountSample last = m_samples.last();
        last.atUs = sample.atUs;
        if (std::memcmp(&last, &sample, sizeof sample) == 0)
            return;
    }
    m_samples.append(sample);
}

void AttemptLog::markRunStart()
{
    const qint64 now = nowUs();
    QMutexLocker locker(&m_mutex);
    m_runStarts.append(now);
}

void AttemptLog::setRunning(QVector<RunningAttempt> attempts)
{
    auto running = std::make_shared<RunningAttempts>();
    running->atUs = nowUs();
    running->attempts = std::move(attempts);
    QMutexLocker locker(&m_mutex);
    m_running = std::move(running);
}

std::shared_ptr<const RunningAttempts> AttemptLog::running() const
{
    QMutexLocker locker(&m_mutex);
    return m_running;
}

QVector<TimelineLane> AttemptLog::lanes() const
{
    QMutexLocker locker(&m_mutex);
    return m_lanes;
}

QVector<CountSample> AttemptLog::samples() const
{
    QMutexLocker locker(&m_mutex);
    return m_samples;
}

QVector<qint64> AttemptLog::runStarts() const
{
    QMutexLocker locker(&m_mutex);
    return m_runStarts;
}

qint64 AttemptLog::bytesUsed() const
{
    const qint64 chunks = (size() + ChunkSize - 1) >> ChunkBits;
    QMutexLocker locker(&m_mutex);
    return chunks * ChunkSize * qint64(sizeof(AttemptSpan))
           + m_samples.capacity() * qint64(sizeof(CountSample));
}

} // namespace Brigade
