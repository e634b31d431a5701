#include "FrameDecoder.h"

#include <QtEndian>

#include <cstring>

namespace Brigade {

void FrameDecoder::feed(const char *data, qsizetype size)
{
    if (hasError() || size <= 0)
        return;
    // Compact now and then so the buffer does not grow with the stream.
    if (m_pos > 0 && (m_pos == m_buffer.size() || m_pos > 1024 * 1024)) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    m_buffer.append(data, size);
}

bool FrameDecoder::next(Frame *frame)
{
    if (hasError())
        return false;
    const qsizetype avail = m_buffer.size() - m_pos;
    if (avail < qsizetype(FrameHeaderSize))
        return false;
    const char *p = m_buffer.constData() + m_pos;
    quint32 length;
    std::memcpy(&length, p, 4);
    length = qFromLittleEndian(length);
    const quint8 type = quint8(p[4]);
    if (type < quint8(FrameType::Hello) || type > quint8(LastFrameType)) {
        m_error = QStringLiteral("corrupt stream: unknown frame type %1").arg(type);
        return false;
    }
    if (length > MaxFramePayload) {
        m_error = QStringLiteral("corrupt stream: frame of %1 bytes exceeds the %2 byte limit")
                          .arg(length)
                          .arg(MaxFramePayload);
        return false;
    }
    if (avail < qsizetype(FrameHeaderSize + length))
        return false;
    frame->type = FrameType(type);
    frame->payload = QByteArray(p + FrameHeaderSize, length);
    m_pos += FrameHeaderSize + length;
    return true;
}

qsizetype beginFrame(QByteArray *out, FrameType type)
{
    const qsizetype start = out->size();
    const char header[FrameHeaderSize] = {0, 0, 0, 0, char(type)};
    out->append(header, FrameHeaderSize);
    return start;
}

void finishFrame(QByteArray *out, qsizetype frameStart)
{
    const quint32 length = quint32(out->size() - frameStart - FrameHeaderSize);
    const quint32 le = qToLittleEndian(length);
    std::memcpy(out->data() + frameStart, &le, 4);
}

void appendFrame(QByteArray *out, FrameType type, const QByteArray &payload)
{
    const qsizetype start = beginFrame(out, type);
    out->append(payload);
    finishFrame(out, start);
}

} // namespace Brigade
