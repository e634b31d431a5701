#include "Reducer.h"

namespace Brigade {

bool Reducer::merge(QByteArrayView partial, qint64 chunkBytes, ChunkStats *stats)
{
    PartialResult::Reader reader(partial);
    if (!reader.header(stats))
        return false;
    // Sorted results of a sorted input hardly share keys, so the first one tells how many
    // keys there will be: one allocation instead of a dozen rehashes.
    if (!m_sized && stats->sorted && chunkBytes > 0 && reader.keyCount() > 0) {
        m_sized = true;
        const double scale = double(m_inputBytes) / double(chunkBytes) * 1.05;
        m_table.reserve(qint64(double(reader.keyCount()) * scale),
                        qint64(double(reader.keyBytes()) * scale));
    }
    // Keys are hashed and their slots prefetched a few keys ahead of the insert, so the
    // cache misses of consecutive keys overlap instead of adding up.
    constexpr int Ahead = 8;
    struct Pending
    {
        const char *key;
        size_t len;
        quint64 count;
        quint64 hash;
    };
    Pending ring[Ahead];
    int pending = 0;
    int head = 0;
    const char *key;
    size_t len;
    quint64 count;
    while (reader.next(&key, &len, &count)) {
        if (len > CountTable::MaxKeyBytes)
            return false;
        const quint64 hash = CountTable::hash(key, len);
        m_table.prefetch(hash);
        if (pending == Ahead) {
            const Pending &p = ring[head];
            m_table.add(p.key, p.len, p.hash, p.count);
            ring[head] = Pending{key, len, count, hash};
            head = (head + 1) % Ahead;
        } else {
            ring[(head + pending++) % Ahead] = Pending{key, len, count, hash};
        }
    }
    for (int i = 0; i < pending; ++i) {
        const Pending &p = ring[(head + i) % Ahead];
        m_table.add(p.key, p.len, p.hash, p.count);
    }
    return reader.ok();
}

} // namespace Brigade
