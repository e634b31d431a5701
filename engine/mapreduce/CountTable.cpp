#include "CountTable.h"

#include <queue>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <sys/mman.h>

namespace Brigade {

namespace {

constexpr int MinBits = 10;

quint64 load64(const char *p)
{
    quint64 v;
    std::memcpy(&v, p, 8);
    return v;
}

quint32 load32(const char *p)
{
    quint32 v;
    std::memcpy(&v, p, 4);
    return v;
}

// 64x64 -> 128-bit multiply, folded: the core of wyhash-style hashing.
quint64 mix(quint64 a, quint64 b)
{
    __extension__ const unsigned __int128 r = (unsigned __int128)a * b;
    return quint64(r) ^ quint64(r >> 64);
}

// Large arrays ask for transparent huge pages: a 2 MiB page faults in once where 4 KiB
// pages fault 512 times, and the tables are touched all over.
constexpr size_t HugeBytes = size_t(2) << 20;

void adviseHuge(void *p, size_t bytes)
{
    if (bytes < 2 * HugeBytes)
        return;
    const auto begin = (quintptr(p) + HugeBytes - 1) & ~quintptr(HugeBytes - 1);
    const auto end = (quintptr(p) + bytes) & ~quintptr(HugeBytes - 1);
    if (end > begin)
        ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
}

template<typename T>
T *growTo(T *p, qint64 count)
{
    void *q = std::realloc(p, size_t(count) * sizeof(T));
    if (!q)
        throw std::bad_alloc();
    adviseHuge(q, size_t(count) * sizeof(T));
    return static_cast<T *>(q);
}

quint64 *allocSlots(int bits)
{
    const size_t bytes = (size_t(1) << bits) * sizeof(quint64);
    if (bytes < 2 * HugeBytes) {
        auto *p = static_cast<quint64 *>(std::calloc(size_t(1) << bits, sizeof(quint64)));
        if (!p)
            throw std::bad_alloc();
        return p;
    }
    // Zeroed by the kernel, and aligned so that all of it can be huge pages.
    void *p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    adviseHuge(p, bytes);
    return static_cast<quint64 *>(p);
}

void freeSlots(quint64 *p, int bits)
{
    if (!p)
        return;
    const size_t bytes = (size_t(1) << bits) * sizeof(quint64);
    if (bytes < 2 * HugeBytes)
        std::free(p);
    else
        ::munmap(p, bytes);
}

bool keyLess(QByteArrayView a, QByteArrayView b)
{
    const int c = std::memcmp(a.data(), b.data(), size_t(std::min(a.size(), b.size())));
    return c != 0 ? c < 0 : a.size() < b.size();
}

} // namespace

CountTable::~CountTable()
{
    freeSlots(m_slots, m_bits);
    std::free(m_entries);
    std::free(m_arena);
}

CountTable::CountTable(CountTable &&other) noexcept
{
    *this = std::move(other);
}

CountTable &CountTable::operator=(CountTable &&other) noexcept
{
    if (this != &other) {
        freeSlots(m_slots, m_bits);
        std::free(m_entries);
        std::free(m_arena);
        std::memcpy(static_cast<void *>(this), &other, sizeof(CountTable));
        new (&other) CountTable();
    }
    return *this;
}

quint64 CountTable::hash(const char *p, size_t n)
{
    constexpr quint64 K0 = 0xa0761d6478bd642full, K1 = 0xe7037ed1a0b428dbull,
                      K2 = 0x8ebc6af09c88c6e3ull;
    quint64 seed = K0 ^ (quint64(n) * K2);
    quint64 a, b;
    if (n <= 16) {
        if (n >= 8) {
            a = load64(p);
            b = load64(p + n - 8);
        } else if (n >= 4) {
            a = load32(p);
            b = load32(p + n - 4);
        } else if (n > 0) {
            a = (quint64(quint8(p[0])) << 16) | (quint64(quint8(p[n >> 1])) << 8)
                | quint8(p[n - 1]);
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = n;
        while (i > 16) {
            seed = mix(load64(p) ^ K1, load64(p + 8) ^ seed);
            p += 16;
            i -= 16;
        }
        a = load64(p + i - 16);
        b = load64(p + i - 8);
    }
    return mix(K1 ^ quint64(n), mix(a ^ K1, b ^ seed));
}

void CountTable::add(const char *key, size_t len, quint64 keyHash, quint64 count)
{
    Q_ASSERT(len <= MaxKeyBytes);
    if (!m_slots || m_size * 8 >= (qint64(5) << m_bits))
        growSlots(); // load factor at most 5/8: short probes, and tags spare key compares
    const quint64 tag = keyHash >> 32;
    const size_t mask = (size_t(1) << m_bits) - 1;
    for (size_t i = home(tag);; i = (i + 1) & mask) {
        const quint64 slot = m_slots[i];
        if (slot == 0) {
            if (m_size == m_entryCapacity)
                growEntries(m_size + 1);
            if (m_arenaSize + qint64(len) > m_arenaCapacity)
                growArena(m_arenaSize + qint64(len));
            std::memcpy(m_arena + m_arenaSize, key, len);
            m_entries[m_size] = Entry{(quint64(m_arenaSize) << LenBits) | len, count};
            m_arenaSize += qint64(len);
            ++m_size;
            m_slots[i] = (tag << 32) | quint64(m_size);
            return;
        }
        if ((slot >> 32) != tag)
            continue;
        Entry &e = m_entries[(slot & 0xffffffffu) - 1];
        if ((e.keyRef & LenMask) == len
            && std::memcmp(m_arena + (e.keyRef >> LenBits), key, len) == 0) {
            if (__builtin_add_overflow(e.count, count, &e.count)) {
                e.count = ~quint64(0);
                m_overflowed = true;
            }
            return;
        }
    }
}

qint64 CountTable::find(QByteArrayView key) const
{
    if (m_size == 0)
        return -1;
    const quint64 tag = hash(key.data(), size_t(key.size())) >> 32;
    const size_t mask = (size_t(1) << m_bits) - 1;
    for (size_t i = home(tag);; i = (i + 1) & mask) {
        const quint64 slot = m_slots[i];
        if (slot == 0)
            return -1;
        if ((slot >> 32) != tag)
            continue;
        const qint64 index = qint64(slot & 0xffffffffu) - 1;
        if (this->key(index) == key)
            return index;
    }
}

quint64 CountTable::total() const
{
    quint64 sum = 0;
    for (qint64 i = 0; i < m_size; ++i) {
        if (__builtin_add_overflow(sum, m_entries[i].count, &sum))
            return ~quint64(0);
    }
    return sum;
}

qint64 CountTable::memoryBytes() const
{
    return (m_slots ? (qint64(8) << m_bits) : 0) + m_entryCapacity * qint64(sizeof(Entry))
           + m_arenaCapacity;
}

bool CountTable::before(quint32 a, quint32 b) const
{
    const quint64 ca = m_entries[a].count, cb = m_entries[b].count;
    if (ca != cb)
        return ca > cb;
    return keyLess(key(a), key(b));
}

std::vector<quint32> CountTable::top(qint64 k) const
{
    k = std::min(k, m_size);
    if (k <= 0)
        return {};
    // A min-heap of the best k so far: one comparison per entry for all but a few.
    const auto worse = [this](quint32 a, quint32 b) {
        return before(a, b);
    };
    std::priority_queue<quint32, std::vector<quint32>, decltype(worse)> heap(worse);
    for (qint64 i = 0; i < m_size; ++i) {
        if (qint64(heap.size()) < k) {
            heap.push(quint32(i));
        } else if (before(quint32(i), heap.top())) {
            heap.pop();
            heap.push(quint32(i));
        }
    }
    std::vector<quint32> out(heap.size());
    for (size_t i = out.size(); i-- > 0;) {
        out[i] = heap.top();
        heap.pop();
    }
    return out;
}

std::vector<quint32> CountTable::sortedOrder() const
{
    std::vector<quint32> order(static_cast<size_t>(m_size));
    for (qint64 i = 0; i < m_size; ++i)
        order[size_t(i)] = quint32(i);
    std::sort(order.begin(), order.end(), [this](quint32 a, quint32 b) { return before(a, b); });
    return order;
}

void CountTable::clear()
{
    *this = CountTable();
}

void CountTable::reserve(qint64 keys, qint64 keyBytes)
{
    int bits = std::max(m_bits, MinBits);
    while (keys * 8 > (qint64(5) << bits))
        ++bits;
    if (bits != m_bits)
        growSlots(bits);
    if (keys > m_entryCapacity)
        growEntries(keys);
    if (keyBytes > m_arenaCapacity)
        growArena(keyBytes);
}

void CountTable::growSlots(int bits)
{
    if (bits == 0)
        bits = m_bits == 0 ? MinBits : m_bits + 1;
    Q_ASSERT(bits <= 32);
    quint64 *fresh = allocSlots(bits);
    const size_t mask = (size_t(1) << bits) - 1;
    // Homes come from the stored hash bits: no key is looked at.
    for (size_t i = 0, n = m_slots ? size_t(1) << m_bits : 0; i < n; ++i) {
        const quint64 slot = m_slots[i];
        if (slot == 0)
            continue;
        size_t j = size_t((slot >> 32) >> (32 - bits));
        while (fresh[j] != 0)
            j = (j + 1) & mask;
        fresh[j] = slot;
    }
    freeSlots(m_slots, m_bits);
    m_slots = fresh;
    m_bits = bits;
}

void CountTable::growEntries(qint64 atLeast)
{
    const qint64 capacity = std::max<qint64>({atLeast, m_entryCapacity * 2, 1024});
    m_entries = growTo(m_entries, capacity);
    m_entryCapacity = capacity;
}

void CountTable::growArena(qint64 atLeast)
{
    const qint64 capacity = std::max<qint64>({atLeast, m_arenaCapacity * 2, 16384});
    m_arena = growTo(m_arena, capacity);
    m_arenaCapacity = capacity;
}

} // namespace Brigade
