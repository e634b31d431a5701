#include "WorkerProcess.h"

#include "RunStats.h"

namespace Brigade {

const char *workerStateName(WorkerState s)
{
    switch (s) {
    case WorkerState::Starting:
        return "starting";
    case WorkerState::Queued:
        return "queued";
    case WorkerState::Running:
        return "running";
    case WorkerState::Restarting:
        return "restarting";
    case WorkerState::Stopped:
        return "stopped";
    case WorkerState::Failed:
        return "failed";
    case WorkerState::Blocked:
        return "blocked";
    }
    return "unknown";
}

WorkerProcess::WorkerProcess(int slot, quint32 incarnation, WorkerLaunch launch,
                             const RunSettings &settings, QObject *parent)
    : QObject(parent)
    , m_slot(slot)
    , m_incarnation(incarnation)
    , m_launch(std::move(launch))
    , m_settings(settings)
    , m_process(new QProcess(this))
{
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &WorkerProcess::onStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, &WorkerProcess::onStderr);
    connect(m_process, &QProcess::finished, this, &WorkerProcess::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, &WorkerProcess::onError);
    m_watchdog.setSingleShot(true);
    connect(&m_watchdog, &QTimer::timeout, this, [this] {
        if (m_ready)
            fail(QStringLiteral("stopped answering for %1 ms").arg(m_settings.heartbeatTimeoutMs));
        else if (m_launch.mayQueue)
            fail(QStringLiteral("was not given a CPU within %1 ms").arg(m_settings.queueTimeoutMs));
        else
            fail(QStringLiteral("did not say hello within %1 ms")
                         .arg(m_settings.heartbeatTimeoutMs));
    });
}

WorkerProcess::~WorkerProcess()
{
    m_done = true;
    if (m_process->state() == QProcess::NotRunning)
        return;
    // srun killed outright leaves its job behind (a pending one is granted a CPU later and
    // holds it until Slurm notices srun is gone); on SIGTERM it cancels the job itself.
    if (m_launch.mayQueue) {
        m_process->terminate();
        if (m_process->waitForFinished(2000))
            return;
    }
    m_process->kill();
    m_process->waitForFinished(1000);
}

qint64 WorkerProcess::pid() const
{
    return m_process->processId();
}

void WorkerProcess::start()
{
    QMetaObject::invokeMethod(this, &WorkerProcess::launch, Qt::QueuedConnection);
}

void WorkerProcess::launch()
{
    if (m_done)
        return;
    armWatchdog();
    m_process->setProcessEnvironment(m_launch.environment);
    m_process->start(m_launch.program, m_launch.arguments);
}

void WorkerProcess::armWatchdog()
{
    // A worker waiting in a Slurm queue is not silent, it is queued: it gets the queue
    // timeout (possibly none) until it says hello.
    if (!m_ready && m_launch.mayQueue) {
        if (m_settings.queueTimeoutMs > 0)
            m_watchdog.start(int(m_settings.queueTimeoutMs));
        else
            m_watchdog.stop();
        return;
    }
    m_watchdog.start(int(m_settings.heartbeatTimeoutMs));
}

void WorkerProcess::send(const QByteArray &frames)
{
    if (!m_done && m_process->state() == QProcess::Running)
        m_process->write(frames);
}

void WorkerProcess::stop()
{
    if (m_done)
        return;
    m_stopping = true;
    m_watchdog.stop();
    if (m_process->state() == QProcess::NotRunning) {
        m_done = true;
        emit stopped();
        return;
    }
    QByteArray bye;
    Wire::encodeShutdown(&bye);
    m_process->write(bye);
    m_process->closeWriteChannel();
    QTimer::singleShot(2000, this, [this] {
        if (m_process->state() != QProcess::NotRunning)
            m_process->terminate();
    });
    QTimer::singleShot(4000, this, [this] {
        if (m_process->state() != QProcess::NotRunning)
            m_process->kill();
    });
}

