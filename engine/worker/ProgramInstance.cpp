#include "ProgramInstance.h"

#include "ChildProcess.h"
#include "core/TaskState.h"
#include "usercode/CommandPieces.h"
#include "usercode/Placeholders.h"

#include <QDir>
#include <QJsonDocument>

namespace Brigade {

namespace {
constexpr qsizetype MaxReplyLine = 60 * 1024 * 1024; // a result must fit a results frame
constexpr qsizetype MaxLogLine = 16 * 1024;          // longer log lines are cut
constexpr qsizetype FlushAtBytes = 256 * 1024;
} // namespace

ProgramInstance::ProgramInstance(const ProgramSpec &spec, ProcessGuardian *guardian,
                                 QObject *parent)
    : QObject(parent)
    , m_spec(spec)
    , m_guardian(guardian)
{}

ProgramInstance::~ProgramInstance() = default;

bool ProgramInstance::start(const Environment &environment, QString *error)
{
    PlaceholderValues values;
    values.worker = environment.workerSlot;
    SpawnRequest request;
    for (const QString &arg : std::as_const(m_spec.argv))
        request.argv.append(Placeholders::expand(arg, values).toUtf8());
    QList<QByteArray> env = environment.base;
    const auto set = [&env](const QByteArray &name, const QByteArray &value) {
        CommandPieces::setVariable(&env, name, value);
    };
    // The helper module is found without installing anything: its directory goes first on
    // PYTHONPATH (a PYTHONPATH of the program's own comes after it).
    QByteArray pythonPath = environment.helperDir.toLocal8Bit();
    QByteArray path = qgetenv("PATH");
    for (const QByteArray &e : std::as_const(environment.base)) {
        if (e.startsWith("PYTHONPATH=") && e.size() > 11)
            pythonPath += ':' + e.mid(11);
    }
    for (const auto &e : std::as_const(m_spec.env)) {
        const QByteArray value = Placeholders::expand(e.second, values).toUtf8();
        if (e.first == u"PYTHONPATH")
            pythonPath = environment.helperDir.toLocal8Bit() + ':' + value;
        else
            set(e.first.toUtf8(), value);
        if (e.first == u"PATH")
            path = value;
    }
    set("PYTHONPATH", pythonPath);
    set("BRIGADE_PROGRAM", m_spec.name.toUtf8());
    set("BRIGADE_WORKER", QByteArray::number(environment.workerSlot));
    // Python buffers stdout when it is a pipe: log lines would come late and in lumps.
    set("PYTHONUNBUFFERED", "1");
    request.cwd = CommandPieces::workingDirectory(Placeholders::expand(m_spec.cwd, values),
                                                  m_spec.baseDir)
                          .toLocal8Bit();
    request.program = findExecutable(request.argv.first(), path);
    if (request.program.isEmpty()) {
        *error = QStringLiteral("cannot run %1: not found in PATH")
                         .arg(QString::fromUtf8(request.argv.first()));
        return false;
    }
    request.environment = &env;

    m_process = new ChildProcess(m_guardian, this);
    m_process->onReplies = [this](QByteArrayView data) {
        onReplies(data);
    };
    m_process->onStdout = [this](QByteArrayView data) {
        onOutput(1, data);
    };
    m_process->onStderr = [this](QByteArrayView data) {
        onOutput(2, data);
    };
    m_process->onExited = [this](int status) {
        for (quint8 stream : {1, 2}) { // a last line without its line break
            if (!m_logBuffer[stream - 1].isEmpty() && onLog) {
                m_logBuffer[stream - 1].append('\n');
                onLog(stream, std::exchange(m_logBuffer[stream - 1], QByteArray()));
            }
        }
        if (onExited)
            onExited(status);
    };
    ChildProcess::Options options;
    options.spawn = std::move(request);
    options.programPipes = true;
    return m_process->start(std::move(options), error);
}

qint64 ProgramInstance::pid() const
{
    return m_process ? m_process->pid() : -1;
}

bool ProgramInstance::isRunning() const
{
    return m_process && m_process->isRunning();
}

void ProgramInstance::send(QByteArrayView line, QByteArrayView body)
{
    m_out.append(line);
    m_out.append('\n');
    m_out.append(body);
    if (m_out.size() >= FlushAtBytes)
        flush();
}

void ProgramInstance::flush()
{
    if (m_out.isEmpty() || !m_process)
        return;
    m_process->writeRequests(m_out);
    m_out.clear();
}

void ProgramInstance::closeRequests()
{
    flush();
    if (m_process)
        m_process->closeRequests();
}

void ProgramInstance::terminate(int graceMs)
{
    m_garbage = true; // stopped: whatever it still says is not listened to
    m_out.clear();
    if (m_process) {
        m_process->closeRequests();
        m_process->terminate(graceMs);
    }
}

QByteArray ProgramInstance::lastStderrLine() const
{
    ProcessOutcome po;
    po.stderrTail = m_stderrTail;
    return po.lastStderrLine();
}

void ProgramInstance::onReplies(QByteArrayView data)
{
    if (m_garbage)
        return;
    m_replyBuffer.append(data);
    qsizetype start = 0;
    for (qsizetype nl; (nl = m_replyBuffer.indexOf('\n', start)) >= 0; start = nl + 1) {
        const QByteArray line = m_replyBuffer.mid(start, nl - start);
        if (line.trimmed().isEmpty())
            continue;
        ++m_lines;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            m_garbage = true;
            if (onGarbage)
                onGarbage(line);
            return;
        }
        if (onLine)
            onLine(doc.object());
        if (m_garbage)
            return;
    }
    m_replyBuffer.remove(0, start);
    if (m_replyBuffer.size() > MaxReplyLine) {
        m_garbage = true;
        if (onGarbage)
            onGarbage(m_replyBuffer.left(200));
    }
}

void ProgramInstance::onOutput(quint8 stream, QByteArrayView data)
{
    if (stream == 2)
        ProcessOutcome::appendTail(&m_stderrTail, data);
    QByteArray &buffer = m_logBuffer[stream - 1];
    buffer.append(data);
    const qsizetype lastNl = buffer.lastIndexOf('\n');
    if (lastNl >= 0) {
        if (onLog)
            onLog(stream, QByteArrayView(buffer).first(lastNl + 1));
        buffer.remove(0, lastNl + 1);
    }
    if (buffer.size() > MaxLogLine) {
        buffer.append('\n');
        if (onLog)
            onLog(stream, buffer);
        buffer.clear();
    }
}

} // namespace Brigade
