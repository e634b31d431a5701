#include "Messages.h"

#include "WireReader.h"
#include "WireWriter.h"
#include "compute/ComputeRegistry.h"
#include "usercode/TaskContext.h"

#include <QtEndian>

#include <array>
#include <cstring>

namespace Brigade::Wire {

namespace {

// Upper bound on entries per frame, so a corrupt count cannot make us reserve gigabytes.
constexpr quint32 MaxEntries = 4 * 1024 * 1024;
// The fewest bytes one entry takes on the wire. A count the payload cannot hold is
// rejected before anything is reserved: 9 bytes claiming 4M results would otherwise cost
// a 300 MB allocation (found by fuzz_frames, where it cut the rate tenfold).
constexpr qsizetype MinAssignBytes = 4 + 2 + 4 + 1 + 1 + 4 + 4;
constexpr qsizetype MinResultBytes = 4 + 2 + 1 + 2 + 4 + 8 + 4 + 4 + 4 + 4 + 1;
constexpr quint32 MaxPrograms = 1024;

// The flags byte of a result entry.
enum ResultFlags : quint8 { RetryMask = 0x03, HasProcess = 0x04, KnownResultFlags = 0x07 };

void str(WireWriter &w, const QString &s)
{
    w.bytes(s.toUtf8());
}

// Strings are UTF-8 on the wire; anything else fails the frame rather than coming back
// as different bytes.
QString str(WireReader &r)
{
    return r.utf8();
}

// What a URL fetch asks beyond a GET: a flags byte, then only the fields it sets.
enum HttpFlag : quint16 {
    HasMethod = 1,
    HasBody = 2,
    HasBodyFile = 4,
    HasCredentials = 8,
    HasNetrc = 16,
    NoDecompress = 32,
    HasMaxRedirects = 64,
    HasHttpVersion = 128,
    HasUnsetVariable = 256,
    KnownHttpFlags = 511,
};

void writeHttp(WireWriter &w, const HttpOptions &h)
{
    const HttpOptions none;
    const quint16 flags = (h.method != none.method ? HasMethod : 0)
                          | (!h.body.isEmpty() ? HasBody : 0)
                          | (!h.bodyFile.isEmpty() ? HasBodyFile : 0)
                          | (!h.user.isEmpty() || !h.password.isEmpty() ? HasCredentials : 0)
                          | (h.netrc ? HasNetrc : 0) | (!h.decompress ? NoDecompress : 0)
                          | (h.maxRedirects != none.maxRedirects ? HasMaxRedirects : 0)
                          | (h.httpVersion != none.httpVersion ? HasHttpVersion : 0)
                          | (!h.unsetVariable.isEmpty() ? HasUnsetVariable : 0);
    w.u16(flags);
    if (flags & HasMethod)
        w.u8(quint8(h.method));
    if (flags & HasBody)
        w.bytes(h.body);
    if (flags & HasBodyFile)
        str(w, h.bodyFile);
    if (flags & HasCredentials) {
        w.bytes(h.user);
        w.bytes(h.password);
    }
    if (flags & HasNetrc)
        str(w, h.netrcFile);
    if (flags & HasMaxRedirects)
        w.u16(quint16(h.maxRedirects));
    if (flags & HasHttpVersion)
        w.u8(quint8(h.httpVersion));
    if (flags & HasUnsetVariable)
        w.bytes(h.unsetVariable);
}

bool readHttp(WireReader &r, HttpOptions *h)
{
    // Only what writeHttp writes is accepted: an unknown flag, or a flag whose field holds
    // the default, would be dropped by the next hop's encoder and mean something else there.
    const HttpOptions none;
    const quint16 flags = r.u16();
    if (flags & ~KnownHttpFlags)
        return false;
    if (flags & HasMethod) {
        const quint8 method = r.u8();
        if (method >= HttpMethodCount || HttpMethod(method) == none.method)
            return false;
        h->method = HttpMethod(method);
    }
    if (flags & HasBody) {
        h->body = r.bytes();
        if (h->body.isEmpty())
            return false;
    }
    if (flags & HasBodyFile) {
        h->bodyFile = str(r);
        if (h->bodyFile.isEmpty())
            return false;
    }
    if (flags & HasCredentials) {
        h->user = r.bytes();
        h->password = r.bytes();
        if (h->user.isEmpty() && h->password.isEmpty())
            return false;
    }
    if (flags & HasNetrc) {
        h->netrc = true;
        h->netrcFile = str(r);
    }
    h->decompress = !(flags & NoDecompress);
    if (flags & HasMaxRedirects) {
        const quint16 n = r.u16();
        if (n > 0x7fff || qint16(n) == none.maxRedirects)
            return false;
        h->maxRedirects = qint16(n);
    }
    if (flags & HasHttpVersion) {
        const quint8 version = r.u8();
        if (version >= HttpVersionCount || HttpVersion(version) == none.httpVersion)
            return false;
        h->httpVersion = HttpVersion(version);
    }
    if (flags & HasUnsetVariable) {
        h->unsetVariable = r.bytes();
        if (h->unsetVariable.isEmpty())
            return false;
    }
    return r.ok();
}

} // namespace

void encodeHello(QByteArray *out, const HelloMsg &m)
{
    const qsizetype f = beginFrame(out, FrameType::Hello);
    WireWriter w(out);
    w.u32(m.magic);
    w.u16(m.version);
    str(w, m.host);
    w.u32(m.pid);
    w.u16(m.cores);
    str(w, m.slurmJobId);
    str(w, m.workerVersion);
    w.commit();
    finishFrame(out, f);
}

bool decodeHello(const QByteArray &payload, HelloMsg *m)
{
    WireReader r(payload);
    m->magic = r.u32();
    m->version = r.u16();
    if (!r.ok() || m->magic != ProtocolMagic)
        return false;
    if (m->version != ProtocolVersion)
        return true; // caller reports the version mismatch in words
    m->host = str(r);
    m->pid = r.u32();
    m->cores = r.u16();
    m->slurmJobId = str(r);
    m->workerVersion = str(r);
    return r.ok() && r.atEnd();
}

void encodeConfigure(QByteArray *out, const ConfigureMsg &m)
{
    const qsizetype f = beginFrame(out, FrameType::Configure);
    WireWriter w(out);
    w.u32(m.concurrency);
    w.u16(m.computeThreads);
    w.i64(m.defaultMaxBytes);
    w.u32(m.heartbeatMs);
    w.u32(m.flushUs);
    w.u32(m.seed);
    w.u32(m.maxHostConnections);
    w.u8(quint8(m.httpVersion));
    w.u8(m.insecure ? 1 : 0);
    w.bytes(m.caCertificates);
    w.bytes(m.proxy);
    w.u16(m.workerSlot);
    w.u32(quint32(m.programs.size()));
    for (const ProgramSpec &p : m.programs)
        p.encode(w);
    w.commit();
    finishFrame(out, f);
}

bool decodeConfigure(const QByteArray &payload, ConfigureMsg *m)
{
    WireReader r(payload);
    m->concurrency = r.u32();
    m->computeThreads = r.u16();
    m->defaultMaxBytes = r.i64();
    m->heartbeatMs = r.u32();
    m->flushUs = r.u32();
    m->seed = r.u32();
    m->maxHostConnections = r.u32();
    const quint8 version = r.u8();
    m->httpVersion = HttpVersion(version);
    const quint8 insecure = r.u8();
    m->insecure = insecure != 0;
    m->caCertificates = r.bytes();
    m->proxy = r.bytes();
    m->workerSlot = r.u16();
    const quint32 programs = r.u32();
    if (!r.ok() || programs > MaxPrograms)
        return false;
    m->programs.clear();
    for (quint32 i = 0; i < programs && r.ok(); ++i) {
        ProgramSpec p;
        if (!p.decode(r))
            return false;
        m->programs.append(std::move(p));
    }
    return r.ok() && r.atEnd() && m->computeThreads > 0 && m->computeThreads <= 1024
           && m->defaultMaxBytes > 0 && version < HttpVersionCount && insecure <= 1;
}

AssignBuilder::AssignBuilder(QByteArray *out)
    : m_out(out)
    , m_start(beginFrame(out, FrameType::Assign))
    , m_w(out)
{
    m_countPos = m_w.size();
    m_w.u32(0);
}

void AssignBuilder::add(const AssignTask &t)
{
    WireWriter &w = m_w;
    w.u32(quint32(t.row));
    w.u16(t.attempt);
    w.u32(t.timeoutMs);
    w.u8(quint8(t.fetchKind));
    if (t.fetchKind == FetchKind::Delay) {
        w.u32(t.delayMinMs);
        w.u32(t.delayMaxMs);
        w.u32(t.failPpm);
    } else if (t.fetchKind == FetchKind::Url) {
        w.bytes(t.url);
        w.i64(t.maxBytes);
        w.u16(quint16(t.headers.size()));
        for (const auto &h : t.headers) {
            w.bytes(h.first);
            w.bytes(h.second);
        }
        writeHttp(w, t.http);
    }
    w.u8(t.op);
    w.bytes(t.params);
    w.bytes(t.input);
    ++m_count;
}

void AssignBuilder::add(qint32 row, quint16 attempt, quint32 timeoutMs, const TaskShape &shape,
                        QByteArrayView url, qint64 maxBytes, QByteArrayView input)
{
    WireWriter &w = m_w;
    const FetchSpec &f = shape.fetch;
    w.u32(quint32(row));
    w.u16(attempt);
    w.u32(timeoutMs);
    w.u8(quint8(f.kind));
    if (f.kind == FetchKind::Delay) {
        w.u32(f.delayMinMs);
        w.u32(f.delayMaxMs);
        w.u32(f.failPpm);
    } else if (f.kind == FetchKind::Url) {
        w.bytes(url);
        w.i64(maxBytes);
        w.u16(quint16(f.headers().size() + f.secretHeaders().size()));
        for (const HeaderList *list : {&f.headers(), &f.secretHeaders()}) {
            for (const auto &h : *list) {
                w.bytes(h.first);
                w.bytes(h.second);
            }
        }
        writeHttp(w, f.http());
    }
    w.u8(shape.compute.op);
    w.bytes(shape.compute.params);
    w.bytes(input);
    ++m_count;
}

QByteArray AssignBuilder::inputOf(const TaskSpec &spec)
{
    enum class Input : quint8 { None, Id, Context };
    // Per op id, looked up once: this runs for every attempt the engine hands out.
    static const std::array<Input, 256> kinds = [] {
        std::array<Input, 256> k{};
        for (int id = 1; id < 256; ++id) {
            const ComputeOp *op = ComputeRegistry::instance().op(quint8(id));
            k[size_t(id)] = !op                  ? Input::None
                            : op->hasOwnRunner() ? Input::Context
                            : op->usesInput()    ? Input::Id
                                                 : Input::None;
        }
        return k;
    }();
    const TaskShape &shape = *spec.shape;
    switch (kinds[shape.compute.op]) {
    case Input::None:
        return {};
    case Input::Id:
        return shape.fetch.kind == FetchKind::Url ? QByteArray() : spec.id.toUtf8();
    case Input::Context:
        return TaskContext::encode(spec.id, spec.input);
    }
    return {};
}

qsizetype AssignBuilder::bytes() const
{
    return m_w.size() - m_start;
}

void AssignBuilder::finish()
{
    m_w.patchU32(m_countPos, quint32(m_count));
    m_w.commit();
    finishFrame(m_out, m_start);
}

bool decodeAssign(const QByteArray &payload, QVector<AssignTask> *tasks)
{
    WireReader r(payload);
    const quint32 n = r.u32();
    if (!r.ok() || n > MaxEntries || qsizetype(n) > r.remaining() / MinAssignBytes)
        return false;
    tasks->reserve(tasks->size() + n);
    // Tasks of one shape carry the same params: they share one copy, not one each.
    QByteArray lastParams;
    for (quint32 i = 0; i < n && r.ok(); ++i) {
        AssignTask t;
        t.row = qint32(r.u32());
        t.attempt = r.u16();
        t.timeoutMs = r.u32();
        const quint8 kind = r.u8();
        if (kind > quint8(FetchKind::Url) || t.row < 0)
            return false;
        t.fetchKind = FetchKind(kind);
        if (t.fetchKind == FetchKind::Delay) {
            t.delayMinMs = r.u32();
            t.delayMaxMs = r.u32();
            t.failPpm = r.u32();
            if (t.delayMinMs > t.delayMaxMs || t.failPpm > 1000000)
                return false;
        } else if (t.fetchKind == FetchKind::Url) {
            t.url = r.bytes();
            t.maxBytes = r.i64();
            const quint16 nh = r.u16();
            for (quint16 h = 0; h < nh && r.ok(); ++h) {
                QByteArray k = r.bytes();
                QByteArray v = r.bytes();
                t.headers.append({k, v});
            }
            if (!readHttp(r, &t.http))
                return false;
        }
        t.op = r.u8();
        const QByteArrayView params = r.bytesView();
        if (lastParams.isNull() || params != QByteArrayView(lastParams))
            lastParams = params.toByteArray();
        t.params = lastParams;
        t.input = r.bytes();
        tasks->append(std::move(t));
    }
    return r.ok() && r.atEnd();
}

void encodeCancel(QByteArray *out, const QVector<CancelEntry> &entries)
{
    const qsizetype f = beginFrame(out, FrameType::Cancel);
    WireWriter w(out);
    w.u32(quint32(entries.size()));
    for (const CancelEntry &e : entries) {
        w.u32(quint32(e.row));
        w.u16(e.attempt);
    }
    w.commit();
    finishFrame(out, f);
}

bool decodeCancel(const QByteArray &payload, QVector<CancelEntry> *entries)
{
    WireReader r(payload);
    const quint32 n = r.u32();
    if (!r.ok() || qsizetype(n) * 6 != r.remaining())
        return false;
    entries->reserve(n);
    for (quint32 i = 0; i < n; ++i) {
        CancelEntry e;
        e.row = qint32(r.u32());
        e.attempt = r.u16();
        entries->append(e);
    }
    return r.ok();
}

void encodeResults(QByteArray *out, const QVector<AttemptResult> &results)
{
    const qsizetype f = beginFrame(out, FrameType::Results);
    WireWriter w(out);
    w.u32(quint32(results.size()));
    for (const AttemptResult &a : results) {
        w.u32(quint32(a.row));
        w.u16(a.attempt);
        w.u8(quint8(a.error));
        w.u16(a.httpStatus);
        w.u32(a.retryAfterMs);
        w.i64(a.bytes);
        w.u32(a.fetchUs);
        w.u32(a.computeUs);
        w.bytes(a.result);
        w.bytes(a.message.isEmpty() ? QByteArray() : a.message.toUtf8());
        const bool process = a.hasProcess();
        w.u8(quint8(a.retry) | (process ? HasProcess : 0));
        if (process) {
            w.u32(quint32(a.process->exitCode));
            w.u8(a.process->signal);
            w.bytes(a.process->command.toUtf8());
            w.bytes(a.process->stdoutTail);
            w.bytes(a.process->stderrTail);
        }
    }
    w.commit();
    finishFrame(out, f);
}

bool decodeResults(const QByteArray &payload, QVector<AttemptResult> *results)
{
    WireReader r(payload);
    const quint32 n = r.u32();
    if (!r.ok() || n > MaxEntries || qsizetype(n) > r.remaining() / MinResultBytes)
        return false;
    results->reserve(results->size() + n);
    // Many tasks of a batch return the same short value ("0", "true", a status): those
    // share one buffer instead of allocating one per task, which also keeps a
    // million-task store small.
    QByteArray previous;
    for (quint32 i = 0; i < n && r.ok(); ++i) {
        AttemptResult a;
        a.row = qint32(r.u32());
        a.attempt = r.u16();
        const quint8 err = r.u8();
        if (err > quint8(LastErrorKind) || a.row < 0)
            return false;
        a.error = ErrorKind(err);
        a.httpStatus = r.u16();
        a.retryAfterMs = r.u32();
        a.bytes = r.i64();
        a.fetchUs = r.u32();
        a.computeUs = r.u32();
        const QByteArrayView result = r.bytesView();
        if (result.size() <= 32 && result == QByteArrayView(previous)) {
            a.result = previous;
        } else {
            a.result = result.toByteArray();
            previous = a.result;
        }
        const QByteArrayView msg = r.bytesView();
        if (!msg.isEmpty())
            a.message = QString::fromUtf8(msg);
        const quint8 flags = r.u8();
        if ((flags & ~KnownResultFlags) || (flags & RetryMask) > quint8(RetryHint::DoNotRetry))
            return false;
        a.retry = RetryHint(flags & RetryMask);
        if (flags & HasProcess) {
            ProcessOutcome &p = a.processOutcome();
            p.exitCode = qint32(r.u32());
            p.signal = r.u8();
            p.command = QString::fromUtf8(r.bytesView());
            p.stdoutTail = r.bytes();
            p.stderrTail = r.bytes();
        }
        results->append(std::move(a));
    }
    return r.ok() && r.atEnd();
}

void encodeHeartbeat(QByteArray *out, const HeartbeatMsg &m)
{
    const qsizetype f = beginFrame(out, FrameType::Heartbeat);
    WireWriter w(out);
    w.u64(m.cpuUs);
    w.u32(m.inFlight);
    w.u32(m.computeQueued);
    w.u64(m.rssKb);
    w.u64(m.completed);
    w.commit();
    finishFrame(out, f);
}

bool decodeHeartbeat(const QByteArray &payload, HeartbeatMsg *m)
{
    WireReader r(payload);
    m->cpuUs = r.u64();
    m->inFlight = r.u32();
    m->computeQueued = r.u32();
    m->rssKb = r.u64();
    m->completed = r.u64();
    return r.ok() && r.atEnd();
}

void encodeOutput(QByteArray *out, const OutputMsg &m)
{
    const qsizetype f = beginFrame(out, FrameType::Output);
    WireWriter w(out);
    w.u32(quint32(m.tasks.size()));
    for (const TaskOutput &t : m.tasks) {
        w.u32(quint32(t.row));
        w.u16(t.attempt);
        str(w, t.command);
        w.bytes(t.stdoutBytes);
        w.bytes(t.stderrBytes);
    }
    w.u32(quint32(m.programs.size()));
    for (const ProgramOutput &p : m.programs) {
        str(w, p.program);
        w.u8(p.stream);
        w.bytes(p.text);
    }
    w.commit();
    finishFrame(out, f);
}

bool decodeOutput(const QByteArray &payload, OutputMsg *m)
{
    WireReader r(payload);
    const quint32 tasks = r.u32();
    if (!r.ok() || qsizetype(tasks) > r.remaining() / 18)
        return false;
    m->tasks.reserve(tasks);
    for (quint32 i = 0; i < tasks && r.ok(); ++i) {
        TaskOutput t;
        t.row = qint32(r.u32());
        t.attempt = r.u16();
        t.command = r.utf8();
        t.stdoutBytes = r.bytes();
        t.stderrBytes = r.bytes();
        if (t.row < 0)
            return false;
        m->tasks.append(std::move(t));
    }
    const quint32 programs = r.u32();
    if (!r.ok() || qsizetype(programs) > r.remaining() / 9)
        return false;
    m->programs.reserve(programs);
    for (quint32 i = 0; i < programs && r.ok(); ++i) {
        ProgramOutput p;
        p.program = r.utf8();
        p.stream = r.u8();
        p.text = r.bytes();
        if (p.stream < ProgramOutput::Stdout || p.stream > ProgramOutput::Event)
            return false;
        m->programs.append(std::move(p));
    }
    return r.ok() && r.atEnd();
}

void encodeFault(QByteArray *out, const QString &message)
{
    const qsizetype f = beginFrame(out, FrameType::Fault);
    WireWriter w(out);
    str(w, message);
    w.commit();
    finishFrame(out, f);
}

bool decodeFault(const QByteArray &payload, QString *message)
{
    WireReader r(payload);
    *message = str(r);
    return r.ok() && r.atEnd();
}

void encodeShutdown(QByteArray *out)
{
    finishFrame(out, beginFrame(out, FrameType::Shutdown));
}

} // namespace Brigade::Wire
