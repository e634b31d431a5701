#include "Spawn.h"

#include <QFileInfo>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace Brigade {

namespace {

constexpr int MaxChildFds = 8;
constexpr size_t ChildStackBytes = 64 * 1024;

// What the child needs, prepared by the parent: the child runs in the parent's memory
// until it execs, so it must not allocate, lock or call anything but system calls.
struct ChildArgs
{
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *cwd;
    int fds[MaxChildFds];
    int nfds;
    int devNull;
    pid_t parent;        // 0: no PR_SET_PDEATHSIG
    int error;           // written by the child when a step fails
    const char *failure; // which step
};

// The kernel's struct sigaction for rt_sigaction: only SIG_DFL is set, so no restorer.
struct KernelSigaction
{
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)();
    unsigned long mask;
};

#define BRIGADE_CHILD_CODE __attribute__((no_sanitize("address", "undefined", "thread")))

BRIGADE_CHILD_CODE inline __attribute__((always_inline)) long sys(long n, long a = 0, long b = 0,
                                                                  long c = 0, long d = 0)
{
    return syscall(n, a, b, c, d);
}

BRIGADE_CHILD_CODE int childFailed(ChildArgs *a, const char *step)
{
    a->error = errno;
    a->failure = step;
    sys(SYS_exit_group, 127);
    return 127;
}

// Raw system calls only: libc wrappers may be intercepted (sanitizers) or take locks that
// another thread of the parent holds.
BRIGADE_CHILD_CODE int childMain(void *p)
{
    auto *a = static_cast<ChildArgs *>(p);
    // Handlers and ignored signals back to the defaults a new program expects (SIGPIPE
    // above all: the worker ignores it). A handler would run the parent's code here.
    KernelSigaction dfl{SIG_DFL, 0, nullptr, 0};
    for (int sig = 1; sig < 65; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP)
            sys(SYS_rt_sigaction, sig, long(&dfl), 0, 8);
    }
    if (sys(SYS_setpgid, 0, 0) != 0)
        return childFailed(a, "setpgid");
    if (a->parent != 0) {
        sys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
        if (sys(SYS_getppid) != a->parent) // the worker died before prctl took effect
            sys(SYS_exit_group, 127);
    }
    // Sources that sit where a target goes are moved out of the way first.
    for (int i = 0; i < a->nfds; ++i) {
        int &src = a->fds[i];
        if (src < 0)
            src = a->devNull;
        if (src < a->nfds) {
            const long moved = sys(SYS_fcntl, src, F_DUPFD_CLOEXEC, a->nfds);
            if (moved < 0)
                return childFailed(a, "dup");
            src = int(moved);
        }
    }
    for (int i = 0; i < a->nfds; ++i) {
        if (sys(SYS_dup3, a->fds[i], i, 0) < 0)
            return childFailed(a, "dup");
    }
    sys(SYS_close_range, a->nfds, ~0U, 0); // pre-5.9 kernels: CLOEXEC does it at exec
    if (a->cwd && sys(SYS_chdir, long(a->cwd)) != 0)
        return childFailed(a, "chdir");
    unsigned long none = 0;
    sys(SYS_rt_sigprocmask, SIG_SETMASK, long(&none), 0, 8);
    sys(SYS_execve, long(a->path), long(a->argv), long(a->envp));
    return childFailed(a, "exec");
}

char *childStack()
{
    // One stack for every child: the parent is suspended until the child execs or exits,
    // and only the worker's main thread spawns.
    static char *stack = static_cast<char *>(mmap(nullptr, ChildStackBytes, PROT_READ | PROT_WRITE,
                                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0));
    return stack == MAP_FAILED ? nullptr : stack;
}

int devNull()
{
    static const int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    return fd;
}

QString failureText(const char *step, int error, const QByteArray &program, const QByteArray &cwd)
{
    const QString reason = QString::fromLocal8Bit(strerror(error));
    if (step && std::strcmp(step, "chdir") == 0)
        return QStringLiteral("cannot change to directory %1: %2")
                .arg(QString::fromLocal8Bit(cwd), reason);
    if (step && std::strcmp(step, "exec") == 0)
        return QStringLiteral("cannot run %1: %2").arg(QString::fromLocal8Bit(program), reason);
    return QStringLiteral("cannot start %1 (%2): %3")
            .arg(QString::fromLocal8Bit(program), QLatin1String(step ? step : "spawn"), reason);
}

Spawned spawnWithClone(ChildArgs &args, const QByteArray &program, const QByteArray &cwd,
                       QString *error, bool *unsupported)
{
    char *stack = childStack();
    if (!stack) {
        *unsupported = true;
        return {};
    }
    // No signal handler may run in the child while it shares our memory.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int pidfd = -1;
    const pid_t pid = clone(childMain, stack + ChildStackBytes,
                            CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &args, &pidfd);
    const int cloneErrno = errno;
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) {
        if (cloneErrno == ENOSYS || cloneErrno == EPERM || cloneErrno == EINVAL) {
            *unsupported = true;
        } else {
            *error = QStringLiteral("cannot start %1: %2")
                             .arg(QString::fromLocal8Bit(program),
                                  QString::fromLocal8Bit(strerror(cloneErrno)));
        }
        return {};
    }
    if (args.failure) {
        siginfo_t info{};
        waitid(P_PID, id_t(pid), &info, WEXITED);
        ::close(pidfd);
        *error = failureText(args.failure, args.error, program, cwd);
        return {};
    }
    return Spawned{pid, pidfd};
}

