#include "RowSlotMap.h"

namespace Brigade {

void RowSlotMap::insert(qint32 row, quint32 slot)
{
    Q_ASSERT(row >= 0);
    if ((m_size + 1) * 2 > m_entries.size())
        grow();
    for (size_t i = home(row);; i = (i + 1) & m_mask) {
        Entry &e = m_entries[i];
        if (e.row == row) {
            e.slot = slot;
            return;
        }
        if (e.row < 0) {
            e = Entry{row, slot};
            ++m_size;
            return;
        }
    }
}

bool RowSlotMap::remove(qint32 row)
{
    if (m_entries.empty())
        return false;
    size_t hole = home(row);
    while (m_entries[hole].row != row) {
        if (m_entries[hole].row < 0)
            return false;
        hole = (hole + 1) & m_mask;
    }
    // Backward shift: an entry after the hole moves into it unless its home lies
    // cyclically in (hole, j], where a lookup would stop at the hole before reaching it.
    for (size_t j = (hole + 1) & m_mask; m_entries[j].row >= 0; j = (j + 1) & m_mask) {
        const size_t k = home(m_entries[j].row);
        const bool staysPut = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
        if (!staysPut) {
            m_entries[hole] = m_entries[j];
            hole = j;
        }
    }
    m_entries[hole] = Entry{};
    --m_size;
    return true;
}

void RowSlotMap::grow()
{
    std::vector<Entry> old;
    old.swap(m_entries);
    const size_t capacity = old.empty() ? 64 : old.size() * 2;
    m_entries.assign(capacity, Entry{});
    m_mask = capacity - 1;
    int bits = 0;
    while ((size_t(1) << bits) < capacity)
        ++bits;
    m_shift = 32 - bits;
    m_size = 0;
    for (const Entry &e : old) {
        if (e.row >= 0)
            insert(e.row, e.slot);
    }
}

} // namespace Brigade
