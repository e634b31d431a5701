#include "WorkerRuntime.h"

#include "RunnerRegistry.h"
#include "StdinReader.h"
#include "compute/ComputeRegistry.h"
#include "net/HttpClient.h"
#include "net/Url.h"

#include <QCoreApplication>
#include <QFile>
#include <QFutureWatcher>
#include <QLoggingCategory>
#include <QSysInfo>
#include <QThread>
#include <QtConcurrent>

#include <csignal>
#include <sys/resource.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcWorker, "brigade.worker")

namespace Brigade {

namespace {

quint64 processCpuUs()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return quint64(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ull
           + quint64(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

quint64 rssKb()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() > 1 ? parts[1].toULongLong() * quint64(sysconf(_SC_PAGESIZE)) / 1024 : 0;
}

// Thousands of concurrent connections need more descriptors than the usual soft limit.
void raiseFileLimit()
{
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

struct FileRead
{
    QByteArray body;
    ErrorKind error = ErrorKind::None;
    QString message;
};

FileRead readFile(const QString &path, qint64 maxBytes)
{
    FileRead r;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        r.error = ErrorKind::BadInput;
        r.message = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return r;
    }
    if (f.size() > maxBytes) {
        r.error = ErrorKind::TooLarge;
        r.message = QStringLiteral("%1 is %2 bytes, over max_bytes %3")
                            .arg(path)
                            .arg(f.size())
                            .arg(maxBytes);
        return r;
    }
    r.body = f.read(maxBytes + 1);
    if (r.body.size() > maxBytes) {
        r.error = ErrorKind::TooLarge;
        r.message = QStringLiteral("%1 grew past max_bytes %2").arg(path).arg(maxBytes);
        r.body.clear();
    }
    return r;
}

} // namespace

WorkerRuntime::WorkerRuntime(int inFd, int outFd, QObject *parent)
    : QObject(parent)
    , m_outFd(outFd)
    , m_reader(new StdinReader(inFd, this))
    , m_out(outFd)
    , m_http(new HttpClient(this))
    , m_runners(std::make_unique<RunnerRegistry>(*this))
    , m_rng(std::random_device{}())
{
    std::signal(SIGPIPE, SIG_IGN); // a vanished engine shows as a failed write instead
    raiseFileLimit();
    for (int id = 1; id < 256; ++id) {
        const ComputeOp *op = ComputeRegistry::instance().op(quint8(id));
        m_ownRunner[size_t(id)] = op && op->hasOwnRunner();
    }
    m_ioPool.setMaxThreadCount(4);
    connect(m_reader, &StdinReader::dataReceived, this, &WorkerRuntime::onData);
    connect(m_reader, &StdinReader::endOfInput, this, &WorkerRuntime::onEndOfInput);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_flushTimer, &QTimer::timeout, this, &WorkerRuntime::flushResults);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &WorkerRuntime::sendHeartbeat);
    m_outputTimer.setSingleShot(true);
    connect(&m_outputTimer, &QTimer::timeout, this, [this] { flushOutput(true); });
}

WorkerRuntime::~WorkerRuntime() = default;

void WorkerRuntime::start()
{
    HelloMsg hello;
    hello.host = QSysInfo::machineHostName();
    hello.pid = quint32(QCoreApplication::applicationPid());
    hello.cores = quint16(QThread::idealThreadCount());
    hello.slurmJobId = QString::fromLocal8Bit(qgetenv("SLURM_JOB_ID"));
    hello.workerVersion = QStringLiteral(BRIGADE_VERSION);
    Wire::encodeHello(m_out.buffer(), hello);
    if (!m_out.flush())
        ::_exit(0);
    m_reader->start();
}

void WorkerRuntime::onData(const QByteArray &data)
{
    m_decoder.feed(data);
    FrameDecoder::Frame frame;
    while (m_decoder.next(&frame))
        handleFrame(frame);
    if (m_decoder.hasError())
        fault(m_decoder.errorString());
}

void WorkerRuntime::onEndOfInput()
{
    // The engine is gone or done with us: nobody will read what we would still send.
    ::_exit(0);
}

void WorkerRuntime::fault(const QString &why)
{
    qCCritical(lcWorker) << "giving up:" << why;
    Wire::encodeFault(m_out.buffer(), why);
    m_out.flush();
    ::_exit(3);
}

