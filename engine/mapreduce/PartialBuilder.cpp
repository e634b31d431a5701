#include "PartialBuilder.h"

namespace Brigade {

void PartialBuilder::append(const char *key, size_t len, quint64 count)
{
    const qsizetype need = m_used + qsizetype(len) + 13; // two varints, at most 3 + 10 bytes
    if (need > m_body.size())
        m_body.resize(qMax(need, qMax<qsizetype>(m_body.size() * 2, 64 * 1024)));
    char *p = Varint::put(m_body.data() + m_used, len);
    m_prevKey = p - m_body.constData();
    m_prevLen = len;
    std::memcpy(p, key, len);
    p = Varint::put(p + len, count);
    m_used = p - m_body.constData();
    ++m_keys;
    m_keyBytes += len;
}

void PartialBuilder::moveToTable()
{
    m_sorted = false;
    PartialResult::Reader reader(QByteArrayView(m_body.constData(), m_used));
    reader.setKeyCount(m_keys);
    const char *key;
    size_t len;
    quint64 count;
    while (reader.next(&key, &len, &count))
        m_table.add(key, len, count);
    m_body = QByteArray();
    m_used = 0;
    m_keys = 0;
    m_keyBytes = 0;
}

QByteArray PartialBuilder::finish(ChunkStats stats)
{
    if (!m_sorted)
        return PartialResult::encode(m_table, stats);
    stats.sorted = true;
    QByteArray out = PartialResult::header(stats, m_keys, m_keyBytes);
    out.append(m_body.constData(), m_used);
    return out;
}

} // namespace Brigade
