#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtEndian>

#include <cstring>

namespace Brigade {

// Reads what WireWriter wrote. Every read is bounds-checked: past the end, or a length
// longer than what is left, the reader turns !ok() and returns zeros from then on, so a
// corrupt frame is detected without ever reading out of bounds.
class WireReader
{
public:
    explicit WireReader(QByteArrayView data)
        : m_p(data.data())
        , m_end(data.data() + data.size())
    {}

    bool ok() const { return m_ok; }
    bool atEnd() const { return m_p == m_end; }
    qsizetype remaining() const { return m_end - m_p; }

    quint8 u8() { return take<quint8>(); }
    quint16 u16() { return take<quint16>(); }
    quint32 u32() { return take<quint32>(); }
    quint64 u64() { return take<quint64>(); }
    qint64 i64() { return take<qint64>(); }

    // A view into the frame; valid as long as the frame's buffer is.
    QByteArrayView bytesView()
    {
        const quint32 n = u32();
        if (!m_ok || qsizetype(n) > remaining()) {
            fail();
            return {};
        }
        QByteArrayView v(m_p, n);
        m_p += n;
        return v;
    }
    QByteArray bytes() { return bytesView().toByteArray(); }

    void fail()
    {
        m_ok = false;
        m_p = m_end;
    }

private:
    template<typename T>
    T take()
    {
        if (remaining() < qsizetype(sizeof(T))) {
            fail();
            return T(0);
        }
        T v;
        std::memcpy(&v, m_p, sizeof(T));
        m_p += sizeof(T);
        return qFromLittleEndian(v);
    }

    const char *m_p;
    const char *m_end;
    bool m_ok = true;
};

} // namespace Brigade
