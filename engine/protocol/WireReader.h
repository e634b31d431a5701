#pragma once

#include "encoding/Varint.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringDecoder>
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

    quint64 varint()
    {
        quint64 v = 0;
        if (!Varint::read(&m_p, m_end, &v)) {
            fail(); // cut short, or more than ten bytes: not something WireWriter wrote
            return 0;
        }
        return v;
    }
    qint64 svarint() { return Varint::unzigzag(varint()); }
    // A view into the frame; valid as long as the frame's buffer is.
    QByteArrayView bytesView() { return view(u32()); }
    QByteArrayView varBytesView()
    {
        const quint64 n = varint();
        return view(n > quint64(remaining()) ? quint64(remaining()) + 1 : n);
    }
    QByteArray bytes() { return bytesView().toByteArray(); }
    // A string that must come back as the same bytes: anything but UTF-8 fails the reader.
    QString utf8()
    {
        // Stateless: a sequence cut off at the end is an error, not kept for bytes that never
        // come. A leading BOM is text like any other: the writer's bytes must come back whole.
        QStringDecoder decoder(QStringDecoder::Utf8,
                               QStringDecoder::Flag::Stateless
                                       | QStringDecoder::Flag::ConvertInitialBom);
        QString text = decoder(bytesView());
        if (decoder.hasError())
            fail();
        return text;
    }

    void fail()
    {
        m_ok = false;
        m_p = m_end;
    }

private:
    QByteArrayView view(quint64 n)
    {
        if (!m_ok || n > quint64(remaining())) {
            fail();
            return {};
        }
        QByteArrayView v(m_p, qsizetype(n));
        m_p += n;
        return v;
    }

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
