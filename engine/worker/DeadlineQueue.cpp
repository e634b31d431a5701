#include "DeadlineQueue.h"

namespace Brigade {

DeadlineQueue::DeadlineQueue(QObject *parent)
    : QObject(parent)
{
    m_clock.start();
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &DeadlineQueue::fire);
}

void DeadlineQueue::at(qint64 dueUs, std::function<void()> fn)
{
    m_heap.push(Entry{dueUs, m_seq++, std::move(fn)});
    if (m_armedFor < 0 || dueUs < m_armedFor)
        rearm();
}

void DeadlineQueue::fire()
{
    m_armedFor = -1;
    const qint64 now = nowUs();
    // Run what is due, but not what callbacks add for "now": that waits for the next turn
    // of the event loop so IO is not starved.
    std::vector<std::function<void()>> due;
    while (!m_heap.empty() && m_heap.top().dueUs <= now) {
        due.push_back(std::move(const_cast<Entry &>(m_heap.top()).fn));
        m_heap.pop();
    }
    for (auto &fn : due)
        fn();
    rearm();
}

void DeadlineQueue::rearm()
{
    if (m_heap.empty()) {
        m_timer.stop();
        m_armedFor = -1;
        return;
    }
    const qint64 due = m_heap.top().dueUs;
    const qint64 waitUs = due - nowUs();
    m_armedFor = due;
    // Round up so the timer never fires before the deadline and spins.
    m_timer.start(waitUs <= 0 ? 0 : int((waitUs + 999) / 1000));
}

} // namespace Brigade