void WorkerProcess::kill(const QString &reason)
{
    fail(reason);
}

void WorkerProcess::fail(const QString &reason)
{
    if (m_done)
        return;
    m_done = true;
    m_watchdog.stop();
    if (m_process->state() != QProcess::NotRunning) {
        if (m_launch.mayQueue)
            m_process->terminate(); // srun cancels its job; the destructor makes sure
        else
            m_process->kill();
    }
    emit lost(reason);
}

void WorkerProcess::onStdout()
{
    const QByteArray data = m_process->readAllStandardOutput();
    if (m_done)
        return;
    m_decoder.feed(data);
    FrameDecoder::Frame frame;
    m_results.clear();
    while (!m_done && m_decoder.next(&frame))
        handleFrame(frame);
    if (!m_results.isEmpty() && !m_done)
        emit resultsReceived(m_results);
    if (m_decoder.hasError())
        fail(QStringLiteral("sent a bad frame (%1)").arg(m_decoder.errorString()));
}

void WorkerProcess::handleFrame(const FrameDecoder::Frame &frame)
{
    m_watchdog.start(int(m_settings.heartbeatTimeoutMs));
    if (!m_ready && frame.type != FrameType::Hello)
        return fail(QStringLiteral("spoke before saying hello"));
    switch (frame.type) {
    case FrameType::Hello:
        if (m_ready || !Wire::decodeHello(frame.payload, &m_hello))
            return fail(QStringLiteral("sent a malformed hello"));
        if (m_hello.version != ProtocolVersion)
            return fail(QStringLiteral("speaks protocol version %1, this engine speaks %2; "
                                       "install the same Brigade version on every host")
                                .arg(m_hello.version)
                                .arg(ProtocolVersion));
        m_ready = true;
        emit ready();
        return;
    case FrameType::Results:
        if (!Wire::decodeResults(frame.payload, &m_results))
            return fail(QStringLiteral("sent a malformed results frame"));
        return;
    case FrameType::Heartbeat: {
        HeartbeatMsg hb;
        if (!Wire::decodeHeartbeat(frame.payload, &hb))
            return fail(QStringLiteral("sent a malformed heartbeat"));
        emit heartbeat(hb);
        return;
    }
    case FrameType::Output: {
        OutputMsg output;
        if (!Wire::decodeOutput(frame.payload, &output))
            return fail(QStringLiteral("sent a malformed output frame"));
        emit outputReceived(output);
        return;
    }
    case FrameType::Fault: {
        QString why;
        Wire::decodeFault(frame.payload, &why);
        return fail(QStringLiteral("gave up: %1").arg(why));
    }
    default:
        return fail(QStringLiteral("sent an unexpected frame (type %1)").arg(int(frame.type)));
    }
}

void WorkerProcess::onStderr()
{
    m_stderrLine += m_process->readAllStandardError();
    qsizetype nl;
    while ((nl = m_stderrLine.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(m_stderrLine.left(nl)).trimmed();
        m_stderrLine.remove(0, nl + 1);
        if (!line.isEmpty())
            emit logLine(line);
    }
    if (m_stderrLine.size() > 64 * 1024)
        m_stderrLine.clear(); // a worker spewing without newlines must not eat memory
}

void WorkerProcess::onFinished(int exitCode, QProcess::ExitStatus status)
{
    onStdout(); // results that arrived with the exit
    if (m_done)
        return;
    if (m_stopping) {
        m_done = true;
        emit stopped();
        return;
    }
    fail(status == QProcess::CrashExit ? QStringLiteral("crashed")
                                       : QStringLiteral("exited with code %1").arg(exitCode));
}

void WorkerProcess::onError(QProcess::ProcessError error)
{
    if (error == QProcess::FailedToStart)
        fail(QStringLiteral("could not start %1: %2")
                     .arg(m_launch.program, m_process->errorString()));
}

} // namespace Brigade
