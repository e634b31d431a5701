#pragma once

#include "encoding/Varint.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QVector>

namespace Brigade {

class CountTable;

// Why a line of an input was not counted.
enum class BadLineReason : quint8 {
    Columns = 1,   // not 4 tab-separated columns
    EmptyWord,     // the first column is empty
    Year,          // the year is not a whole number
    MatchCount,    // match_count is not a whole number
    VolumeCount,   // volume_count is not a whole number
    CountTooLarge, // a count with more than 19 digits
    KeyTooLong,    // a word longer than CountTable::MaxKeyBytes
};

QString badLineReasonText(BadLineReason reason);

struct BadLine
{
    quint64 line = 0; // 0-based, counted from the chunk's first line (the job makes it global)
    BadLineReason reason = BadLineReason::Columns;
};

// What a map task saw besides the counts.
struct ChunkStats
{
    static constexpr int MaxExamples = 10;

    quint64 lines = 0;         // lines that start in the chunk, empty ones included
    quint64 badLines = 0;      // lines not counted (not empty ones)
    bool overflowed = false;   // a sum passed 2^64 - 1 and was capped
    bool sorted = false;       // the keys are in strictly increasing byte order
    QVector<BadLine> examples; // the first MaxExamples bad lines
};

// A map task's result: its counts and stats in a compact binary form, not JSON (a chunk
// of a large file may have hundreds of thousands of keys):
//
//   "BMR1" | u64 lines | u64 badLines | u8 flags (1: overflowed, 2: sorted) | u8 n
//   | n x (u64 line, u8 reason) | u64 keys | u64 key bytes
//   | keys x (varint length, bytes, varint count)
//
// little endian; varints are LEB128. A key may appear more than once (its counts add up).
class PartialResult
{
public:
    static QByteArray encode(const CountTable &counts, const ChunkStats &stats);
    // The header for keys already encoded as (varint length, bytes, varint count).
    static QByteArray header(const ChunkStats &stats, quint64 keys, quint64 keyBytes);

    // Reads one result: header() first, then next() until it returns false, then ok().
    // Every read is bounds-checked (the bytes come from another process).
    class Reader
    {
    public:
        explicit Reader(QByteArrayView data)
            : m_p(reinterpret_cast<const quint8 *>(data.data()))
            , m_end(m_p + data.size())
        {}

        bool header(ChunkStats *stats);
        // Instead of header(): reads bare pairs, this many.
        void setKeyCount(quint64 keys) { m_keys = keys; }
        quint64 keyCount() const { return m_keys; }
        quint64 keyBytes() const { return m_keyBytes; }

        bool next(const char **key, size_t *len, quint64 *count)
        {
            if (m_read == m_keys || !m_ok)
                return false;
            quint64 n = 0;
            if (!varint(&n) || n > quint64(m_end - m_p)) {
                m_ok = false;
                return false;
            }
            *key = reinterpret_cast<const char *>(m_p);
            *len = size_t(n);
            m_p += n;
            if (!varint(count)) {
                m_ok = false;
                return false;
            }
            ++m_read;
            return true;
        }
        // Every key was read and nothing is left over.
        bool ok() const { return m_ok && m_read == m_keys && m_p == m_end; }

    private:
        bool varint(quint64 *out) { return Varint::read(&m_p, m_end, out); }
        bool fixed(void *out, size_t n);

        const quint8 *m_p;
        const quint8 *m_end;
        quint64 m_keys = 0;
        quint64 m_keyBytes = 0;
        quint64 m_read = 0;
        bool m_ok = true;
    };
};

} // namespace Brigade