Spawned spawnWithPosixSpawn(ChildArgs &args, const QByteArray &program, const QByteArray &cwd,
                            QString *error)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // Through high numbers first, so no source is overwritten by another's target.
    for (int i = 0; i < args.nfds; ++i) {
        const int src = args.fds[i] < 0 ? args.devNull : args.fds[i];
        posix_spawn_file_actions_adddup2(&actions, src, 100 + i);
    }
    for (int i = 0; i < args.nfds; ++i)
        posix_spawn_file_actions_adddup2(&actions, 100 + i, i);
    posix_spawn_file_actions_addclosefrom_np(&actions, args.nfds);
    if (args.cwd)
        posix_spawn_file_actions_addchdir_np(&actions, args.cwd);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF
                                            | POSIX_SPAWN_SETSIGMASK);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, args.path, &actions, &attr, args.argv, args.envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        *error = failureText(args.cwd && rc == ENOENT
                                             && QFileInfo::exists(QString::fromLocal8Bit(args.path))
                                     ? "chdir"
                                     : "exec",
                             rc, program, cwd);
        return {};
    }
    const int pidfd = int(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        ::kill(-pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        *error = QStringLiteral("cannot watch %1: %2")
                         .arg(QString::fromLocal8Bit(program),
                              QString::fromLocal8Bit(strerror(errno)));
        return {};
    }
    return Spawned{pid, pidfd};
}

std::atomic<int> g_method{-1};

} // namespace

SpawnMethod spawnMethod()
{
    int m = g_method.load(std::memory_order_relaxed);
    if (m < 0) {
        m = qgetenv("BRIGADE_SPAWN") == "posix_spawn" ? int(SpawnMethod::PosixSpawn)
                                                      : int(SpawnMethod::CloneVfork);
        g_method.store(m, std::memory_order_relaxed);
    }
    return SpawnMethod(m);
}

Spawned spawnProcess(const SpawnRequest &request, QString *error)
{
    if (request.fds.size() > MaxChildFds) {
        *error = QStringLiteral("too many descriptors for a child");
        return {};
    }
    std::vector<char *> argv;
    argv.reserve(size_t(request.argv.size()) + 1);
    for (const QByteArray &a : request.argv)
        argv.push_back(const_cast<char *>(a.constData()));
    argv.push_back(nullptr);
    std::vector<char *> envp;
    if (request.environment) {
        envp.reserve(size_t(request.environment->size()) + 1);
        for (const QByteArray &e : *request.environment)
            envp.push_back(const_cast<char *>(e.constData()));
        envp.push_back(nullptr);
    }
    ChildArgs args{};
    args.path = request.program.constData();
    args.argv = argv.data();
    args.envp = request.environment ? envp.data() : environ;
    args.cwd = request.cwd.isEmpty() ? nullptr : request.cwd.constData();
    args.nfds = int(request.fds.size());
    for (int i = 0; i < args.nfds; ++i)
        args.fds[i] = request.fds[i];
    args.devNull = devNull();
    args.parent = request.dieWithParent ? getpid() : 0;
    if (spawnMethod() == SpawnMethod::CloneVfork) {
        bool unsupported = false;
        const Spawned s = spawnWithClone(args, request.program, request.cwd, error, &unsupported);
        if (!unsupported)
            return s;
        g_method.store(int(SpawnMethod::PosixSpawn), std::memory_order_relaxed);
        for (int i = 0; i < args.nfds; ++i)
            args.fds[i] = request.fds[i];
    }
    return spawnWithPosixSpawn(args, request.program, request.cwd, error);
}

QByteArray findExecutable(const QByteArray &program, const QByteArray &path)
{
    if (program.contains('/'))
        return program;
    const QByteArray dirs = path.isNull() ? QByteArray("/usr/local/bin:/usr/bin:/bin") : path;
    for (const QByteArray &dir : dirs.split(':')) {
        const QByteArray candidate = (dir.isEmpty() ? QByteArray(".") : dir) + '/' + program;
        struct ::stat st
        {
        };
        if (::stat(candidate.constData(), &st) == 0 && S_ISREG(st.st_mode)
            && ::access(candidate.constData(), X_OK) == 0)
            return candidate;
    }
    return {};
}

QString signalName(int signal)
{
    const char *abbrev = sigabbrev_np(signal);
    return abbrev ? QStringLiteral("SIG%1").arg(QLatin1String(abbrev))
                  : QStringLiteral("signal %1").arg(signal);
}

} // namespace Brigade