void WorkerRuntime::handleFrame(const FrameDecoder::Frame &frame)
{
    switch (frame.type) {
    case FrameType::Configure: {
        // A later configure frame only adds programs (the engine sends one before the first
        // task that calls a new program).
        const bool first = !m_configured;
        if (!Wire::decodeConfigure(frame.payload, &m_config))
            return fault(QStringLiteral("malformed configure frame"));
        m_configured = true;
        m_slots.setCapacity(m_config.computeThreads);
        for (const auto &runner : m_runners->runners())
            runner->configure();
        if (first && m_config.seed != 0)
            m_rng.seed(m_config.seed ^ quint32(QCoreApplication::applicationPid()));
        m_heartbeatTimer.start(int(qMax<quint32>(50, m_config.heartbeatMs)));
        {
            HttpClientOptions http = m_http->options();
            http.maxHostConnections = int(qMin<quint32>(m_config.maxHostConnections, 1 << 20));
            http.httpVersion = m_config.httpVersion;
            http.insecure = m_config.insecure;
            http.caCertificates = m_config.caCertificates;
            http.proxy = m_config.proxy;
            m_http->setOptions(http);
        }
        sendHeartbeat();
        return;
    }
    case FrameType::Assign: {
        if (!m_configured)
            return fault(QStringLiteral("assign frame before configure"));
        QVector<AssignTask> tasks;
        if (!Wire::decodeAssign(frame.payload, &tasks))
            return fault(QStringLiteral("malformed assign frame"));
        for (AssignTask &t : tasks)
            startTask(std::move(t));
        flushRunners();
        return;
    }
    case FrameType::Cancel: {
        QVector<CancelEntry> entries;
        if (!Wire::decodeCancel(frame.payload, &entries))
            return fault(QStringLiteral("malformed cancel frame"));
        for (const CancelEntry &e : entries)
            cancelTask(e.row, e.attempt);
        return;
    }
    case FrameType::Shutdown:
        flushResults();
        // The guardian ends what the worker started (commands, programs) once it is gone.
        ::_exit(0);
    default:
        return fault(
                QStringLiteral("unexpected frame type %1 from the engine").arg(int(frame.type)));
    }
}

WorkerRuntime::Run *WorkerRuntime::find(qint32 row, quint16 attempt)
{
    const quint32 slot = m_slotOfRow.find(row);
    if (slot == RowSlotMap::NoSlot)
        return nullptr;
    Run &run = m_runs[slot];
    return run.attempt == attempt ? &run : nullptr;
}

WorkerRuntime::Run &WorkerRuntime::addRun(qint32 row)
{
    quint32 slot;
    if (m_freeRuns.empty()) {
        slot = quint32(m_runs.size());
        m_runs.emplace_back();
    } else {
        slot = m_freeRuns.back();
        m_freeRuns.pop_back();
    }
    m_slotOfRow.insert(row, slot);
    Run &run = m_runs[slot];
    run.row = row;
    run.slot = slot;
    return run;
}

void WorkerRuntime::removeRun(Run &run)
{
    m_slotOfRow.remove(run.row);
    const quint32 slot = run.slot;
    run = Run{}; // lets go of its buffers now
    m_freeRuns.push_back(slot);
}

