#include "FeedGate.h"

#include <QtGlobal>

namespace Brigade {

FeedGate::FeedGate(qint64 limit)
    : m_limit(qMax<qint64>(1, limit))
{}

qint64 FeedGate::waitForRoom()
{
    QMutexLocker locker(&m_mutex);
    while (!m_closed && heldLocked() >= m_limit) {
        m_waiting = true;
        m_room.wait(&m_mutex);
    }
    m_waiting = false;
    return m_closed ? 0 : m_limit - heldLocked();
}

void FeedGate::sent(qint64 count)
{
    QMutexLocker locker(&m_mutex);
    m_inTransit += count;
    m_peak = qMax(m_peak, heldLocked());
}

void FeedGate::setQueued(qint64 queued, qint64 taken)
{
    QMutexLocker locker(&m_mutex);
    m_queued = queued;
    m_inTransit -= taken;
    if (m_waiting && heldLocked() < m_limit)
        m_room.wakeAll();
}

void FeedGate::close()
{
    QMutexLocker locker(&m_mutex);
    m_closed = true;
    m_room.wakeAll();
}

bool FeedGate::isClosed() const
{
    QMutexLocker locker(&m_mutex);
    return m_closed;
}

qint64 FeedGate::held() const
{
    QMutexLocker locker(&m_mutex);
    return heldLocked();
}

qint64 FeedGate::peakHeld() const
{
    QMutexLocker locker(&m_mutex);
    return m_peak;
}

} // namespace Brigade
