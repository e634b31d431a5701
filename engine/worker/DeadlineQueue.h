#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <queue>

#include <functional>
#include <vector>

namespace Brigade {

// Runs callbacks at given times using one timer: a worker keeps thousands of delays and
// timeouts pending, and one QTimer each would cost a sorted insert and an object apiece.
// Callbacks cannot be removed; each checks whether it still applies when it runs.
class DeadlineQueue : public QObject
{
    Q_OBJECT
public:
    explicit DeadlineQueue(QObject *parent = nullptr);

    // Microseconds on the queue's monotonic clock.
    qint64 nowUs() const { return m_clock.nsecsElapsed() / 1000; }
    void at(qint64 dueUs, std::function<void()> fn);
    void after(qint64 delayUs, std::function<void()> fn) { at(nowUs() + delayUs, std::move(fn)); }
    int pending() const { return int(m_heap.size()); }

private:
    struct Entry
    {
        qint64 dueUs;
        quint64 seq; // keeps equal deadlines in insertion order
        std::function<void()> fn;
        bool operator>(const Entry &o) const
        {
            return dueUs != o.dueUs ? dueUs > o.dueUs : seq > o.seq;
        }
    };

    void fire();
    void rearm();

    QElapsedTimer m_clock;
    QTimer m_timer;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> m_heap;
    quint64 m_seq = 0;
    qint64 m_armedFor = -1;
};

} // namespace Brigade
