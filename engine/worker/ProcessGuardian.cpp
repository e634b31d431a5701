#include "ProcessGuardian.h"

#include "Spawn.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>
#include <unordered_set>

Q_LOGGING_CATEGORY(lcGuardian, "brigade.worker.guardian")

namespace Brigade {

namespace {
constexpr int RecordBytes = 5; // op ('+' or '-'), then the group as a native int32

bool anyAlive(const std::unordered_set<pid_t> &groups)
{
    for (pid_t g : groups) {
        if (::kill(-g, 0) == 0)
            return true;
    }
    return false;
}
} // namespace

ProcessGuardian::~ProcessGuardian()
{
    if (m_fd >= 0)
        ::close(m_fd); // the guardian ends what is left
}

void ProcessGuardian::ensureStarted()
{
    if (m_fd >= 0 || m_failed)
        return;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        m_failed = true;
        return;
    }
    SpawnRequest request;
    request.program = QCoreApplication::applicationFilePath().toLocal8Bit();
    request.argv = {QByteArray("brigade-worker"), QByteArray("--guardian")};
    request.fds = {fds[0], -1, -1}; // not the worker's stdio: the engine must see it close
    request.dieWithParent = false;
    QString error;
    const Spawned s = spawnProcess(request, &error);
    ::close(fds[0]);
    if (s.pid < 0) {
        qCWarning(lcGuardian) << "cannot start the process guardian:" << error
                              << "(commands' children may outlive a killed worker)";
        ::close(fds[1]);
        m_failed = true;
        return;
    }
    ::close(s.pidfd); // it outlives us; whoever adopts it reaps it
    m_fd = fds[1];
}

void ProcessGuardian::send(char op, pid_t group)
{
    ensureStarted();
    if (m_fd < 0)
        return;
    char record[RecordBytes];
    record[0] = op;
    const qint32 g = group;
    std::memcpy(record + 1, &g, 4);
    // A record is far below PIPE_BUF, so it is written whole; the guardian reads fast
    // enough that a full pipe is not a concern worth a buffer.
    while (::write(m_fd, record, RecordBytes) < 0 && errno == EINTR) {
    }
}

void ProcessGuardian::watch(pid_t group)
{
    send('+', group);
}

void ProcessGuardian::unwatch(pid_t group)
{
    if (m_fd >= 0)
        send('-', group);
}

int ProcessGuardian::main()
{
    // Outlive the worker: terminal signals aimed at its process group are not for us.
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE})
        std::signal(sig, SIG_IGN);
    std::unordered_set<pid_t> groups;
    char buffer[RecordBytes * 1024];
    int have = 0;
    for (;;) {
        const ssize_t n = ::read(0, buffer + have, sizeof buffer - size_t(have));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += int(n);
        int at = 0;
        for (; have - at >= RecordBytes; at += RecordBytes) {
            qint32 g = 0;
            std::memcpy(&g, buffer + at + 1, 4);
            if (g <= 1)
                continue;
            if (buffer[at] == '+')
                groups.insert(g);
            else
                groups.erase(g);
        }
        std::memmove(buffer, buffer + at, size_t(have - at));
        have -= at;
    }
    // The worker is gone.
    for (pid_t g : groups)
        ::kill(-g, SIGTERM);
    for (int waited = 0; waited < ProcessGuardian::KillGraceMs && anyAlive(groups); waited += 20) {
        const timespec pause{0, 20 * 1000 * 1000};
        nanosleep(&pause, nullptr);
    }
    for (pid_t g : groups)
        ::kill(-g, SIGKILL);
    return 0;
}

} // namespace Brigade
