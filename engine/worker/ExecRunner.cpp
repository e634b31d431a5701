#include "ExecRunner.h"

#include "ChildProcess.h"
#include "ComputeSlots.h"
#include "ProcessGuardian.h"
#include "protocol/Messages.h"
#include "text/JsonText.h"
#include "usercode/CommandPieces.h"
#include "usercode/Placeholders.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace Brigade {

namespace {

qint64 nowNs()
{
    static QElapsedTimer clock = [] {
        QElapsedTimer c;
        c.start();
        return c;
    }();
    return clock.nsecsElapsed();
}

// A descriptor holding the body, for stdin: any size, no writer to keep fed.
int bodyDescriptor(const QByteArray &body)
{
    const int fd = ::memfd_create("brigade-body", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    for (qsizetype done = 0; done < body.size();) {
        const ssize_t n = ::write(fd, body.constData() + done, size_t(body.size() - done));
        if (n <= 0) {
            ::close(fd);
            return -1;
        }
        done += n;
    }
    ::lseek(fd, 0, SEEK_SET);
    return fd;
}

QByteArray trimmedNewline(QByteArray text)
{
    if (text.endsWith('\n'))
        text.chop(1);
    if (text.endsWith('\r'))
        text.chop(1);
    return text;
}

} // namespace

ExecRunner::ExecRunner(RunnerHost &host)
    : TaskRunner(host)
{
    for (char **e = environ; e && *e; ++e) {
        m_baseEnv.append(QByteArray(*e));
        if (m_baseEnv.last().startsWith("PATH="))
            m_basePath = m_baseEnv.last().mid(5);
    }
}

ExecRunner::~ExecRunner() = default; // ChildProcess children kill what still runs

void ExecRunner::start(RunnerTask &&task)
{
    auto a = std::make_unique<Attempt>();
    a->row = task.row;
    a->attempt = task.attempt;
    if (!CommandSpec::decode(task.params, &a->spec)
        || !TaskContext::decode(task.input, &a->context)) {
        AttemptResult r;
        r.error = ErrorKind::BadInput;
        r.message = QStringLiteral("exec: bad parameters");
        m_host.attemptFinished(task.row, task.attempt, std::move(r));
        return;
    }
    a->task = std::move(task);
    const int wanted = a->spec.slotCount < 0 ? CommandSpec::DefaultSlots : a->spec.slotCount;
    a->slotCount = wanted == 0 ? 0 : m_host.computeSlots().clamp(wanted);
    Attempt *raw = a.get();
    m_live[raw->row] = std::move(a);
    if (raw->slotCount == 0) {
        launch(raw);
        return;
    }
    raw->waiting = true; // before asking: the slots may be granted at once
    ++m_waiting;
    const qint32 row = raw->row;
    const quint16 attempt = raw->attempt;
    const int n = raw->slotCount;
    const bool now = m_host.computeSlots().acquireOrWait(n, [this, row, attempt, n] {
        const auto it = m_live.find(row);
        if (it == m_live.end() || it->second->attempt != attempt || !it->second->waiting) {
            m_host.computeSlots().release(n); // aborted while it waited
            return;
        }
        Attempt *a = it->second.get();
        a->waiting = false;
        --m_waiting;
        a->holdsSlots = true;
        launch(a);
    });
    if (now) {
        raw->waiting = false;
        --m_waiting;
        raw->holdsSlots = true;
        launch(raw);
    }
}

QByteArray ExecRunner::resolveProgram(const QByteArray &program, const QByteArray &path)
{
    const QByteArray key = program + '\0' + path;
    const auto it = m_pathCache.constFind(key);
    if (it != m_pathCache.cend())
        return it.value();
    const QByteArray found = findExecutable(program, path);
    if (!found.isEmpty())
        m_pathCache.insert(key, found); // misses are not kept: the program may appear
    return found;
}

void ExecRunner::launch(Attempt *a)
{
    const CommandSpec &spec = a->spec;
    const RunnerTask &task = a->task;
    PlaceholderValues values;
    values.input = a->context.input;
    values.id = a->context.id;
    values.seq = qint64(a->row) + 1;
    values.attempt = a->attempt;
    values.worker = m_host.config().workerSlot;
    values.url = QString::fromUtf8(task.url);
    const auto fail = [&](const QString &message) {
        AttemptResult r;
        r.error = ErrorKind::Exit;
        r.message = message;
        r.processOutcome().command = a->command;
        report(a, std::move(r));
    };
    if (spec.needs & Placeholders::NeedsBody) {
        if (!m_bodyDir)
            m_bodyDir = std::make_unique<QTemporaryDir>(QDir::tempPath()
                                                        + QStringLiteral("/brigade-body-XXXXXX"));
        a->bodyFile = m_bodyDir->filePath(QStringLiteral("body-%1-%2").arg(a->row).arg(a->attempt));
        QFile f(a->bodyFile);
        if (!m_bodyDir->isValid() || !f.open(QIODevice::WriteOnly)
            || f.write(task.body) != task.body.size()) {
            return fail(QStringLiteral("cannot write the body file for {body}: %1")
                                .arg(f.errorString()));
        }
        values.bodyPath = a->bodyFile;
    }

    SpawnRequest request;
    if (spec.shell.isEmpty()) {
        QStringList argv;
        for (const QString &t : spec.argv)
            argv.append(Placeholders::expand(t, values));
        a->command = CommandSpec::joinArguments(argv);
        for (const QString &arg : std::as_const(argv))
            request.argv.append(arg.toUtf8());
    } else {
        const QString line = Placeholders::expand(spec.shell, values, true);
        a->command = line;
        request.argv = {QByteArray("/bin/sh"), QByteArray("-c"), line.toUtf8()};
    }
    QList<QByteArray> env;
    QByteArray path = m_basePath;
    if (!spec.env.isEmpty()) {
        env = m_baseEnv;
        for (const auto &e : spec.env) {
            const QByteArray value = Placeholders::expand(e.second, values).toUtf8();
            CommandPieces::setVariable(&env, e.first.toUtf8(), value);
            if (e.first == u"PATH")
                path = value;
        }
        request.environment = &env;
    }
    request.cwd
            = CommandPieces::workingDirectory(Placeholders::expand(spec.cwd, values), spec.baseDir)
                      .toLocal8Bit();
    // A relative program with a slash is found from the working directory, as a shell would.
    request.program = resolveProgram(request.argv.first(), path);
    if (request.program.isEmpty())
        return fail(QStringLiteral("cannot run %1: not found in PATH")
                            .arg(QString::fromUtf8(request.argv.first())));

    ChildProcess::Options options;
    options.spawn = std::move(request);
    const bool bodyOnStdin = spec.stdinMode == CommandSpec::Stdin::Body
                             || (spec.stdinMode == CommandSpec::Stdin::Default && task.fetched);
    if (bodyOnStdin) {
        options.stdinFd = bodyDescriptor(task.body);
        if (options.stdinFd < 0)
            return fail(QStringLiteral("cannot hand the body to stdin: %1")
                                .arg(QString::fromLocal8Bit(strerror(errno))));
    }
    auto *process = new ChildProcess(&m_host.guardian(), this);
    a->process = process;
    const qint32 row = a->row;
    const quint16 attempt = a->attempt;
    process->onStdout = [this, a, row, attempt](QByteArrayView data) {
        if (a->stdoutBytes.size() + data.size() > a->spec.maxOutputBytes) {
            if (!m_live.count(row) || m_live[row].get() != a)
                return; // already reported
            a->process->kill();
            AttemptResult r;
            r.error = ErrorKind::TooLarge;
            r.message = QStringLiteral("the output is over max_output_bytes (%1 bytes)")
                                .arg(a->spec.maxOutputBytes);
            r.process = std::make_shared<ProcessOutcome>(outcomeOf(*a));
            report(a, std::move(r));
            return;
        }
        a->stdoutBytes.append(data);
        m_host.taskOutput(row, attempt, QString(), data, {});
    };
    process->onStderr = [this, a, row, attempt](QByteArrayView data) {
        ProcessOutcome::appendTail(&a->stderrTail, data);
        m_host.taskOutput(row, attempt, QString(), {}, data);
    };
    process->onExited = [this, a](int status) {
        onExited(a, status);
    };
    QString error;
    a->startedNs = nowNs();
    const bool started = process->start(std::move(options), &error);
    if (bodyOnStdin)
        ::close(options.stdinFd);
    if (!started) {
        a->process = nullptr;
        process->deleteLater();
        return fail(error);
    }
    m_host.taskOutput(row, attempt, a->command, {}, {});
}

ProcessOutcome ExecRunner::outcomeOf(const Attempt &a) const
{
    ProcessOutcome po;
    po.command = a.command;
    po.stderrTail = a.stderrTail;
    ProcessOutcome::appendTail(&po.stdoutTail, a.stdoutBytes);
    return po;
}

void ExecRunner::onExited(Attempt *a, int status)
{
    a->process->deleteLater();
    a->process = nullptr;
    const auto dying = m_dying.find(a);
    if (dying != m_dying.end()) { // reported already (timeout, cancel, output over the cap)
        cleanUp(a);
        m_dying.erase(dying);
        return;
    }
    AttemptResult r;
    r.computeUs = quint32(qMin<qint64>((nowNs() - a->startedNs) / 1000, 0xffffffffLL));
    r.process = std::make_shared<ProcessOutcome>(outcomeOf(*a));
    const QByteArray lastLine = r.process->lastStderrLine();
    const QString detail = lastLine.isEmpty()
                                   ? QString()
                                   : QStringLiteral(": %1").arg(QString::fromUtf8(lastLine));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        r.process->exitCode = 0;
        switch (a->spec.result) {
        case CommandSpec::Result::Text: {
            // A JSON string: bytes that are not UTF-8 become U+FFFD there.
            const QByteArray text = trimmedNewline(std::move(a->stdoutBytes));
            JsonText::appendString(&r.result, QByteArrayView(text));
            r.process->stdoutTail.clear(); // it is the result
            break;
        }
        case CommandSpec::Result::Json: {
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson('[' + a->stdoutBytes + "\n]", &error);
            if (error.error != QJsonParseError::NoError || doc.array().size() != 1) {
                r.error = ErrorKind::Compute;
                r.message = error.error != QJsonParseError::NoError
                                    ? QStringLiteral("stdout is not JSON: %1 at byte %2")
                                              .arg(error.errorString())
                                              .arg(qMax(0, error.offset - 1))
                                    : QStringLiteral("stdout is not one JSON value");
                break;
            }
            const QByteArray compact = doc.toJson(QJsonDocument::Compact);
            r.result = compact.mid(1, compact.size() - 2);
            r.process->stdoutTail.clear();
            break;
        }
        case CommandSpec::Result::None:
            r.result = "null";
            break;
        }
    } else if (WIFEXITED(status)) {
        r.process->exitCode = WEXITSTATUS(status);
        r.error = ErrorKind::Exit;
        r.message = QStringLiteral("exit %1%2").arg(r.process->exitCode).arg(detail);
    } else {
        r.process->signal = quint8(WTERMSIG(status));
        r.error = ErrorKind::Exit;
        r.message = QStringLiteral("killed by %1%2").arg(signalName(WTERMSIG(status)), detail);
    }
    report(a, std::move(r));
}