void WorkerRuntime::startTask(AssignTask &&t)
{
    if (const quint32 slot = m_slotOfRow.find(t.row); slot != RowSlotMap::NoSlot)
        cancelTask(t.row, m_runs[slot].attempt); // the engine gave up on that attempt
    Run &run = addRun(t.row);
    run.attempt = t.attempt;
    run.fetchKind = t.fetchKind;
    run.op = t.op;
    run.params = std::move(t.params);
    if (t.fetchKind == FetchKind::Url && m_ownRunner[t.op])
        run.url = t.url; // for {url}
    // Only a fetch is timed from here; a compute times itself.
    if (t.fetchKind != FetchKind::None)
        run.startUs = m_deadlines.nowUs();
    run.timeoutMs = t.timeoutMs;
    const qint32 row = t.row;
    const quint16 attempt = t.attempt;
    if (t.timeoutMs > 0)
        m_deadlines.after(qint64(t.timeoutMs) * 1000,
                          [this, row, attempt] { onTimeout(row, attempt); });

    switch (t.fetchKind) {
    case FetchKind::None:
        run.input = std::move(t.input);
        startOp(run, {}, false);
        return;
    case FetchKind::Delay: {
        const quint32 ms = t.delayMinMs == t.delayMaxMs ? t.delayMinMs
                                                        : std::uniform_int_distribution<quint32>(
                                                                t.delayMinMs, t.delayMaxMs)(m_rng);
        // Drawn now, from the run's seed, so a seeded run fails the same attempts again.
        const bool fails = t.failPpm > 0
                           && std::uniform_int_distribution<quint32>(0, 999999)(m_rng) < t.failPpm;
        run.input = std::move(t.input);
        m_deadlines.after(qint64(ms) * 1000, [this, row, attempt, ms, fails] {
            Run *r = find(row, attempt);
            if (!r)
                return;
            r->fetchUs = quint32(m_deadlines.nowUs() - r->startUs);
            if (fails) {
                AttemptResult res;
                res.error = ErrorKind::Network;
                res.message = QStringLiteral("simulated failure after a wait of %1 ms").arg(ms);
                finish(row, std::move(res));
                return;
            }
            if (r->op == 0) {
                AttemptResult res;
                res.result = "{\"delay_ms\":" + QByteArray::number(ms) + '}';
                finish(row, std::move(res));
                return;
            }
            startOp(*r, {}, false);
            flushRunners();
        });
        return;
    }
    case FetchKind::Url: {
        run.input = std::move(t.input);
        const qint64 maxBytes = t.maxBytes > 0 ? t.maxBytes : m_config.defaultMaxBytes;
        if (t.url.startsWith("file:")) {
            const Url url = Url::parse(t.url);
            startFileRead(row, attempt, url.localFile(), maxBytes);
            return;
        }
        HttpRequest req;
        req.url = std::move(t.url);
        req.headers = std::move(t.headers);
        req.maxBytes = maxBytes;
        HttpOptions &h = t.http;
        req.method = h.method;
        req.body = std::move(h.body);
        req.bodyFile = std::move(h.bodyFile);
        req.user = std::move(h.user);
        req.password = std::move(h.password);
        req.netrc = h.netrc;
        req.netrcFile = std::move(h.netrcFile);
        req.decompress = h.decompress;
        req.maxRedirects = h.maxRedirects;
        req.httpVersion = h.httpVersion;
        req.unsetVariable = std::move(h.unsetVariable);
        run.httpHandle = m_http->send(req, [this, row, attempt](HttpResponse &&resp) {
            Run *r = find(row, attempt);
            if (!r)
                return;
            r->httpHandle = 0;
            r->httpStatus = quint16(resp.status);
            r->fetchUs = quint32(m_deadlines.nowUs() - r->startUs);
            if (resp.error != ErrorKind::None) {
                AttemptResult res;
                res.error = resp.error;
                res.retryAfterMs = resp.retryAfterMs;
                res.bytes = resp.bytes;
                res.message = resp.message;
                finish(row, std::move(res));
                return;
            }
            onFetched(row, attempt, std::move(resp.body));
            flushRunners();
        });
        return;
    }
    }
}

void WorkerRuntime::startFileRead(qint32 row, quint16 attempt, const QString &path, qint64 maxBytes)
{
    auto *watcher = new QFutureWatcher<FileRead>(this);
    connect(watcher, &QFutureWatcher<FileRead>::finished, this, [this, watcher, row, attempt] {
        FileRead r = watcher->result();
        watcher->deleteLater();
        Run *run = find(row, attempt);
        if (!run)
            return;
        run->fetchUs = quint32(m_deadlines.nowUs() - run->startUs);
        if (r.error != ErrorKind::None) {
            AttemptResult res;
            res.error = r.error;
            res.message = r.message;
            finish(row, std::move(res));
            return;
        }
        onFetched(row, attempt, std::move(r.body));
        flushRunners();
    });
    watcher->setFuture(QtConcurrent::run(&m_ioPool, readFile, path, maxBytes));
}

void WorkerRuntime::onFetched(qint32 row, quint16 attempt, QByteArray body)
{
    Run *r = find(row, attempt);
    if (!r)
        return;
    r->bytes = body.size();
    if (r->op == 0) {
        AttemptResult res;
        res.bytes = r->bytes;
        // A file has no HTTP status: its result says no more than http_status (null) does.
        res.result = r->httpStatus ? "{\"status\":" + QByteArray::number(r->httpStatus)
                                             + ",\"bytes\":" + QByteArray::number(r->bytes) + '}'
                                   : "{\"bytes\":" + QByteArray::number(r->bytes) + '}';
        finish(row, std::move(res));
        return;
    }
    startOp(*r, std::move(body), true);
}

void WorkerRuntime::startOp(Run &run, QByteArray body, bool fetched)
{
    TaskRunner *runner = m_runners->runnerFor(run.op);
    run.runner = runner;
    RunnerTask task;
    task.row = run.row;
    task.attempt = run.attempt;
    task.op = run.op;
    task.params = std::move(run.params); // the attempt no longer needs its own copy
    if (m_ownRunner[run.op]) {
        task.input = std::move(run.input);
        task.body = std::move(body);
        task.fetched = fetched;
        task.url = run.url;
    } else {
        // A built-in op computes over the fetched body, or over the task id without one.
        task.input = fetched ? std::move(body) : std::move(run.input);
    }
    runner->start(std::move(task));
}

