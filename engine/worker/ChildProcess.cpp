#include "ChildProcess.h"

#include "ProcessGuardian.h"

#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace Brigade {

namespace {

constexpr qsizetype ReadChunk = 64 * 1024;

bool makePipe(int fds[2], int nonBlockingEnd)
{
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return false;
    const int fd = fds[nonBlockingEnd];
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return true;
}

void closeFd(int &fd)
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

} // namespace

ChildProcess::ChildProcess(ProcessGuardian *guardian, QObject *parent)
    : QObject(parent)
    , m_guardian(guardian)
{}

ChildProcess::~ChildProcess()
{
    if (m_pid > 0) {
        ::kill(-m_pid, SIGKILL);
        reap(true);
    }
    closePipe(m_stdout);
    closePipe(m_stderr);
    closePipe(m_replies);
    closePipe(m_requestPipe);
}

void ChildProcess::closePipe(Pipe &pipe)
{
    delete pipe.notifier;
    pipe.notifier = nullptr;
    closeFd(pipe.fd);
}

bool ChildProcess::start(Options &&options, QString *error)
{
    int out[2] = {-1, -1}, err[2] = {-1, -1}, req[2] = {-1, -1}, rep[2] = {-1, -1};
    auto closeAll = [&] {
        for (int *p : {out, err, req, rep}) {
            closeFd(p[0]);
            closeFd(p[1]);
        }
    };
    if (!makePipe(out, 0) || !makePipe(err, 0)
        || (options.programPipes && (!makePipe(req, 1) || !makePipe(rep, 0)))) {
        *error = QStringLiteral("cannot make pipes: %1")
                         .arg(QString::fromLocal8Bit(strerror(errno)));
        closeAll();
        return false;
    }
    SpawnRequest &spawn = options.spawn;
    spawn.fds = {options.stdinFd, out[1], err[1]};
    if (options.programPipes)
        spawn.fds << req[0] << rep[1];
    const Spawned s = spawnProcess(spawn, error);
    closeFd(out[1]);
    closeFd(err[1]);
    closeFd(req[0]);
    closeFd(rep[1]);
    if (s.pid < 0) {
        closeAll();
        return false;
    }
    m_pid = s.pid;
    m_pidfd = s.pidfd;
    if (m_guardian)
        m_guardian->watch(m_pid);
    m_exitNotifier = new QSocketNotifier(m_pidfd, QSocketNotifier::Read, this);
    connect(m_exitNotifier, &QSocketNotifier::activated, this, &ChildProcess::onChildExit);
    openReader(m_stdout, out[0], &ChildProcess::onStdout);
    openReader(m_stderr, err[0], &ChildProcess::onStderr);
    if (options.programPipes) {
        openReader(m_replies, rep[0], &ChildProcess::onReplies);
        m_requestPipe.fd = req[1];
        m_requestPipe.notifier = new QSocketNotifier(req[1], QSocketNotifier::Write, this);
        m_requestPipe.notifier->setEnabled(false);
        connect(m_requestPipe.notifier, &QSocketNotifier::activated, this,
                &ChildProcess::flushRequests);
    }
    return true;
}

void ChildProcess::openReader(Pipe &pipe, int fd,
                              std::function<void(QByteArrayView)> ChildProcess::*sink)
{
    pipe.fd = fd;
    pipe.notifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    connect(pipe.notifier, &QSocketNotifier::activated, this,
            [this, &pipe, sink] { readFrom(pipe, sink); });
}

void ChildProcess::readFrom(Pipe &pipe, std::function<void(QByteArrayView)> ChildProcess::*sink)
{
    char buffer[ReadChunk];
    // A few chunks per wake-up, so one chatty child cannot starve the event loop.
    for (int round = 0; round < 16 && pipe.fd >= 0; ++round) {
        const ssize_t n = ::read(pipe.fd, buffer, sizeof buffer);
        if (n > 0) {
            if (this->*sink)
                (this->*sink)(QByteArrayView(buffer, n));
            if (n < ReadChunk)
                return;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        closePipe(pipe); // end of output (or an error: the same to us)
    }
}

void ChildProcess::writeRequests(QByteArrayView data)
{
    if (m_requestPipe.fd < 0)
        return;
    m_requests.append(data);
    if (!m_requestPipe.notifier->isEnabled())
        flushRequests();
}

void ChildProcess::flushRequests()
{
    while (m_requestPipe.fd >= 0 && m_requestsOffset < m_requests.size()) {
        const ssize_t n = ::write(m_requestPipe.fd, m_requests.constData() + m_requestsOffset,
                                  size_t(m_requests.size() - m_requestsOffset));
        if (n > 0) {
            m_requestsOffset += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            m_requestPipe.notifier->setEnabled(true);
            return;
        }
        // The program closed fd 3: it is exiting; its exit is noticed on its own.
        closePipe(m_requestPipe);
        m_requests.clear();
        m_requestsOffset = 0;
        return;
    }
    m_requests.clear();
    m_requestsOffset = 0;
    if (m_requestPipe.notifier)
        m_requestPipe.notifier->setEnabled(false);
    if (m_closeRequestsWhenFlushed)
        closePipe(m_requestPipe);
}

void ChildProcess::closeRequests()
{
    m_closeRequestsWhenFlushed = true;
    if (m_requestsOffset >= m_requests.size())
        closePipe(m_requestPipe);
}

void ChildProcess::terminate(int graceMs)
{
    if (m_pid <= 0)
        return;
    ::kill(-m_pid, SIGTERM);
    if (!m_killTimer) {
        m_killTimer = new QTimer(this);
        m_killTimer->setSingleShot(true);
        connect(m_killTimer, &QTimer::timeout, this, &ChildProcess::kill);
        m_killTimer->start(graceMs);
    }
}

void ChildProcess::kill()
{
    if (m_pid > 0)
        ::kill(-m_pid, SIGKILL);
}

void ChildProcess::reap(bool block)
{
    // The leader has exited but is not reaped yet, so its group id cannot have been reused:
    // whatever else is left of the group is ours, and goes now.
    ::kill(-m_pid, SIGKILL);
    siginfo_t info{};
    if (::waitid(P_PIDFD, id_t(m_pidfd), &info, WEXITED | (block ? 0 : WNOHANG)) != 0
        || info.si_pid == 0) {
        if (!block)
            return;
    }
    if (m_guardian)
        m_guardian->unwatch(m_pid);
    m_pid = -1;
    delete m_exitNotifier;
    m_exitNotifier = nullptr;
    closeFd(m_pidfd);
    if (m_killTimer)
        m_killTimer->stop();
    int status = 0;
    if (info.si_code == CLD_EXITED)
        status = W_EXITCODE(info.si_status, 0);
    else
        status = info.si_status & 0x7f; // killed (or dumped core) by this signal
    m_lastStatus = status;
}

void ChildProcess::onChildExit()
{
    m_exitNotifier->setEnabled(false);
    reap(false);
    if (m_pid > 0) { // not really exited (spurious wake-up)
        m_exitNotifier->setEnabled(true);
        return;
    }
    // What the group wrote before it ended is still in the pipes.
    if (m_stdout.fd >= 0)
        readFrom(m_stdout, &ChildProcess::onStdout);
    if (m_replies.fd >= 0)
        readFrom(m_replies, &ChildProcess::onReplies);
    if (m_stderr.fd >= 0)
        readFrom(m_stderr, &ChildProcess::onStderr);
    closePipe(m_stdout);
    closePipe(m_stderr);
    closePipe(m_replies);
    closePipe(m_requestPipe);
    if (onExited)
        onExited(m_lastStatus);
}

} // namespace Brigade
