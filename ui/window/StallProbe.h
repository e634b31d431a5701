#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <vector>

namespace Brigade {

// An event-loop latency probe: a precise timer in the thread it lives in that records how
// late each tick fires. A tick that is late by N ms means the thread's event loop could
// not run for about N ms, i.e. a stall the user would feel. For benchmarks and tests.
class StallProbe : public QObject
{
    Q_OBJECT
public:
    explicit StallProbe(QObject *parent = nullptr);

    void start(int intervalMs = 5);
    void stop();
    void reset();
    void setThresholdMs(int ms) { m_thresholdMs = ms; } // for stalled()

    bool isActive() const { return m_timer.isActive(); }
    qint64 ticks() const { return m_ticks; }
    double maxStallMs() const { return m_maxStallUs / 1000.0; }
    // Run time (since start) at which the longest stall ended.
    double maxStallAtMs() const { return m_maxStallAtUs / 1000.0; }
    // CPU time the thread itself used during the longest stall: close to the stall when the
    // thread was busy, near zero when it was waiting (a lock, or no free core). -1 where the
    // platform cannot tell.
    double maxStallCpuMs() const { return m_maxStallCpuUs / 1000.0; }
    qint64 stallsOver(int ms) const; // 16, 50, 100 or 250
    double meanLatenessMs() const;
    // Lateness that p (0..1) of the ticks did not exceed, to the millisecond.
    double percentileMs(double p) const;
    QString summary() const;

signals:
    // Emitted when a tick is later than threshold ms (default 50).
    void stalled(double lateMs);

private:
    void onTick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastUs = 0;
    qint64 m_intervalUs = 5000;
    qint64 m_ticks = 0;
    qint64 m_maxStallUs = 0;
    qint64 m_maxStallAtUs = 0;
    qint64 m_maxStallCpuUs = -1;
    qint64 m_lastCpuUs = -1;
    qint64 m_totalLateUs = 0;
    qint64 m_over[4] = {};
    std::vector<qint64> m_histogram; // ticks by lateness in whole ms; the last bucket is "more"
    int m_thresholdMs = 50;
};

} // namespace Brigade
