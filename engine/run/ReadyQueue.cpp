#include "ReadyQueue.h"

#include <algorithm>
#include <limits>

namespace Brigade::Internal {

ReadyQueue::ReadyQueue(qint64 agingMs)
    : m_agingMs(qMax<qint64>(1, agingMs))
{}

void ReadyQueue::push(const Entry &entry)
{
    constexpr qint64 FifoMaxMs = std::numeric_limits<quint32>::max();
    if (entry.priority == 0 && entry.readyAtMs >= 0 && entry.readyAtMs <= FifoMaxMs
        && (m_fifo.empty() || quint32(entry.readyAtMs) >= m_fifo.back().readyAtMs)) {
        m_fifo.push_back(FifoEntry{entry.row, quint32(entry.readyAtMs)});
        return;
    }
    m_heap.push_back(HeapEntry{keyOf(entry), m_seq++, entry});
    std::push_heap(m_heap.begin(), m_heap.end(), heapLess);
}

ReadyQueue::Entry ReadyQueue::pop()
{
    if (!m_front.empty()) {
        const Entry e = m_front.back(); // the latest pushed first, as a deque's push_front did
        m_front.pop_back();
        return e;
    }
    const bool fromFifo
            = !m_fifo.empty()
              && (m_heap.empty() || -qint64(m_fifo.front().readyAtMs) >= m_heap.front().key);
    if (fromFifo) {
        const FifoEntry f = m_fifo.front();
        m_fifo.pop_front();
        return Entry{f.row, 0, qint64(f.readyAtMs)};
    }
    std::pop_heap(m_heap.begin(), m_heap.end(), heapLess);
    const Entry e = m_heap.back().entry;
    m_heap.pop_back();
    return e;
}

void ReadyQueue::clear()
{
    m_front.clear();
    m_fifo.clear();
    m_heap.clear();
    m_heap.shrink_to_fit();
    m_seq = 0;
}

} // namespace Brigade::Internal