void WorkerRuntime::flushRunners()
{
    for (const auto &runner : m_runners->runners())
        runner->flush();
}

void WorkerRuntime::onTimeout(qint32 row, quint16 attempt)
{
    Run *r = find(row, attempt);
    if (!r)
        return;
    const quint32 ms = r->timeoutMs;
    AttemptResult res;
    res.bytes = r->bytes;
    if (r->fetchKind != FetchKind::None && r->fetchUs == 0) {
        // Timed out while fetching: the time it took and the bytes it got so far.
        r->fetchUs = quint32(qMax<qint64>(1, m_deadlines.nowUs() - r->startUs));
        if (r->fetchKind == FetchKind::Url) {
            const HttpClient::Progress got = m_http->progress(r->httpHandle);
            res.bytes = got.bytes;
            r->httpStatus = quint16(got.status);
        }
    }
    if (r->httpHandle)
        m_http->abort(r->httpHandle);
    if (r->cancel)
        r->cancel->store(true);
    if (r->runner)
        r->runner->abort(row, attempt, TaskRunner::Abort::TimedOut, &res);
    // Timed out after its fetch (or with none): the rest of its time went to computing, so
    // its duration is the time it took, not 0. Without a fetch it is not timed from here
    // (no clock read per task): it ran for its whole timeout.
    if (res.computeUs == 0)
        res.computeUs = quint32(
                qMax<qint64>(1, r->fetchKind == FetchKind::None
                                        ? qint64(ms) * 1000
                                        : m_deadlines.nowUs() - r->startUs - qint64(r->fetchUs)));
    res.error = ErrorKind::Timeout;
    res.message = QStringLiteral("timed out after %1 ms").arg(ms);
    finish(row, std::move(res));
}

void WorkerRuntime::cancelTask(qint32 row, quint16 attempt)
{
    Run *r = find(row, attempt);
    if (!r)
        return;
    if (r->httpHandle)
        m_http->abort(r->httpHandle);
    if (r->cancel)
        r->cancel->store(true);
    if (r->runner)
        r->runner->abort(row, attempt, TaskRunner::Abort::Cancelled, nullptr);
    m_liveOutput.remove(row);
    removeRun(*r); // the engine already counts it as cancelled: no result
}

std::shared_ptr<std::atomic_bool> WorkerRuntime::cancelFlag(qint32 row, quint16 attempt)
{
    Run *r = find(row, attempt);
    if (!r) // already over: a flag that is set stops whatever would start it
        return std::make_shared<std::atomic_bool>(true);
    if (!r->cancel)
        r->cancel = std::make_shared<std::atomic_bool>(false);
    return r->cancel;
}

void WorkerRuntime::attemptFinished(qint32 row, quint16 attempt, AttemptResult &&result)
{
    Run *r = find(row, attempt);
    if (!r)
        return; // timed out or cancelled meanwhile
    finish(*r, std::move(result));
}

void WorkerRuntime::finish(qint32 row, AttemptResult &&r)
{
    if (const quint32 slot = m_slotOfRow.find(row); slot != RowSlotMap::NoSlot)
        finish(m_runs[slot], std::move(r));
}

void WorkerRuntime::finish(Run &run, AttemptResult &&r)
{
    r.row = run.row;
    r.attempt = run.attempt;
    r.httpStatus = run.httpStatus;
    r.fetchUs = run.fetchUs;
    if (r.bytes < 0)
        r.bytes = run.bytes;
    if (run.runner && !m_liveOutput.isEmpty())
        m_liveOutput.remove(run.row);
    removeRun(run);
    // A frame cannot exceed MaxFramePayload: a result that would not fit fails its task
    // (the engine would take a larger frame for a broken stream).
    constexpr qsizetype EntryOverhead = 64; // the fixed fields of a result entry, and then some
    qsizetype entryBytes = EntryOverhead + r.result.size() + r.message.size() * 3;
    if (r.process)
        entryBytes += r.process->command.size() * 3 + r.process->stdoutTail.size()
                      + r.process->stderrTail.size();
    if (entryBytes > qsizetype(MaxFramePayload) - 16) {
        r.error = ErrorKind::Compute;
        r.message = QStringLiteral("the result is too large to send (%1 bytes; at most %2)")
                            .arg(r.result.size())
                            .arg(MaxFramePayload - 16 - EntryOverhead);
        r.result.clear();
    } else if (m_pendingBytes + entryBytes > qsizetype(MaxFramePayload) - 16) {
        flushResults();
    }
    m_pendingBytes += entryBytes;
    m_pending.append(std::move(r));
    ++m_completed;
    // Results go out in batches: at the latest after flushUs, at once when many are ready
    // or when they are large (a MapReduce chunk's counts may be megabytes).
    if (m_pending.size() >= 4096 || m_pendingBytes >= PendingBytesToFlush)
        flushResults();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start(int(qMax<quint32>(1, m_config.flushUs / 1000)));
}

