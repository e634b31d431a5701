#pragma once

#include "core/ByteSink.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QtEndian>

#include <cstring>

namespace Brigade {

// Appends little-endian fixed-width values and length-prefixed byte strings to a buffer.
// Deliberately not self-describing: a per-task map encoding costs more than the task.
// Like ByteSink, it owns the buffer's end until it is destroyed.
class WireWriter
{
public:
    explicit WireWriter(QByteArray *buffer)
        : m_sink(buffer)
    {}

    void u8(quint8 v) { m_sink.append(char(v)); }
    void u16(quint16 v) { raw(qToLittleEndian(v)); }
    void u32(quint32 v) { raw(qToLittleEndian(v)); }
    void u64(quint64 v) { raw(qToLittleEndian(v)); }
    void i64(qint64 v) { raw(qToLittleEndian(v)); }
    void bytes(QByteArrayView b)
    {
        u32(quint32(b.size()));
        m_sink.append(b.data(), b.size());
    }
    // LEB128: small numbers in one byte. The journal's records are mostly small numbers.
    void varint(quint64 v) { m_sink.varint(v); }
    // Signed values as zigzag varints: -1 is one byte, not ten.
    void svarint(qint64 v) { varint(Varint::zigzag(v)); }
    void varBytes(QByteArrayView b)
    {
        varint(quint64(b.size()));
        m_sink.append(b.data(), b.size());
    }
    qsizetype size() const { return m_sink.size(); }
    // Overwrites a u32 written earlier at pos (e.g. a count known only at the end).
    void patchU32(qsizetype pos, quint32 v)
    {
        const quint32 le = qToLittleEndian(v);
        std::memcpy(m_sink.at(pos), &le, 4);
    }
    void commit() { m_sink.commit(); }

private:
    template<typename T>
    void raw(T v)
    {
        std::memcpy(m_sink.grow(sizeof(T)), &v, sizeof(T));
    }

    ByteSink m_sink;
};

} // namespace Brigade
