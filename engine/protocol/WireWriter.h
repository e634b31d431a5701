#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtEndian>

#include <cstring>

namespace Brigade {

// Appends little-endian fixed-width values and length-prefixed byte strings to a buffer.
// Deliberately not self-describing: a per-task map encoding costs more than the task.
class WireWriter
{
public:
    explicit WireWriter(QByteArray *buffer)
        : m_buf(buffer)
    {}

    void u8(quint8 v) { m_buf->append(char(v)); }
    void u16(quint16 v) { raw(qToLittleEndian(v)); }
    void u32(quint32 v) { raw(qToLittleEndian(v)); }
    void u64(quint64 v) { raw(qToLittleEndian(v)); }
    void i64(qint64 v) { raw(qToLittleEndian(v)); }
    void bytes(QByteArrayView b)
    {
        u32(quint32(b.size()));
        m_buf->append(b.data(), b.size());
    }

private:
    template<typename T>
    void raw(T v)
    {
        char tmp[sizeof(T)];
        std::memcpy(tmp, &v, sizeof(T));
        m_buf->append(tmp, sizeof(T));
    }

    QByteArray *m_buf;
};

} // namespace Brigade