std::unique_ptr<ExecRunner::Attempt> ExecRunner::detach(qint32 row)
{
    const auto it = m_live.find(row);
    if (it == m_live.end())
        return {};
    std::unique_ptr<Attempt> a = std::move(it->second);
    m_live.erase(it);
    if (a->waiting) {
        a->waiting = false;
        --m_waiting;
    }
    return a;
}

void ExecRunner::report(Attempt *a, AttemptResult &&r)
{
    const qint32 row = a->row;
    const quint16 attempt = a->attempt;
    std::unique_ptr<Attempt> owned = detach(row);
    if (owned && owned->process) {
        m_dying[owned.get()] = std::move(owned); // its slots are held until it is gone
    } else if (owned) {
        cleanUp(owned.get());
    }
    m_host.attemptFinished(row, attempt, std::move(r));
}

void ExecRunner::cleanUp(Attempt *a)
{
    if (!a->bodyFile.isEmpty())
        QFile::remove(a->bodyFile);
    if (a->holdsSlots) {
        a->holdsSlots = false;
        m_host.computeSlots().release(a->slotCount);
    }
}

void ExecRunner::abort(qint32 row, quint16 attempt, Abort why, AttemptResult *partial)
{
    const auto it = m_live.find(row);
    if (it == m_live.end() || it->second->attempt != attempt)
        return;
    std::unique_ptr<Attempt> a = detach(row);
    if (partial)
        partial->process = std::make_shared<ProcessOutcome>(outcomeOf(*a));
    Q_UNUSED(why)
    if (a->process) {
        a->process->terminate(ProcessGuardian::KillGraceMs);
        m_dying[a.get()] = std::move(a);
    } else {
        cleanUp(a.get()); // it still waited for slots: none are held
    }
}

} // namespace Brigade
