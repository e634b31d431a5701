#include "CallRunner.h"

#include "ComputeSlots.h"
#include "MemoryLimit.h"
#include "ProcessGuardian.h"
#include "ProgramInstance.h"
#include "Spawn.h"
#include "core/DataPaths.h"
#include "protocol/Messages.h"
#include "text/JsonText.h"
#include "usercode/TaskContext.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace Brigade {

namespace {

QByteArray compactJson(const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

QString describeExit(int status)
{
    if (WIFEXITED(status))
        return QStringLiteral("exited with code %1").arg(WEXITSTATUS(status));
    return QStringLiteral("crashed (killed by %1)").arg(signalName(WTERMSIG(status)));
}

quint64 rssMb(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/statm").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() > 1
                   ? parts[1].toULongLong() * quint64(sysconf(_SC_PAGESIZE)) / (1024 * 1024)
                   : 0;
}

} // namespace

CallRunner::CallRunner(RunnerHost &host)
    : TaskRunner(host)
{
    for (char **e = environ; e && *e; ++e)
        m_baseEnv.append(QByteArray(*e));
    m_clock.start();
}

CallRunner::~CallRunner() = default;

void CallRunner::configure()
{
    for (const ProgramSpec &spec : m_host.config().programs) {
        const auto it = m_programs.find(spec.name);
        if (it != m_programs.end() && it->second->spec == spec)
            continue;
        if (it != m_programs.end()) {
            for (auto &in : it->second->instances)
                fault(it->second.get(), in.get(),
                      QStringLiteral("was replaced by a new definition"));
        }
        auto p = std::make_unique<Program>();
        p->spec = spec;
        m_programs[spec.name] = std::move(p);
    }
}

CallRunner::Program *CallRunner::program(const QString &name)
{
    const auto it = m_programs.find(name);
    return it == m_programs.end() ? nullptr : it->second.get();
}

int CallRunner::queued() const
{
    int n = 0;
    for (const auto &p : m_programs)
        n += int(p.second->queue.size());
    return n;
}

QString CallRunner::displayCommand(const Call &call) const
{
    QString args = QString::fromUtf8(call.spec.argsJson);
    if (args.size() > 200)
        args = args.left(200) + QStringLiteral("...");
    return QStringLiteral("call %1 %2").arg(call.spec.program, args);
}

void CallRunner::logEvent(const Program *p, const QString &text)
{
    m_host.programOutput(p->spec.name, ProgramOutput::Event, (text + u'\n').toUtf8());
}

void CallRunner::start(RunnerTask &&task)
{
    auto call = std::make_unique<Call>();
    call->row = task.row;
    call->attempt = task.attempt;
    TaskContext context;
    const bool ok = CallSpec::decode(task.params, &call->spec)
                    && TaskContext::decode(task.input, &context);
    Program *p = ok ? program(call->spec.program) : nullptr;
    if (!p) {
        AttemptResult r;
        r.error = ErrorKind::BadInput;
        r.message = ok ? QStringLiteral("no program \"%1\" in this run").arg(call->spec.program)
                       : QStringLiteral("call: bad parameters");
        m_host.attemptFinished(task.row, task.attempt, std::move(r));
        return;
    }
    call->id = context.id;
    call->body = std::move(task.body);
    call->program = p;
    const int wanted = call->spec.slotCount < 0 ? CallSpec::DefaultSlots : call->spec.slotCount;
    call->slotCount = wanted == 0 ? 0 : m_host.computeSlots().clamp(wanted);
    Call *raw = call.get();
    m_calls[raw->row] = std::move(call);
    if (raw->slotCount == 0) {
        route(raw);
        return;
    }
    raw->waitingForSlots = true; // before asking: the slots may be granted at once
    const qint32 row = raw->row;
    const quint16 attempt = raw->attempt;
    const int n = raw->slotCount;
    const bool now = m_host.computeSlots().acquireOrWait(n, [this, row, attempt, n] {
        const auto it = m_calls.find(row);
        if (it == m_calls.end() || it->second->attempt != attempt || !it->second->waitingForSlots) {
            m_host.computeSlots().release(n); // aborted while it waited
            return;
        }
        it->second->waitingForSlots = false;
        it->second->holdsSlots = true;
        route(it->second.get());
        flush();
    });
    if (now) {
        raw->waitingForSlots = false;
        raw->holdsSlots = true;
        route(raw);
    }
}

void CallRunner::route(Call *call)
{
    Program *p = call->program;
    if (p->broken)
        return failBroken(call);
    p->queue.push_back(call);
    pump(p);
}

CallRunner::Instance *CallRunner::startInstance(Program *p)
{
    auto in = std::make_unique<Instance>();
    Instance *raw = in.get();
    auto *process = new ProgramInstance(p->spec, &m_host.guardian(), this);
    raw->process = process;
    p->instances.push_back(std::move(in));
    process->onLine = [this, p, raw](const QJsonObject &line) {
        onLine(p, raw, line);
    };
    process->onGarbage = [this, p, raw](const QByteArray &line) {
        QString shown = QString::fromUtf8(line.left(200));
        fault(p, raw,
              QStringLiteral("wrote a line on fd 4 that is not a JSON object: %1").arg(shown));
    };
    process->onLog = [this, p](quint8 stream, QByteArrayView lines) {
        m_host.programOutput(p->spec.name, stream, lines);
    };
    process->onExited = [this, p, raw](int status) {
        onExited(p, raw, status);
    };
    ProgramInstance::Environment env;
    env.base = m_baseEnv;
    env.workerSlot = m_host.config().workerSlot;
    env.helperDir = dataPath(QStringLiteral("python"));
    QString error;
    if (!process->start(env, &error)) {
        p->instances.pop_back();
        process->deleteLater();
        declareBroken(p, error, {});
        return nullptr;
    }
    raw->pid = process->pid();
    logEvent(p, QStringLiteral("started: pid %1").arg(raw->pid));
    raw->startupTimer = new QTimer(process);
    raw->startupTimer->setSingleShot(true);
    connect(raw->startupTimer, &QTimer::timeout, this, [this, p, raw] {
        fault(p, raw,
              QStringLiteral("did not say {\"ready\": true} within %1 ms")
                      .arg(p->spec.startupTimeoutMs));
    });
    raw->startupTimer->start(int(qMin<quint32>(p->spec.startupTimeoutMs, 24u * 3600 * 1000)));
    return raw;
}

void CallRunner::pump(Program *p)
{
    if (p->broken) {
        while (!p->queue.empty()) {
            Call *c = p->queue.front();
            p->queue.pop_front();
            failBroken(c);
        }
        return;
    }
    while (!p->queue.empty()) {
        Instance *in = nullptr;
        for (auto it = p->instances.rbegin(); it != p->instances.rend(); ++it) {
            if (!(*it)->stopped && !(*it)->draining) {
                in = it->get();
                break;
            }
        }
        if (!in) {
            in = startInstance(p);
            if (!in)
                return; // broken now
        }
        if (!in->ready)
            return; // its calls wait for {"ready": true}
        while (!p->queue.empty() && quint32(in->inFlight.size()) < p->spec.maxInFlight
               && (p->spec.recycleAfter == 0 || in->sent < p->spec.recycleAfter)) {
            Call *c = p->queue.front();
            p->queue.pop_front();
            QByteArray line;
            line.reserve(64 + c->id.size() + c->spec.argsJson.size());
            line += "{\"id\":";
            JsonText::appendString(&line, QByteArrayView(c->id.toUtf8()));
            line += ",\"attempt\":" + QByteArray::number(c->attempt)
                    + ",\"args\":" + c->spec.argsJson
                    + ",\"body_bytes\":" + QByteArray::number(c->body.size()) + '}';
            in->process->send(line, c->body);
            c->body = QByteArray();
            c->instance = in;
            c->sentNs = m_clock.nsecsElapsed();
            in->inFlight.insert(c->id, c);
            ++in->sent;
            scheduleFlush();
        }
        if (p->spec.recycleAfter > 0 && in->sent >= p->spec.recycleAfter) {
            // Recycled: a fresh process takes the next calls; this one finishes its own.
            in->draining = true;
            logEvent(p,
                     QStringLiteral("recycling pid %1 after %2 tasks").arg(in->pid).arg(in->sent));
            if (in->inFlight.isEmpty())
                retire(in);
            continue;
        }
        return; // at max_in_flight
    }
}

void CallRunner::scheduleFlush()
{
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    QMetaObject::invokeMethod(this, &CallRunner::flush, Qt::QueuedConnection);
}

void CallRunner::flush()
{
    m_flushScheduled = false;
    for (auto &p : m_programs) {
        for (auto &in : p.second->instances) {
            if (!in->stopped)
                in->process->flush();
        }
    }
}

void CallRunner::onLine(Program *p, Instance *in, const QJsonObject &line)
{
    if (in->stopped)
        return;
    if (in->hangTimer)
        in->hangTimer->stop();
    if (line.contains(QLatin1String("ready"))) {
        if (line.value(QLatin1String("ready")) != QJsonValue(true))
            return fault(p, in,
                         QStringLiteral("said it is not ready: %1")
                                 .arg(QString::fromUtf8(
                                         QJsonDocument(line).toJson(QJsonDocument::Compact))));
        if (!in->ready) {
            in->ready = true;
            in->startupTimer->stop();
            logEvent(p, QStringLiteral("ready: pid %1").arg(in->pid));
            pump(p);
        }
        return;
    }
    const QJsonValue idValue = line.value(QLatin1String("id"));
    const QString id
            = idValue.isString()
                      ? idValue.toString()
                      : (idValue.isDouble() ? QString::number(idValue.toInteger()) : QString());
    const bool isResult = line.contains(QLatin1String("result"));
    const bool isError = line.contains(QLatin1String("error"));
    const bool isLog = line.contains(QLatin1String("log"));
    if (id.isNull() || !(isResult || isError || isLog)) {
        return fault(
                p, in,
                QStringLiteral("wrote a line on fd 4 that is not a reply: %1")
                        .arg(QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact))
                                     .left(200)));
    }
    Call *call = in->inFlight.value(id);
    const QJsonValue attempt = line.value(QLatin1String("attempt"));
    if (call && attempt.isDouble() && attempt.toInteger() != call->attempt)
        call = nullptr; // a late reply to an attempt that was cancelled
    if (!call)
        return; // a reply to a call that was cancelled or timed out
    if (isLog && !isResult && !isError) {
        const QJsonValue text = line.value(QLatin1String("log"));
        QByteArray bytes = (text.isString() ? text.toString().toUtf8() : compactJson(text)) + '\n';
        ProcessOutcome::appendTail(&call->log, bytes);
        m_host.taskOutput(call->row, call->attempt, QString(), bytes, {});
        return;
    }
    in->inFlight.remove(id);
    AttemptResult r;
    if (isResult) {
        ++in->answered;
        p->failuresInARow = 0;
        r.result = compactJson(line.value(QLatin1String("result")));
    } else {
        ++in->answered; // an answer all the same: the program works
        p->failuresInARow = 0;
        const QJsonValue error = line.value(QLatin1String("error"));
        r.error = ErrorKind::Compute;
        r.message = error.isString() ? error.toString() : QString::fromUtf8(compactJson(error));
        const QJsonValue retry = line.value(QLatin1String("retry"));
        if (retry.isBool())
            r.retry = retry.toBool() ? RetryHint::Retry : RetryHint::DoNotRetry;
    }
    finishCall(call, std::move(r));
    if (in->draining && in->inFlight.isEmpty())
        retire(in);
    pump(p);
}

