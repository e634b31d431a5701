#pragma once

#include <QtGlobal>

#include <vector>

namespace Brigade {

// Row -> slot of a worker's attempts in flight: an open-addressing table with linear
// probing, a lookup of one or two cache lines where QHash's spans took a few (its lookups
// were 6% of a no-op run's CPU). Rows are >= 0. An erase shifts the entries after it
// back, so no tombstones build up over millions of rows.
class RowSlotMap
{
public:
    static constexpr quint32 NoSlot = ~0u;

    // The slot of row, or NoSlot.
    quint32 find(qint32 row) const
    {
        if (m_entries.empty())
            return NoSlot;
        for (size_t i = home(row);; i = (i + 1) & m_mask) {
            const Entry &e = m_entries[i];
            if (e.row == row)
                return e.slot;
            if (e.row < 0)
                return NoSlot;
        }
    }

    // Sets row's slot (replacing one it had).
    void insert(qint32 row, quint32 slot);
    // Whether row was there.
    bool remove(qint32 row);
    size_t size() const { return m_size; }

private:
    struct Entry
    {
        qint32 row = -1; // -1: empty
        quint32 slot = 0;
    };

    // Fibonacci hashing: consecutive rows (as a worker is given them) spread evenly.
    size_t home(qint32 row) const
    {
        return size_t((quint32(row) * 0x9E3779B9u) >> m_shift) & m_mask;
    }
    void grow();

    std::vector<Entry> m_entries; // a power of two, at most half full
    size_t m_mask = 0;
    int m_shift = 32;
    size_t m_size = 0;
};

} // namespace Brigade
