#include "JournalRecord.h"

namespace Brigade {

namespace {

enum Flag : quint8 {
    StatusMask = 0x07,
    HasError = 0x08,
    HasTransfer = 0x10,
    HasFetch = 0x20,
    HasMessage = 0x40,
    HasHistory = 0x80,
};

// Writes through a raw pointer into room the caller reserved: no bounds check per byte.
inline char *putVarint(char *p, quint64 v)
{
    while (v >= 0x80) {
        *p++ = char(quint8(v) | 0x80);
        v >>= 7;
    }
    *p++ = char(v);
    return p;
}

inline quint64 zigzag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}

void putBytes(ByteSink &out, QByteArrayView bytes)
{
    out.varint(quint64(bytes.size()));
    out.append(bytes);
}

} // namespace

void JournalRecord::write(ByteSink &out, qint64 rowDelta, const TaskState &st,
                          const QList<AttemptRecord> &history)
{
    const bool transfer = st.httpStatus != 0 || st.bytes != -1;
    const quint8 flags
            = quint8(quint8(st.status) & StatusMask) | (st.error != ErrorKind::None ? HasError : 0)
              | (transfer ? HasTransfer : 0) | (st.fetchUs != 0 ? HasFetch : 0)
              | (!st.message.isEmpty() ? HasMessage : 0) | (!history.isEmpty() ? HasHistory : 0);
    // The fixed part: at most 10 bytes for each of the six numbers, one for the flags.
    char *p = out.room(61);
    p = putVarint(p, zigzag(rowDelta));
    *p++ = char(flags);
    p = putVarint(p, st.attempts);
    p = putVarint(p, zigzag(st.worker));
    p = putVarint(p, st.queuedUs);
    p = putVarint(p, st.computeUs);
    p = putVarint(p, quint64(st.result.size()));
    out.advanceTo(p);
    out.append(st.result);
    if (flags & (HasError | HasTransfer | HasFetch)) {
        p = out.room(31);
        if (flags & HasError)
            *p++ = char(st.error);
        if (flags & HasTransfer) {
            p = putVarint(p, st.httpStatus);
            p = putVarint(p, zigzag(st.bytes));
        }
        if (flags & HasFetch)
            p = putVarint(p, st.fetchUs);
        out.advanceTo(p);
    }
    if (flags & HasMessage)
        putBytes(out, st.message.toUtf8());
    if (flags & HasHistory) {
        out.varint(quint64(history.size()));
        for (const AttemptRecord &a : history) {
            out.varint(a.attempt);
            out.varint(zigzag(a.worker));
            out.append(char(a.error));
            out.varint(a.httpStatus);
            out.varint(a.queuedUs);
            out.varint(a.fetchUs);
            out.varint(a.computeUs);
            putBytes(out, a.message.toUtf8());
        }
    }
}

bool JournalRecord::read(WireReader &in, qint64 *rowDelta, TaskState *st,
                         QList<AttemptRecord> *history)
{
    *rowDelta = in.svarint();
    const quint8 flags = in.u8();
    const quint8 status = flags & StatusMask;
    if (status > quint8(TaskStatus::Cancelled) || !isTerminal(TaskStatus(status))) {
        in.fail();
        return false;
    }
    st->status = TaskStatus(status);
    st->attempts = quint16(in.varint());
    st->worker = qint16(in.svarint());
    st->queuedUs = quint32(in.varint());
    st->computeUs = quint32(in.varint());
    st->result = in.varBytesView().toByteArray();
    auto errorKind = [&in](quint8 e) {
        if (e > quint8(ErrorKind::Cancelled))
            in.fail();
        return in.ok() ? ErrorKind(e) : ErrorKind::None;
    };
    if (flags & HasError)
        st->error = errorKind(in.u8());
    if (flags & HasTransfer) {
        st->httpStatus = quint16(in.varint());
        st->bytes = in.svarint();
    }
    if (flags & HasFetch)
        st->fetchUs = quint32(in.varint());
    if (flags & HasMessage)
        st->message = QString::fromUtf8(in.varBytesView());
    history->clear();
    if (flags & HasHistory) {
        const quint64 count = in.varint();
        for (quint64 k = 0; k < count && in.ok(); ++k) {
            AttemptRecord a;
            a.attempt = quint16(in.varint());
            a.worker = qint16(in.svarint());
            a.error = errorKind(in.u8());
            a.httpStatus = quint16(in.varint());
            a.queuedUs = quint32(in.varint());
            a.fetchUs = quint32(in.varint());
            a.computeUs = quint32(in.varint());
            a.message = QString::fromUtf8(in.varBytesView());
            history->append(std::move(a));
        }
    }
    return in.ok();
}

} // namespace Brigade