void CallRunner::onExited(Program *p, Instance *in, int waitStatus)
{
    const bool expected = in->stopped || (in->draining && in->inFlight.isEmpty());
    if (!expected)
        fault(p, in, describeExit(waitStatus), waitStatus);
    else if (!in->stopped)
        logEvent(p, QStringLiteral("pid %1 %2").arg(in->pid).arg(describeExit(waitStatus)));
    const auto it = std::find_if(p->instances.begin(), p->instances.end(),
                                 [in](const auto &x) { return x.get() == in; });
    if (it != p->instances.end()) {
        in->process->deleteLater();
        p->instances.erase(it);
    }
    pump(p);
}

void CallRunner::fault(Program *p, Instance *in, const QString &what, int waitStatus)
{
    if (in->stopped)
        return;
    in->stopped = true;
    if (in->startupTimer)
        in->startupTimer->stop();
    if (in->hangTimer)
        in->hangTimer->stop();
    const QByteArray stderrTail = in->process->stderrTail();
    const QByteArray last = in->process->lastStderrLine();
    in->process->terminate(ProcessGuardian::KillGraceMs);
    const QString stderrText
            = last.isEmpty() ? QStringLiteral("; it wrote nothing on stderr")
                             : QStringLiteral("; last stderr: %1").arg(QString::fromUtf8(last));
    const QString message = QStringLiteral("program %1 %2%3").arg(p->spec.name, what, stderrText);
    logEvent(p, QStringLiteral("stopped: %1").arg(what));
    if (in->answered == 0)
        ++p->failuresInARow;
    else
        p->failuresInARow = 0;
    const QList<Call *> calls = in->inFlight.values();
    in->inFlight.clear();
    for (Call *call : calls) {
        AttemptResult r;
        r.error = ErrorKind::Program;
        r.message = message;
        r.processOutcome().stderrTail = stderrTail;
        if (waitStatus >= 0 && WIFEXITED(waitStatus))
            r.process->exitCode = WEXITSTATUS(waitStatus);
        else if (waitStatus >= 0)
            r.process->signal = quint8(WTERMSIG(waitStatus));
        finishCall(call, std::move(r));
    }
    if (!in->ready || p->failuresInARow >= BrokenAfterFailures) {
        const QString reason = in->ready ? QStringLiteral("%1 (%2 times in a row without an "
                                                          "answer)")
                                                   .arg(what)
                                                   .arg(p->failuresInARow)
                                         : what;
        // Never ready: whatever keeps it from starting will not go away by itself, and a
        // restart would cost the same wait again.
        declareBroken(p,
                      in->ready ? reason : QStringLiteral("before it was ready, it %1").arg(what),
                      stderrTail);
    }
    QMetaObject::invokeMethod(
            this, [this, p] { pump(p); }, Qt::QueuedConnection);
}

