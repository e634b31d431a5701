#include "ComputeSlots.h"

namespace Brigade {

bool ComputeSlots::tryAcquire(int n)
{
    n = clamp(n);
    if (!m_waiters.empty() || m_used + n > m_capacity)
        return false;
    m_used += n;
    return true;
}

bool ComputeSlots::acquireOrWait(int n, std::function<void()> granted)
{
    if (tryAcquire(n))
        return true;
    enqueue(n, std::move(granted));
    return false;
}

void ComputeSlots::enqueue(int n, std::function<void()> granted)
{
    m_waiters.push_back(Waiter{clamp(n), std::move(granted)});
    release(0);
}

void ComputeSlots::release(int n)
{
    m_used -= clamp(n);
    if (m_used < 0)
        m_used = 0;
    while (!m_waiters.empty() && m_used + m_waiters.front().n <= m_capacity) {
        Waiter w = std::move(m_waiters.front());
        m_waiters.pop_front();
        m_used += w.n;
        w.granted(); // may acquire or release more: the loop looks again
    }
}

} // namespace Brigade
