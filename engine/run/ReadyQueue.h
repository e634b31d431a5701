#pragma once

#include <QtGlobal>

#include <deque>
#include <vector>

namespace Brigade::Internal {

// The tasks ready to start, best first. A task's effective priority is its priority plus
// one for every agingMs it has waited since it became ready, so no task waits forever
// behind a stream of higher ones (aging). Since every waiting task ages at the same pace,
// the order of two tasks never changes while they wait: the key priority * agingMs -
// readyAtMs orders them once, when they arrive. Ties go first in, first out (a tie
// between the FIFO below and the heap goes to the FIFO).
//
// Priority 0 tasks arriving in time order (nearly all of them in a plain batch) take a
// FIFO of runs: consecutive rows ready at the same millisecond are one entry, so a batch
// of a million queued at its start costs one entry, not 8 MB. Others take a heap.
class ReadyQueue
{
public:
    struct Entry
    {
        qint32 row = -1;
        qint32 priority = 0;
        qint64 readyAtMs = 0; // run clock
    };

    explicit ReadyQueue(qint64 agingMs = DefaultAgingMs);

    static constexpr qint64 DefaultAgingMs = 1000;

    void setAgingMs(qint64 agingMs) { m_agingMs = qMax<qint64>(1, agingMs); }
    qint64 agingMs() const { return m_agingMs; }

    void push(const Entry &entry);
    // Ahead of everything else (the tasks of a lost worker, which were started already).
    void pushFront(const Entry &entry) { m_front.push_back(entry); }
    Entry pop(); // not empty
    bool empty() const { return m_front.empty() && m_fifo.empty() && m_heap.empty(); }
    size_t size() const { return m_front.size() + m_fifoSize + m_heap.size(); }
    // FIFO entries held (rows in a run share one): for tests.
    size_t fifoRuns() const { return m_fifo.size(); }
    void clear();

    // priority * agingMs - readyAtMs: larger starts first.
    qint64 keyOf(const Entry &entry) const
    {
        return qint64(entry.priority) * m_agingMs - entry.readyAtMs;
    }

private:
    struct FifoRun
    {
        qint32 firstRow;
        qint32 count; // rows firstRow, firstRow + 1, ...
        quint32 readyAtMs;
    };
    struct HeapEntry
    {
        qint64 key;
        quint64 seq;
        Entry entry;
    };
    static bool heapLess(const HeapEntry &a, const HeapEntry &b)
    {
        return a.key != b.key ? a.key < b.key : a.seq > b.seq;
    }

    qint64 m_agingMs;
    quint64 m_seq = 0;
    std::deque<Entry> m_front;
    std::deque<FifoRun> m_fifo; // priority 0, readyAtMs not decreasing
    size_t m_fifoSize = 0;      // rows in m_fifo
    std::vector<HeapEntry> m_heap;
};

} // namespace Brigade::Internal
