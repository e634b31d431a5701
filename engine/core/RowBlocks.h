#pragma once

#include <QtGlobal>

#include <memory>
#include <vector>

namespace Brigade {

// Per-row values of a task store, in blocks of BlockSize rows that never move once made,
// so a block can be released (freed) once none of its rows is needed any more while row
// numbers stay what they were. A streamed run (TaskStore::retireLocked) releases the
// blocks of its finished tasks, so its memory holds the tasks still open, not every task
// it ever took.
//
// A released row reads as the value given to the constructor; a write to it goes to a
// scratch value and is lost. Callers that may meet released rows ask isReleased().
template<typename T>
class RowBlocks
{
public:
    static constexpr int BlockBits = 12;
    static constexpr int BlockSize = 1 << BlockBits;

    explicit RowBlocks(T released = T{})
        : m_released(std::move(released))
    {}
    RowBlocks(const RowBlocks &) = delete;
    RowBlocks &operator=(const RowBlocks &) = delete;
    RowBlocks(RowBlocks &&) = default;
    RowBlocks &operator=(RowBlocks &&) = default;

    int size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }

    // Grows to n rows, the new ones set to value (a shrink keeps the blocks, unused).
    void resize(int n, const T &value = T{})
    {
        const size_t blocks = size_t(n + BlockSize - 1) >> BlockBits;
        while (m_blocks.size() < blocks) {
            m_blocks.push_back(std::make_unique<T[]>(BlockSize));
            ++m_liveBlocks;
        }
        for (int row = m_size; row < n; ++row) {
            if (T *b = m_blocks[size_t(row >> BlockBits)].get())
                b[row & (BlockSize - 1)] = value;
        }
        m_size = n;
    }
    // Every row made again: n rows set to value, none released.
    void fill(const T &value, int n)
    {
        m_blocks.clear();
        m_liveBlocks = 0;
        m_size = 0;
        resize(n, value);
    }

    T &operator[](int row)
    {
        Q_ASSERT(row >= 0 && row < m_size);
        if (T *b = m_blocks[size_t(row >> BlockBits)].get())
            return b[row & (BlockSize - 1)];
        m_scratch = m_released;
        return m_scratch;
    }
    const T &operator[](int row) const { return at(row); }
    const T &at(int row) const
    {
        Q_ASSERT(row >= 0 && row < m_size);
        if (const T *b = m_blocks[size_t(row >> BlockBits)].get())
            return b[row & (BlockSize - 1)];
        return m_released;
    }

    bool isReleased(int row) const { return !m_blocks[size_t(row >> BlockBits)]; }
    static int blockOf(int row) { return row >> BlockBits; }
    int blockCount() const { return int(m_blocks.size()); }
    bool isBlockReleased(int block) const { return !m_blocks[size_t(block)]; }
    // Blocks still held (for tests and memory reports).
    int liveBlocks() const { return m_liveBlocks; }

    // Frees a block's rows; they read as released from now on.
    void releaseBlock(int block)
    {
        if (block < 0 || size_t(block) >= m_blocks.size() || !m_blocks[size_t(block)])
            return;
        m_blocks[size_t(block)].reset();
        --m_liveBlocks;
    }

    // Calls f(row, value) for every row not released, in order.
    template<typename F>
    void forEachLive(F &&f) const
    {
        for (size_t block = 0; block < m_blocks.size(); ++block) {
            const T *b = m_blocks[block].get();
            if (!b)
                continue;
            const int first = int(block << BlockBits);
            const int end = qMin(m_size, first + BlockSize);
            for (int row = first; row < end; ++row)
                f(row, b[row - first]);
        }
    }

private:
    std::vector<std::unique_ptr<T[]>> m_blocks; // null: released
    int m_size = 0;
    int m_liveBlocks = 0;
    T m_released;
    T m_scratch{};
};

} // namespace Brigade