void CallRunner::retire(Instance *in)
{
    in->process->closeRequests();
    ProgramInstance *process = in->process;
    QTimer::singleShot(RetireGraceMs, process,
                       [process] { process->terminate(ProcessGuardian::KillGraceMs); });
}

void CallRunner::declareBroken(Program *p, const QString &reason, const QByteArray &stderrTail)
{
    if (p->broken)
        return;
    p->broken = true;
    p->brokenReason = reason;
    p->brokenStderr = stderrTail;
    logEvent(p,
             QStringLiteral("broken: %1; its calls on this worker fail from now on").arg(reason));
    pump(p);
}

void CallRunner::failBroken(Call *call)
{
    const Program *p = call->program;
    ProcessOutcome po;
    po.stderrTail = p->brokenStderr;
    const QByteArray last = po.lastStderrLine();
    AttemptResult r;
    r.error = ErrorKind::Program;
    r.retry = RetryHint::DoNotRetry;
    r.message = QStringLiteral("program %1 is broken: %2%3")
                        .arg(p->spec.name, p->brokenReason,
                             last.isEmpty() ? QString()
                                            : QStringLiteral("; last stderr: %1")
                                                      .arg(QString::fromUtf8(last)));
    r.processOutcome().stderrTail = p->brokenStderr;
    finishCall(call, std::move(r));
}

