#pragma once

#include <deque>
#include <functional>

namespace Brigade {

// A worker's compute slots (as many as its compute threads, one per core by default): a
// built-in op's batch holds one while it runs on a compute thread, a command the slots its
// task asks for (one by default). Waiters are served in order, so neither kind starves.
class ComputeSlots
{
public:
    void setCapacity(int slotCount) { m_capacity = slotCount < 1 ? 1 : slotCount; }
    int capacity() const { return m_capacity; }
    int inUse() const { return m_used; }
    // n is capped at the capacity, so any request can be served.
    int clamp(int n) const { return n > m_capacity ? m_capacity : n; }

    // Takes n slots now if they are free and nobody waits; false otherwise.
    bool tryAcquire(int n);
    // Takes n slots now (true), or waits in line for them (false; granted() runs later,
    // and must check whether its caller still wants them, releasing them if not).
    bool acquireOrWait(int n, std::function<void()> granted);
    // Waits in line for n slots; granted() runs (from release()) once they are the
    // caller's. The caller releases them, also when it no longer needs them.
    void enqueue(int n, std::function<void()> granted);
    void release(int n);

private:
    struct Waiter
    {
        int n;
        std::function<void()> granted;
    };
    int m_capacity = 1;
    int m_used = 0;
    std::deque<Waiter> m_waiters;
};

} // namespace Brigade
