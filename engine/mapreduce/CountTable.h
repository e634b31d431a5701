#pragma once

#include <QByteArrayView>
#include <QtGlobal>

#include <cstring>
#include <vector>

namespace Brigade {

// Key -> count, for MapReduce jobs: the map op's table per chunk, and the job's table of
// totals. A flat open-addressing table (linear probing) over three malloc'd arrays:
//
//   slots   u64 per slot: the upper 32 bits of the key's hash, and entry index + 1
//   entries {key offset and length, count}, in insertion order
//   arena   the key bytes, back to back
//
// so a key costs its bytes plus about 32 bytes, whatever the key length, and growing never
// touches the keys (a slot's home is the top bits of its stored hash). Arrays grow with
// realloc, which glibc turns into mremap for large blocks: no copy, no doubled peak.
//
// Not thread-safe; move-only.
class CountTable
{
public:
    // Longer keys do not fit in an entry; callers treat them as bad input.
    static constexpr quint32 MaxKeyBytes = 1u << 20;

    CountTable() = default;
    ~CountTable();
    CountTable(CountTable &&other) noexcept;
    CountTable &operator=(CountTable &&other) noexcept;
    CountTable(const CountTable &) = delete;
    CountTable &operator=(const CountTable &) = delete;

    static quint64 hash(const char *key, size_t len);

    // Adds count to key's total (len <= MaxKeyBytes). A total that would pass 2^64 - 1
    // stays at 2^64 - 1 and sets overflowed().
    void add(const char *key, size_t len, quint64 count) { add(key, len, hash(key, len), count); }
    void add(const char *key, size_t len, quint64 keyHash, quint64 count);
    // Fetches the cache line of key's home slot ahead of add(): merging a partial result
    // is a stream of cache misses otherwise.
    void prefetch(quint64 keyHash) const
    {
        if (m_slots)
            __builtin_prefetch(m_slots + home(keyHash >> 32));
    }

    // The entry index of key, or -1.
    qint64 find(QByteArrayView key) const;

    qint64 size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    QByteArrayView key(qint64 index) const
    {
        const Entry &e = m_entries[index];
        return QByteArrayView(m_arena + (e.keyRef >> LenBits), qsizetype(e.keyRef & LenMask));
    }
    quint64 count(qint64 index) const { return m_entries[index].count; }
    // Sum of all counts (saturating).
    quint64 total() const;
    bool overflowed() const { return m_overflowed; }
    // Bytes of memory held.
    qint64 memoryBytes() const;

    // Entry indexes of the k largest totals, largest first, ties in byte order of the key.
    std::vector<quint32> top(qint64 k) const;
    // All entry indexes in that order.
    std::vector<quint32> sortedOrder() const;
    // Whether entry a comes before entry b in that order.
    bool before(quint32 a, quint32 b) const;

    void clear();
    void reserve(qint64 keys, qint64 keyBytes);

private:
    static constexpr int LenBits = 21; // keys up to MaxKeyBytes
    static constexpr quint64 LenMask = (quint64(1) << LenBits) - 1;

    struct Entry
    {
        quint64 keyRef; // arena offset << LenBits | length
        quint64 count;
    };

    size_t home(quint64 tag) const { return size_t(tag >> (32 - m_bits)); }
    void growSlots(int bits = 0); // 0: double
    void growEntries(qint64 atLeast);
    void growArena(qint64 atLeast);

    quint64 *m_slots = nullptr;
    int m_bits = 0; // slots: 2^m_bits
    qint64 m_size = 0;
    Entry *m_entries = nullptr;
    qint64 m_entryCapacity = 0;
    char *m_arena = nullptr;
    qint64 m_arenaSize = 0;
    qint64 m_arenaCapacity = 0;
    bool m_overflowed = false;
};

} // namespace Brigade
