#pragma once

#include <QtGlobal>

#include <memory>
#include <new>
#include <vector>

namespace Brigade {

// Per-row values of a task store, in blocks of BlockSize rows that never move once made.
//
// A block is made on its first write: until then its rows read as the fresh value, and a
// million queued tasks cost no memory (nor the page faults of touching it) before they
// start. A made block can be cleared (freed, its rows fresh again: a table only needed
// while rows run) or released (freed for good while row numbers stay what they were: a
// streamed run, TaskStore::retireLocked, releases the blocks of its finished tasks, so its
// memory holds the tasks still open, not every task it ever took).
//
// A released row reads as the released value; a write to it goes to a scratch value and is
// lost. Callers that may meet released rows ask isReleased().
template<typename T>
class RowBlocks
{
public:
    static constexpr int BlockBits = 12;
    static constexpr int BlockSize = 1 << BlockBits;

    explicit RowBlocks(T released = T{})
        : m_released(released)
        , m_fresh(std::move(released))
    {}
    RowBlocks(T released, T fresh)
        : m_released(std::move(released))
        , m_fresh(std::move(fresh))
    {}
    RowBlocks(const RowBlocks &) = delete;
    RowBlocks &operator=(const RowBlocks &) = delete;
    RowBlocks(RowBlocks &&) = default;
    RowBlocks &operator=(RowBlocks &&) = default;

    int size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }

    // Grows to n rows, the new ones fresh (made when first written). A shrink keeps the
    // blocks, unused.
    void resize(int n)
    {
        const size_t blocks = size_t(n + BlockSize - 1) >> BlockBits;
        if (m_blocks.size() < blocks) {
            m_blocks.resize(blocks);
            m_state.resize(blocks, Fresh);
        }
        // Rows of a made block past the old end were left by a shrink: fresh again.
        for (int row = m_size; row < n; ++row) {
            if (T *b = m_blocks[size_t(row >> BlockBits)].get())
                b[row & (BlockSize - 1)] = m_fresh;
            else if ((row & (BlockSize - 1)) == 0)
                row += BlockSize - 1; // a block not made: all of it reads fresh
        }
        m_size = n;
    }
    // Every row fresh again (none released, nothing held): n rows.
    void reset(int n)
    {
        m_blocks.clear();
        m_spare.clear();
        m_state.clear();
        m_liveBlocks = 0;
        m_size = 0;
        resize(n);
    }

    T &operator[](int row)
    {
        Q_ASSERT(row >= 0 && row < m_size);
        const size_t block = size_t(row >> BlockBits);
        if (T *b = m_blocks[block].get())
            return b[row & (BlockSize - 1)];
        if (m_state[block] == Fresh)
            return make(block)[row & (BlockSize - 1)];
        m_scratch = m_released;
        return m_scratch;
    }
    const T &operator[](int row) const { return at(row); }
    const T &at(int row) const
    {
        Q_ASSERT(row >= 0 && row < m_size);
        const size_t block = size_t(row >> BlockBits);
        if (const T *b = m_blocks[block].get())
            return b[row & (BlockSize - 1)];
        return m_state[block] == Fresh ? m_fresh : m_released;
    }

    bool isReleased(int row) const { return m_state[size_t(row >> BlockBits)] == Released; }
    static int blockOf(int row) { return row >> BlockBits; }
    int blockCount() const { return int(m_blocks.size()); }
    bool isBlockReleased(int block) const { return m_state[size_t(block)] == Released; }
    bool isBlockMade(int block) const { return m_state[size_t(block)] == Made; }
    // Blocks made and held (for tests and memory reports).
    int liveBlocks() const { return m_liveBlocks; }

    // Frees a block's rows; they read as released from now on.
    void releaseBlock(int block)
    {
        if (block < 0 || size_t(block) >= m_blocks.size() || m_state[size_t(block)] == Released)
            return;
        free(size_t(block));
        m_state[size_t(block)] = Released;
    }
    // Frees a block's rows; they read fresh again (a released block stays released).
    void clearBlock(int block)
    {
        if (block >= 0 && size_t(block) < m_blocks.size() && m_state[size_t(block)] == Made) {
            free(size_t(block));
            m_state[size_t(block)] = Fresh;
        }
    }

    // Calls f(row, value) for every row not released (fresh rows too), in order.
    template<typename F>
    void forEachLive(F &&f) const
    {
        for (size_t block = 0; block < m_blocks.size(); ++block) {
            if (m_state[block] == Released)
                continue;
            const T *b = m_blocks[block].get();
            const int first = int(block << BlockBits);
            const int end = qMin(m_size, first + BlockSize);
            for (int row = first; row < end; ++row)
                f(row, b ? b[row - first] : m_fresh);
        }
    }

private:
    enum BlockState : quint8 { Fresh, Made, Released };

    T *make(size_t block)
    {
        Block values;
        if (!m_spare.empty()) { // fresh already (see free())
            values = std::move(m_spare.back());
            m_spare.pop_back();
        } else {
            // Copies of the fresh value made in place: one pass over new memory, where
            // constructing and then assigning took two (a 1M-task run makes ~250 blocks).
            T *raw = static_cast<T *>(
                    ::operator new(sizeof(T) * BlockSize, std::align_val_t(alignof(T))));
            std::uninitialized_fill_n(raw, BlockSize, m_fresh);
            values.reset(raw);
        }
        m_blocks[block] = std::move(values);
        m_state[block] = Made;
        ++m_liveBlocks;
        return m_blocks[block].get();
    }
    void free(size_t block)
    {
        if (!m_blocks[block])
            return;
        --m_liveBlocks;
        if (m_spare.size() >= MaxSpareBlocks) {
            m_blocks[block].reset();
            return;
        }
        // Kept for the next block made: a run that makes and frees a block every 4,096 tasks
        // then reuses the same few, where handing them to malloc and back left freed blocks
        // scattered over its arenas (a million-task run grew by ~15 MB that way) or, when
        // malloc gave them back to the system, cost their page faults again each time.
        T *values = m_blocks[block].get();
        for (int i = 0; i < BlockSize; ++i)
            values[i] = m_fresh; // what they held (results, messages) goes now
        m_spare.push_back(std::move(m_blocks[block]));
    }

    static constexpr size_t MaxSpareBlocks = 4;

    struct DestroyBlock
    {
        void operator()(T *values) const
        {
            std::destroy_n(values, BlockSize);
            ::operator delete(values, std::align_val_t(alignof(T)));
        }
    };
    using Block = std::unique_ptr<T, DestroyBlock>;

    std::vector<Block> m_blocks; // null: not made, or released
    std::vector<Block> m_spare;  // freed blocks, fresh, for make()
    std::vector<quint8> m_state; // BlockState of each block
    int m_size = 0;
    int m_liveBlocks = 0;
    T m_released;
    T m_fresh;
    T m_scratch{};
};

} // namespace Brigade
