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
        const auto readyAtMs = quint32(entry.readyAtMs);
        ++m_fifoSize;
        if (!m_fifo.empty()) {
            FifoRun &last = m_fifo.back();
            if (last.readyAtMs == readyAtMs && last.count < std::numeric_limits<qint32>::max()
                && qint64(last.firstRow) + last.count == entry.row) {
                ++last.count;
                return;
            }
        }
        m_fifo.push_back(FifoRun{entry.row, 1, readyAtMs});
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
        FifoRun &f = m_fifo.front();
        const Entry e{f.firstRow, 0, qint64(f.readyAtMs)};
        --m_fifoSize;
        if (--f.count == 0)
            m_fifo.pop_front();
        else
            ++f.firstRow;
        return e;
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
    m_fifoSize = 0;
    m_heap.clear();
    m_heap.shrink_to_fit();
    m_seq = 0;
}

} // namespace Brigade::Internal
