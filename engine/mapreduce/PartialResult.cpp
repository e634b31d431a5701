#include "PartialResult.h"

#include "CountTable.h"

#include <QtEndian>

#include <cstring>

namespace Brigade {

namespace {

constexpr char Magic[4] = {'B', 'M', 'R', '1'};

template<typename T>
char *putFixed(char *p, T v)
{
    v = qToLittleEndian(v);
    std::memcpy(p, &v, sizeof v);
    return p + sizeof v;
}

} // namespace

QString badLineReasonText(BadLineReason reason)
{
    switch (reason) {
    case BadLineReason::Columns:
        return QStringLiteral("expected 4 tab-separated columns (word, year, match_count, "
                              "volume_count)");
    case BadLineReason::EmptyWord:
        return QStringLiteral("the word is empty");
    case BadLineReason::Year:
        return QStringLiteral("the year is not a whole number");
    case BadLineReason::MatchCount:
        return QStringLiteral("match_count is not a whole number");
    case BadLineReason::VolumeCount:
        return QStringLiteral("volume_count is not a whole number");
    case BadLineReason::CountTooLarge:
        return QStringLiteral("a count has more than 19 digits");
    case BadLineReason::KeyTooLong:
        return QStringLiteral("the word is longer than 1 MiB");
    }
    return QStringLiteral("bad line");
}

QByteArray PartialResult::header(const ChunkStats &stats, quint64 keys, quint64 keyBytes)
{
    const int examples = int(qMin<qsizetype>(stats.examples.size(), ChunkStats::MaxExamples));
    QByteArray out(4 + 8 + 8 + 1 + 1 + examples * 9 + 16, Qt::Uninitialized);
    char *p = out.data();
    std::memcpy(p, Magic, 4);
    p += 4;
    p = putFixed<quint64>(p, stats.lines);
    p = putFixed<quint64>(p, stats.badLines);
    *p++ = char((stats.overflowed ? 1 : 0) | (stats.sorted ? 2 : 0));
    *p++ = char(examples);
    for (int i = 0; i < examples; ++i) {
        p = putFixed<quint64>(p, stats.examples[i].line);
        *p++ = char(stats.examples[i].reason);
    }
    p = putFixed<quint64>(p, keys);
    p = putFixed<quint64>(p, keyBytes);
    Q_ASSERT(p == out.constData() + out.size());
    return out;
}

QByteArray PartialResult::encode(const CountTable &counts, const ChunkStats &stats)
{
    const qint64 n = counts.size();
    qint64 keyBytes = 0;
    for (qint64 i = 0; i < n; ++i)
        keyBytes += counts.key(i).size();
    ChunkStats s = stats;
    s.overflowed = stats.overflowed || counts.overflowed();
    s.sorted = false;
    QByteArray out = header(s, quint64(n), quint64(keyBytes));
    const qsizetype start = out.size();
    // Worst case: 10-byte varints for the count, 3 for a length (keys are at most 1 MiB).
    out.resize(start + qsizetype(keyBytes + n * 13));
    char *p = out.data() + start;
    for (qint64 i = 0; i < n; ++i) {
        const QByteArrayView key = counts.key(i);
        p = Varint::put(p, quint64(key.size()));
        std::memcpy(p, key.data(), size_t(key.size()));
        p += key.size();
        p = Varint::put(p, counts.count(i));
    }
    out.truncate(p - out.constData());
    return out;
}

bool PartialResult::Reader::fixed(void *out, size_t n)
{
    if (size_t(m_end - m_p) < n) {
        m_ok = false;
        return false;
    }
    std::memcpy(out, m_p, n);
    m_p += n;
    return true;
}

bool PartialResult::Reader::header(ChunkStats *stats)
{
    char magic[4];
    quint64 lines = 0, bad = 0;
    quint8 flags = 0, examples = 0;
    if (!fixed(magic, 4) || std::memcmp(magic, Magic, 4) != 0 || !fixed(&lines, 8)
        || !fixed(&bad, 8) || !fixed(&flags, 1) || !fixed(&examples, 1)
        || examples > ChunkStats::MaxExamples) {
        m_ok = false;
        return false;
    }
    stats->lines = qFromLittleEndian(lines);
    stats->badLines = qFromLittleEndian(bad);
    stats->overflowed = (flags & 1) != 0;
    stats->sorted = (flags & 2) != 0;
    stats->examples.clear();
    for (int i = 0; i < examples; ++i) {
        quint64 line = 0;
        quint8 reason = 0;
        if (!fixed(&line, 8) || !fixed(&reason, 1) || reason < quint8(BadLineReason::Columns)
            || reason > quint8(BadLineReason::KeyTooLong)) {
            m_ok = false;
            return false;
        }
        stats->examples.append(BadLine{qFromLittleEndian(line), BadLineReason(reason)});
    }
    if (!fixed(&m_keys, 8) || !fixed(&m_keyBytes, 8)) {
        m_ok = false;
        return false;
    }
    m_keys = qFromLittleEndian(m_keys);
    m_keyBytes = qFromLittleEndian(m_keyBytes);
    // Each key takes at least two bytes: refuse counts the data cannot hold.
    if (m_keys > quint64(m_end - m_p) / 2 || m_keyBytes > quint64(m_end - m_p)) {
        m_ok = false;
        return false;
    }
    return true;
}

} // namespace Brigade
