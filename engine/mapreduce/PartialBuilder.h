#pragma once

#include "CountTable.h"
#include "PartialResult.h"

#include <QByteArray>

#include <cstring>

namespace Brigade {

// Collects a chunk's (key, count) pairs into a PartialResult.
//
// In a sorted input (the n-gram files are sorted by word) the map hands over one pair per
// word, in increasing byte order: those are encoded as they come, with no hash table, which
// would cost a cache miss per word. The first key out of order moves what was collected
// into a CountTable, and the rest goes there too.
class PartialBuilder
{
public:
    // expectSorted: try the table-free way first.
    explicit PartialBuilder(bool expectSorted)
        : m_sorted(expectSorted)
    {}

    void add(const char *key, size_t len, quint64 count)
    {
        if (m_sorted) {
            if (m_keys == 0 || comesAfterPrevious(key, len)) {
                append(key, len, count);
                return;
            }
            moveToTable();
        }
        m_table.add(key, len, count);
    }

    // The encoded result, with stats (whose sorted flag this sets).
    QByteArray finish(ChunkStats stats);

private:
    bool comesAfterPrevious(const char *key, size_t len) const
    {
        const char *prev = m_body.constData() + m_prevKey;
        const int c = std::memcmp(prev, key, qMin(len, m_prevLen));
        return c < 0 || (c == 0 && m_prevLen < len);
    }
    void append(const char *key, size_t len, quint64 count);
    void moveToTable();

    bool m_sorted;
    QByteArray m_body; // encoded pairs, m_used bytes of it
    qsizetype m_used = 0;
    qsizetype m_prevKey = 0; // where the last key's bytes are in m_body
    size_t m_prevLen = 0;
    quint64 m_keys = 0;
    quint64 m_keyBytes = 0;
    CountTable m_table;
};

} // namespace Brigade
