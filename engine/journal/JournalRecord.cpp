#include "JournalRecord.h"

namespace Brigade {

namespace {

enum Flag : quint8 {
    StatusMask = 0x07,
    SameAttempts = 0x08,
    SameWorker = 0x10,
    SameCompute = 0x20,
    SameResult = 0x40,
    HasMore = 0x80,
};

enum More : quint8 {
    HasError = 0x01,
    HasTransfer = 0x02,
    HasFetch = 0x04,
    HasMessage = 0x08,
    HasHistory = 0x10,
    HasProcess = 0x20, // commands and program calls: exit codes, stderr tails
    KnownMore = 0x3f,
};

enum ProcessField : quint8 {
    HasExitCode = 0x01,
    HasSignal = 0x02,
    HasCommand = 0x04,
    HasStdout = 0x08,
    HasStderr = 0x10,
    KnownProcessFields = 0x1f,
};

using Varint::zigzag;

void putBytes(ByteSink &out, QByteArrayView bytes)
{
    out.varint(quint64(bytes.size()));
    out.append(bytes);
}

void putProcess(ByteSink &out, const ProcessOutcome &p)
{
    const quint8 fields = (p.exitCode != ProcessOutcome::NoExitCode ? HasExitCode : 0)
                          | (p.signal ? HasSignal : 0) | (!p.command.isEmpty() ? HasCommand : 0)
                          | (!p.stdoutTail.isEmpty() ? HasStdout : 0)
                          | (!p.stderrTail.isEmpty() ? HasStderr : 0);
    out.append(char(fields));
    if (fields & HasExitCode)
        out.varint(zigzag(p.exitCode));
    if (fields & HasSignal)
        out.append(char(p.signal));
    if (fields & HasCommand)
        putBytes(out, p.command.toUtf8());
    if (fields & HasStdout)
        putBytes(out, p.stdoutTail);
    if (fields & HasStderr)
        putBytes(out, p.stderrTail);
}

bool readProcess(WireReader &in, ProcessOutcome *p)
{
    const quint8 fields = in.u8();
    if (fields & ~KnownProcessFields) {
        in.fail();
        return false;
    }
    *p = ProcessOutcome{};
    if (fields & HasExitCode)
        p->exitCode = qint32(in.svarint());
    if (fields & HasSignal)
        p->signal = in.u8();
    if (fields & HasCommand)
        p->command = QString::fromUtf8(in.varBytesView());
    if (fields & HasStdout)
        p->stdoutTail = in.varBytesView().toByteArray();
    if (fields & HasStderr)
        p->stderrTail = in.varBytesView().toByteArray();
    return in.ok();
}

} // namespace

void JournalRecord::write(ByteSink &out, qint64 rowDelta, const TaskState &st,
                          const QList<AttemptRecord> &history, const ProcessOutcome *process)
{
    bool anyProcess = process && !process->isEmpty();
    for (const AttemptRecord &a : history)
        anyProcess = anyProcess || !a.process.isEmpty();
    const quint8 more = (st.error != ErrorKind::None ? HasError : 0) | (anyProcess ? HasProcess : 0)
                        | (st.httpStatus != 0 || st.bytes != -1 ? HasTransfer : 0)
                        | (st.fetchUs != 0 ? HasFetch : 0)
                        | (!st.message.isEmpty() ? HasMessage : 0)
                        | (!history.isEmpty() ? HasHistory : 0);
    quint8 flags = quint8(quint8(st.status) & StatusMask) | (more ? HasMore : 0);
    if (m_havePrevious) {
        flags |= (st.attempts == m_attempts ? SameAttempts : 0)
                 | (st.worker == m_worker ? SameWorker : 0)
                 | (st.computeUs == m_computeUs ? SameCompute : 0)
                 | (st.result == m_result ? SameResult : 0);
    }
    // The fixed part: at most 10 bytes for each of five numbers, two flag bytes.
    char *p = out.room(52);
    p = Varint::put(p, zigzag(rowDelta));
    *p++ = char(flags);
    if (more)
        *p++ = char(more);
    p = Varint::put(p, st.queuedUs);
    if (!(flags & SameAttempts))
        p = Varint::put(p, st.attempts);
    if (!(flags & SameWorker))
        p = Varint::put(p, zigzag(st.worker));
    if (!(flags & SameCompute))
        p = Varint::put(p, st.computeUs);
    out.advanceTo(p);
    if (!(flags & SameResult))
        putBytes(out, st.result);
    m_havePrevious = true;
    m_attempts = st.attempts;
    m_worker = st.worker;
    m_computeUs = st.computeUs;
    if (!(flags & SameResult))
        m_result = st.result;
    if (!more)
        return;
    p = out.room(31);
    if (more & HasError)
        *p++ = char(st.error);
    if (more & HasTransfer) {
        p = Varint::put(p, st.httpStatus);
        p = Varint::put(p, zigzag(st.bytes));
    }
    if (more & HasFetch)
        p = Varint::put(p, st.fetchUs);
    out.advanceTo(p);
    if (more & HasMessage)
        putBytes(out, st.message.toUtf8());
    if (more & HasHistory) {
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
            if (more & HasProcess)
                putProcess(out, a.process);
        }
    }
    if (more & HasProcess)
        putProcess(out, process ? *process : ProcessOutcome{});
}

bool JournalRecord::read(WireReader &in, qint64 *rowDelta, TaskState *st,
                         QList<AttemptRecord> *history, ProcessOutcome *process)
{
    *rowDelta = in.svarint();
    const quint8 flags = in.u8();
    const quint8 more = (flags & HasMore) ? in.u8() : 0;
    const quint8 status = flags & StatusMask;
    const bool sameAny = flags & (SameAttempts | SameWorker | SameCompute | SameResult);
    if (status > quint8(TaskStatus::Skipped) || !isTerminal(TaskStatus(status))
        || (more & ~KnownMore) || ((flags & HasMore) && !more) || (sameAny && !m_havePrevious)) {
        in.fail();
        return false;
    }
    st->status = TaskStatus(status);
    st->queuedUs = quint32(in.varint());
    st->attempts = (flags & SameAttempts) ? m_attempts : quint16(in.varint());
    st->worker = (flags & SameWorker) ? m_worker : qint16(in.svarint());
    st->computeUs = (flags & SameCompute) ? m_computeUs : quint32(in.varint());
    st->result = (flags & SameResult) ? m_result : in.varBytesView().toByteArray();
    m_havePrevious = true;
    m_attempts = st->attempts;
    m_worker = st->worker;
    m_computeUs = st->computeUs;
    m_result = st->result;
    auto errorKind = [&in](quint8 e) {
        if (e > quint8(LastErrorKind))
            in.fail();
        return in.ok() ? ErrorKind(e) : ErrorKind::None;
    };
    if (more & HasError)
        st->error = errorKind(in.u8());
    if (more & HasTransfer) {
        st->httpStatus = quint16(in.varint());
        st->bytes = in.svarint();
    }
    if (more & HasFetch)
        st->fetchUs = quint32(in.varint());
    if (more & HasMessage)
        st->message = QString::fromUtf8(in.varBytesView());
    history->clear();
    if (more & HasHistory) {
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
            if (more & HasProcess)
                readProcess(in, &a.process);
            history->append(std::move(a));
        }
    }
    *process = ProcessOutcome{};
    if (more & HasProcess)
        readProcess(in, process);
    return in.ok();
}

} // namespace Brigade