void WorkerRuntime::flushResults()
{
    m_flushTimer.stop();
    // Programs' logs go out before the results after them: a run that ends with these
    // results must not lose the lines that explain them.
    if (!m_programOutput.isEmpty() || !m_programOutputDropped.isEmpty())
        flushOutput(false);
    if (!m_pending.isEmpty()) {
        Wire::encodeResults(m_out.buffer(), m_pending);
        m_pending.clear();
        m_pendingBytes = 0;
    }
    if (!m_out.isEmpty() && !m_out.flush())
        ::_exit(0);
}

void WorkerRuntime::taskOutput(qint32 row, quint16 attempt, const QString &command,
                               QByteArrayView out, QByteArrayView err)
{
    if (!find(row, attempt))
        return;
    auto it = m_liveOutput.find(row);
    if (it == m_liveOutput.end()) {
        it = m_liveOutput.insert(row, TaskOutput{});
        it->row = row;
        it->attempt = attempt;
    } else if (it->attempt != attempt) {
        *it = TaskOutput{row, attempt, {}, {}, {}};
    }
    if (!command.isEmpty())
        it->command = command;
    // Only a tail is shown live; the whole output is in the attempt's result.
    if (!out.isEmpty())
        ProcessOutcome::appendTail(&it->stdoutBytes, out);
    if (!err.isEmpty())
        ProcessOutcome::appendTail(&it->stderrBytes, err);
    if (!m_outputTimer.isActive())
        m_outputTimer.start(OutputIntervalMs);
}

void WorkerRuntime::programOutput(const QString &program, quint8 stream, QByteArrayView text)
{
    if (m_programOutputBytes + text.size() > MaxProgramOutputPerInterval
        && stream != ProgramOutput::Event) {
        m_programOutputDropped[program] += text.size(); // said in that program's log
    } else {
        if (!m_programOutput.isEmpty() && m_programOutput.last().program == program
            && m_programOutput.last().stream == stream)
            m_programOutput.last().text.append(text);
        else
            m_programOutput.append(ProgramOutput{program, stream, text.toByteArray()});
        m_programOutputBytes += text.size();
    }
    if (!m_outputTimer.isActive())
        m_outputTimer.start(OutputIntervalMs);
}

void WorkerRuntime::flushOutput(bool withTasks)
{
    OutputMsg msg;
    if (withTasks) {
        msg.tasks.reserve(m_liveOutput.size());
        for (auto it = m_liveOutput.begin(); it != m_liveOutput.end(); ++it)
            msg.tasks.append(std::move(it.value()));
        m_liveOutput.clear();
    }
    for (auto it = m_programOutputDropped.cbegin(); it != m_programOutputDropped.cend(); ++it) {
        const QString note = QStringLiteral("[%1 bytes of program output not shown: more than "
                                            "%2 per %3 ms]\n")
                                     .arg(it.value())
                                     .arg(MaxProgramOutputPerInterval)
                                     .arg(OutputIntervalMs);
        m_programOutput.append(ProgramOutput{it.key(), ProgramOutput::Event, note.toUtf8()});
    }
    msg.programs = std::move(m_programOutput);
    m_programOutput.clear();
    m_programOutputBytes = 0;
    m_programOutputDropped.clear();
    if (msg.isEmpty())
        return;
    Wire::encodeOutput(m_out.buffer(), msg);
    if (withTasks)
        flushResults();
}

void WorkerRuntime::sendHeartbeat()
{
    HeartbeatMsg hb;
    hb.cpuUs = processCpuUs();
    hb.inFlight = quint32(m_slotOfRow.size());
    int queued = 0;
    for (const auto &runner : m_runners->runners()) {
        runner->tick();
        queued += runner->queued();
    }
    hb.computeQueued = quint32(queued);
    hb.rssKb = rssKb();
    hb.completed = m_completed;
    Wire::encodeHeartbeat(m_out.buffer(), hb);
    flushResults();
}

} // namespace Brigade
