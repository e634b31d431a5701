#pragma once

#include "TaskRunner.h"
#include "usercode/CommandSpec.h"
#include "usercode/TaskContext.h"

#include <QHash>
#include <QObject>
#include <QTemporaryDir>

#include <memory>
#include <unordered_map>
#include <unordered_set>

namespace Brigade {

class ChildProcess;

// Command tasks ("exec"): one process per attempt, holding its compute slots while it runs.
// Exit 0 is success and stdout the result; anything else fails the attempt with the exit
// code or signal and the last line of stderr. A timeout or cancel ends the process group
// (SIGTERM, then SIGKILL); the slots are given back when the process is really gone.
class ExecRunner : public QObject, public TaskRunner
{
    Q_OBJECT
public:
    explicit ExecRunner(RunnerHost &host);
    ~ExecRunner() override;

    void start(RunnerTask &&task) override;
    void abort(qint32 row, quint16 attempt, Abort why, AttemptResult *partial) override;
    int queued() const override { return m_waiting; }

private:
    struct Attempt
    {
        qint32 row = 0;
        quint16 attempt = 0;
        CommandSpec spec;
        TaskContext context;
        RunnerTask task;
        int slotCount = 0;
        bool holdsSlots = false;
        bool waiting = false; // for slots
        ChildProcess *process = nullptr;
        QString command;
        QByteArray stdoutBytes;
        QByteArray stderrTail;
        QString bodyFile;
        qint64 startedNs = 0;
    };

    void launch(Attempt *a);
    void onExited(Attempt *a, int waitStatus);
    // Reports the attempt and lets go of it (its process, if any, is left to die).
    void report(Attempt *a, AttemptResult &&r);
    ProcessOutcome outcomeOf(const Attempt &a) const;
    // The attempt leaves m_live (and may still have a process to wait for).
    std::unique_ptr<Attempt> detach(qint32 row);
    void cleanUp(Attempt *a);
    QByteArray resolveProgram(const QByteArray &program, const QByteArray &path);

    std::unordered_map<qint32, std::unique_ptr<Attempt>> m_live;     // by row
    std::unordered_map<Attempt *, std::unique_ptr<Attempt>> m_dying; // reported, process alive
    int m_waiting = 0;
    QList<QByteArray> m_baseEnv;
    QByteArray m_basePath;
    QHash<QByteArray, QByteArray> m_pathCache;
    std::unique_ptr<QTemporaryDir> m_bodyDir;
};

} // namespace Brigade
