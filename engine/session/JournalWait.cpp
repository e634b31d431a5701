#include "JournalWait.h"

namespace Brigade {

void JournalWait::handed()
{
    QMutexLocker locker(&m_mutex);
    ++m_outstanding;
}

void JournalWait::journaled()
{
    QMutexLocker locker(&m_mutex);
    if (--m_outstanding == 0)
        m_changed.wakeAll();
}

bool JournalWait::waitForAll()
{
    QMutexLocker locker(&m_mutex);
    while (m_outstanding > 0 && !m_stopped)
        m_changed.wait(&m_mutex);
    return !m_stopped;
}

void JournalWait::stop()
{
    QMutexLocker locker(&m_mutex);
    m_stopped = true;
    m_changed.wakeAll();
}

bool JournalWait::isStopped() const
{
    QMutexLocker locker(&m_mutex);
    return m_stopped;
}

} // namespace Brigade
