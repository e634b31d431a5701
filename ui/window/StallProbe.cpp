#include "StallProbe.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <time.h>

namespace Brigade {

namespace {

// CPU time of the calling thread, in µs, or -1.
qint64 threadCpuUs()
{
#if defined(Q_OS_UNIX)
    timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
        return qint64(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
#endif
    return -1;
}

constexpr int Thresholds[4] = {16, 50, 100, 250};
constexpr size_t HistogramMs = 2000;
} // namespace

StallProbe::StallProbe(QObject *parent)
    : QObject(parent)
{
    // Coarse timers may fire up to 5% late by design; that is not a stall.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &StallProbe::onTick);
    reset();
}

void StallProbe::start(int intervalMs)
{
    reset();
    m_intervalUs = qint64(qMax(1, intervalMs)) * 1000;
    m_clock.start();
    m_lastUs = 0;
    m_timer.start(qMax(1, intervalMs));
}

void StallProbe::stop()
{
    m_timer.stop();
}

void StallProbe::reset()
{
    m_ticks = 0;
    m_maxStallUs = 0;
    m_maxStallAtUs = 0;
    m_maxStallCpuUs = -1;
    m_lastCpuUs = threadCpuUs();
    m_totalLateUs = 0;
    std::fill(std::begin(m_over), std::end(m_over), 0);
    m_histogram.assign(HistogramMs + 1, 0);
    if (m_clock.isValid())
        m_lastUs = m_clock.nsecsElapsed() / 1000;
}

void StallProbe::onTick()
{
    const qint64 now = m_clock.nsecsElapsed() / 1000;
    const qint64 late = qMax<qint64>(0, now - m_lastUs - m_intervalUs);
    const qint64 cpu = threadCpuUs();
    m_lastUs = now;
    ++m_ticks;
    m_totalLateUs += late;
    ++m_histogram[qMin(size_t(late / 1000), HistogramMs)];
    if (late > m_maxStallUs) {
        m_maxStallUs = late;
        m_maxStallAtUs = now;
        m_maxStallCpuUs = cpu >= 0 && m_lastCpuUs >= 0 ? cpu - m_lastCpuUs : -1;
    }
    m_lastCpuUs = cpu;
    for (int i = 0; i < 4; ++i) {
        if (late > qint64(Thresholds[i]) * 1000)
            ++m_over[i];
    }
    if (late > qint64(m_thresholdMs) * 1000)
        emit stalled(late / 1000.0);
}

qint64 StallProbe::stallsOver(int ms) const
{
    for (int i = 0; i < 4; ++i) {
        if (Thresholds[i] == ms)
            return m_over[i];
    }
    return -1;
}

double StallProbe::meanLatenessMs() const
{
    return m_ticks ? double(m_totalLateUs) / double(m_ticks) / 1000.0 : 0.0;
}

double StallProbe::percentileMs(double p) const
{
    if (m_ticks == 0)
        return 0;
    const qint64 wanted = qint64(std::ceil(qBound(0.0, p, 1.0) * double(m_ticks)));
    qint64 seen = 0;
    for (size_t ms = 0; ms < m_histogram.size(); ++ms) {
        seen += m_histogram[ms];
        if (seen >= wanted)
            return ms == HistogramMs ? maxStallMs() : double(ms + 1);
    }
    return maxStallMs();
}

QString StallProbe::summary() const
{
    return QStringLiteral("ticks %1, longest stall %2 ms (at %3 s, %9 ms of it on the CPU), "
                          "mean lateness %4 ms, "
                          "p99 lateness %5 ms, stalls >16 ms: %6, >50 ms: %7, >100 ms: %8")
            .arg(m_ticks)
            .arg(maxStallMs(), 0, 'f', 1)
            .arg(maxStallAtMs() / 1000.0, 0, 'f', 2)
            .arg(meanLatenessMs(), 0, 'f', 2)
            .arg(percentileMs(0.99), 0, 'f', 0)
            .arg(m_over[0])
            .arg(m_over[1])
            .arg(m_over[2])
            .arg(maxStallCpuMs(), 0, 'f', 1);
}

} // namespace Brigade
