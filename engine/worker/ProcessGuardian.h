#pragma once

#include <sys/types.h>

namespace Brigade {

// Ends every process group a worker started when the worker ends, however it ends: also
// when it is killed with SIGKILL, when its engine is killed (the worker then exits at the
// end of its input) or when it crashes. A small process of its own ("brigade-worker
// --guardian", started on first use) is told on a pipe which groups the worker starts and
// stops; when the pipe closes, because the worker is gone, it sends SIGTERM to the groups
// still listed and SIGKILL after KillGraceMs.
//
// Process groups alone cover a command's children while the worker lives (it kills the
// group when the task ends); PR_SET_PDEATHSIG covers only the direct child; this covers
// the rest. Checked by tests/engine/tst_exec (process trees after SIGKILL of a worker and
// of an engine).
class ProcessGuardian
{
public:
    static constexpr int KillGraceMs = 1000;

    ProcessGuardian() = default;
    ~ProcessGuardian();
    ProcessGuardian(const ProcessGuardian &) = delete;
    ProcessGuardian &operator=(const ProcessGuardian &) = delete;

    // The worker's side; from its main thread.
    void watch(pid_t group);
    void unwatch(pid_t group);
    bool isRunning() const { return m_fd >= 0; }

    // The guardian's main(): reads records from fd 0 until it closes, then ends the groups.
    static int main();

private:
    void ensureStarted();
    void send(char op, pid_t group);

    int m_fd = -1;
    bool m_failed = false;
};

} // namespace Brigade