void CallRunner::finishCall(Call *call, AttemptResult &&r)
{
    const qint32 row = call->row;
    const quint16 attempt = call->attempt;
    if (call->sentNs > 0)
        r.computeUs = quint32(
                qMin<qint64>((m_clock.nsecsElapsed() - call->sentNs) / 1000, 0xffffffffLL));
    ProcessOutcome &process = r.processOutcome();
    process.command = displayCommand(*call);
    if (process.stdoutTail.isEmpty())
        process.stdoutTail = call->log;
    dropCall(call);
    m_host.attemptFinished(row, attempt, std::move(r));
}

void CallRunner::dropCall(Call *call)
{
    if (call->holdsSlots)
        m_host.computeSlots().release(call->slotCount);
    m_calls.erase(call->row); // deletes call
}

void CallRunner::abort(qint32 row, quint16 attempt, Abort why, AttemptResult *partial)
{
    const auto it = m_calls.find(row);
    if (it == m_calls.end() || it->second->attempt != attempt)
        return;
    Call *call = it->second.get();
    Program *p = call->program;
    if (partial) {
        ProcessOutcome &process = partial->processOutcome();
        process.command = displayCommand(*call);
        process.stdoutTail = call->log;
        if (call->instance)
            process.stderrTail = call->instance->process->stderrTail();
    }
    call->waitingForSlots = false;
    if (Instance *in = call->instance) {
        in->inFlight.remove(call->id);
        QByteArray cancel = "{\"cancel\":";
        JsonText::appendString(&cancel, QByteArrayView(call->id.toUtf8()));
        cancel += '}';
        in->process->send(cancel, {});
        in->process->flush();
        if (why == Abort::TimedOut && !in->stopped) {
            // A program that says nothing at all after a timeout is hung: it is stopped.
            if (!in->hangTimer) {
                in->hangTimer = new QTimer(in->process);
                in->hangTimer->setSingleShot(true);
                connect(in->hangTimer, &QTimer::timeout, this, [this, p, in] {
                    fault(p, in,
                          QStringLiteral("stopped answering: nothing on fd 4 for %1 ms "
                                         "after a task ran past its timeout")
                                  .arg(HangGraceMs));
                });
            }
            if (!in->hangTimer->isActive())
                in->hangTimer->start(HangGraceMs);
        }
        if (in->draining && in->inFlight.isEmpty())
            retire(in);
    } else {
        const auto q = std::find(p->queue.begin(), p->queue.end(), call);
        if (q != p->queue.end())
            p->queue.erase(q);
    }
    dropCall(call);
    pump(p);
}

void CallRunner::tick()
{
    const quint64 limit = MemoryLimit::limitMb();
    if (limit == 0)
        return;
    for (auto &entry : m_programs) {
        Program *p = entry.second.get();
        for (auto &in : p->instances) {
            if (in->stopped || in->draining || !in->ready)
                continue;
            const quint64 rss = rssMb(in->pid);
            if (rss <= limit)
                continue;
            in->draining = true;
            logEvent(p, QStringLiteral("recycling pid %1: it uses %2 MiB, over the worker memory "
                                       "cap of %3 MiB")
                                .arg(in->pid)
                                .arg(rss)
                                .arg(limit));
            if (in->inFlight.isEmpty())
                retire(in.get());
        }
        pump(p);
    }
}

} // namespace Brigade
