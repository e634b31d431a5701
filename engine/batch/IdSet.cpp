#include "IdSet.h"

#include <QHashFunctions>

#include <algorithm>

namespace Brigade {

namespace {

constexpr int PartBits = 8; // 256 parts: ~4,000 ids each at a million
constexpr size_t Parts = size_t(1) << PartBits;

struct Slot
{
    quint32 hash = 0;
    quint32 index = 0; // 1-based index in ids; 0: empty
};

} // namespace

std::vector<std::pair<size_t, size_t>> IdSet::duplicates(const std::vector<QByteArrayView> &ids)
{
    return duplicates(ids.size(), [&ids](size_t i) { return ids[i]; });
}

std::vector<std::pair<size_t, size_t>>
IdSet::duplicates(size_t count, const std::function<QByteArrayView(size_t)> &idAt)
{
    std::vector<quint32> hashes(count);
    for (size_t i = 0; i < count; ++i) {
        const size_t h = qHash(idAt(i), 0);
        hashes[i] = quint32(h ^ (h >> 32));
    }
    // The ids of each part, in index order (a counting sort on the hash's top bits).
    std::vector<quint32> start(Parts + 1, 0);
    for (const quint32 h : hashes)
        ++start[(h >> (32 - PartBits)) + 1];
    for (size_t p = 0; p < Parts; ++p)
        start[p + 1] += start[p];
    std::vector<quint32> order(count);
    {
        std::vector<quint32> next(start.begin(), start.end() - 1);
        for (size_t i = 0; i < count; ++i)
            order[next[hashes[i] >> (32 - PartBits)]++] = quint32(i);
    }
    std::vector<std::pair<size_t, size_t>> found;
    std::vector<Slot> table;
    for (size_t p = 0; p < Parts; ++p) {
        const size_t count = start[p + 1] - start[p];
        if (count < 2)
            continue;
        size_t size = 16;
        while (size < count * 2) // at most half full: short probes
            size *= 2;
        table.assign(size, Slot{});
        const size_t mask = size - 1;
        for (size_t k = start[p]; k < start[p + 1]; ++k) {
            const quint32 i = order[k];
            const quint32 h = hashes[i];
            for (size_t s = h & mask;; s = (s + 1) & mask) {
                Slot &slot = table[s];
                if (slot.index == 0) {
                    slot = Slot{h, i + 1};
                    break;
                }
                if (slot.hash == h && idAt(slot.index - 1) == idAt(i)) {
                    found.emplace_back(i, slot.index - 1);
                    break;
                }
            }
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

} // namespace Brigade
