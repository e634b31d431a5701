#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <sys/types.h>

namespace Brigade {

// Starts one child process of a worker: its own process group (so a timeout or cancel ends
// everything it started), SIGKILL when the worker thread that started it dies
// (PR_SET_PDEATHSIG; workers start children from their main thread only), default signal
// dispositions, and exactly the descriptors asked for.
//
// Why not QProcess: QProcess forks the whole address space and costs a QObject, three
// pipes and their notifiers per child. A vfork-style clone shares the parent's memory
// until exec, so its cost does not grow with the worker's size. Measured with
// tests/bench/spawn_bench (10,000 /bin/true, 2 at once, in a process with 50 MB touched,
// 2 cores): see tests/bench/README.md for the numbers that decided it.
struct SpawnRequest
{
    QByteArray program;                             // a path; resolve PATH first (findExecutable)
    QList<QByteArray> argv;                         // argv[0] included
    const QList<QByteArray> *environment = nullptr; // "NAME=value" each; null: inherit
    QByteArray cwd;                                 // empty: the worker's
    // The child's descriptors 0, 1, 2, 3, ...: each a descriptor of the parent to dup there,
    // or -1 for /dev/null. Everything else is closed in the child.
    QList<int> fds;
    // Off only for the worker's guardian, which must outlive the worker.
    bool dieWithParent = true;
};

struct Spawned
{
    pid_t pid = -1;
    int pidfd = -1; // readable when the child exits; close it after reaping
};

enum class SpawnMethod { CloneVfork, PosixSpawn };

// Starts the child. On failure returns pid -1 with *error set ("No such file or directory").
Spawned spawnProcess(const SpawnRequest &request, QString *error);
// Which method spawnProcess() uses: clone-vfork unless BRIGADE_SPAWN=posix_spawn says
// otherwise or clone is not allowed here (then posix_spawn, without PDEATHSIG).
SpawnMethod spawnMethod();

// The path execve() would run for program with the given PATH (as execvp finds it), or an
// empty array when there is none. Programs with a slash are taken as they are.
QByteArray findExecutable(const QByteArray &program, const QByteArray &path);

// The name of a signal ("SIGSEGV"), or "signal N".
QString signalName(int signal);

} // namespace Brigade
