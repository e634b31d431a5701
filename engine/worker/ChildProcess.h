#pragma once

#include "Spawn.h"

#include <QByteArray>
#include <QObject>
#include <QTimer>

#include <functional>

class QSocketNotifier;

namespace Brigade {

class ProcessGuardian;

// One child of a worker (a command, or a long-lived program) in its own process group:
// reads its stdout and stderr as they come (no pipe can fill up and stall it), for
// programs also the fd 4 replies, and writes fd 3 requests as the pipe takes them. When
// the child exits, whatever else is left of its group is killed, so nothing it started
// outlives it; then onExited runs with the wait status.
//
// Lives on the worker's main thread (see Spawn.h). The callbacks may delete the object
// with deleteLater(), never with delete.
class ChildProcess : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        SpawnRequest spawn; // fds are filled in by start()
        int stdinFd = -1;   // handed to the child as stdin (the caller closes it); -1: /dev/null
        bool programPipes = false; // fd 3: requests in; fd 4: replies out
    };

    explicit ChildProcess(ProcessGuardian *guardian, QObject *parent = nullptr);
    ~ChildProcess() override; // a child still running is killed with its group

    bool start(Options &&options, QString *error);
    pid_t pid() const { return m_pid; }
    bool isRunning() const { return m_pid > 0; }

    // SIGTERM to the whole group, SIGKILL after graceMs if it still runs.
    void terminate(int graceMs);
    void kill(); // SIGKILL to the whole group now

    // Programs: fd 3. Bytes are queued and written as the pipe takes them.
    void writeRequests(QByteArrayView data);
    qsizetype pendingRequestBytes() const { return m_requests.size() - m_requestsOffset; }
    void closeRequests(); // end of input on fd 3

    std::function<void(QByteArrayView)> onStdout;
    std::function<void(QByteArrayView)> onStderr;
    std::function<void(QByteArrayView)> onReplies; // fd 4
    std::function<void(int waitStatus)> onExited;

private:
    struct Pipe
    {
        int fd = -1;
        QSocketNotifier *notifier = nullptr;
    };
    void openReader(Pipe &pipe, int fd, std::function<void(QByteArrayView)> ChildProcess::*sink);
    void readFrom(Pipe &pipe, std::function<void(QByteArrayView)> ChildProcess::*sink);
    static void closePipe(Pipe &pipe);
    void flushRequests();
    void onChildExit();
    void reap(bool block);

    ProcessGuardian *m_guardian;
    pid_t m_pid = -1;
    int m_pidfd = -1;
    QSocketNotifier *m_exitNotifier = nullptr;
    Pipe m_stdout, m_stderr, m_replies, m_requestPipe;
    QByteArray m_requests;
    qsizetype m_requestsOffset = 0;
    bool m_closeRequestsWhenFlushed = false;
    QTimer *m_killTimer = nullptr;
    int m_lastStatus = 0; // as waitpid() gives it
};

} // namespace Brigade
