#pragma once

#include "TaskRunner.h"
#include "usercode/CallSpec.h"
#include "usercode/ProgramSpec.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <deque>
#include <map>
#include <memory>
#include <unordered_map>

namespace Brigade {

class ProgramInstance;

// Calls of long-lived programs ("call"): each program is started on this worker the first
// time a task calls it, fed requests over its fd 3 (at most max_in_flight outstanding),
// and answers on fd 4 in any order (docs/programs.md).
//
// Faults are handled here, not by the user's code: a program that exits, crashes, talks
// garbage or hangs past a task's timeout is stopped, its calls in flight fail that attempt
// (naming the program and its last stderr line) and it is started again on the next call.
// One that never gets ready, or fails three times in a row without answering anything, is
// declared broken: its calls then fail at once, and are not retried.
class CallRunner : public QObject, public TaskRunner
{
    Q_OBJECT
public:
    static constexpr int BrokenAfterFailures = 3;
    static constexpr int HangGraceMs = 2000;   // after a timeout, time to say anything at all
    static constexpr int RetireGraceMs = 5000; // after end of input, time to exit

    explicit CallRunner(RunnerHost &host);
    ~CallRunner() override;

    void configure() override;
    void start(RunnerTask &&task) override;
    void flush() override;
    void abort(qint32 row, quint16 attempt, Abort why, AttemptResult *partial) override;
    void tick() override;
    int queued() const override;

private:
    struct Program;
    struct Instance;
    struct Call
    {
        qint32 row = 0;
        quint16 attempt = 0;
        QString id;
        CallSpec spec;
        QByteArray body;
        Program *program = nullptr;
        Instance *instance = nullptr; // while it is in flight there
        int slotCount = 0;
        bool holdsSlots = false;
        bool waitingForSlots = false;
        QByteArray log; // lines the program logged for this call
        qint64 sentNs = 0;
    };
    struct Instance
    {
        ProgramInstance *process = nullptr;
        qint64 pid = -1;
        bool ready = false;
        bool draining = false; // recycled: takes nothing new, exits when done
        bool stopped = false;
        quint64 sent = 0;
        qint64 answered = 0;             // successful replies
        QHash<QString, Call *> inFlight; // by task id
        QTimer *startupTimer = nullptr;
        QTimer *hangTimer = nullptr;
    };
    struct Program
    {
        ProgramSpec spec;
        std::deque<Call *> queue;                         // waiting for a ready instance with room
        std::vector<std::unique_ptr<Instance>> instances; // the current one last
        int failuresInARow = 0;
        bool broken = false;
        QString brokenReason;
        QByteArray brokenStderr;
    };

    Program *program(const QString &name);
    void route(Call *call);
    void pump(Program *p);
    // Requests pump() queued go out once the event loop is back: one write for all of them.
    void scheduleFlush();
    Instance *startInstance(Program *p);
    void onLine(Program *p, Instance *in, const QJsonObject &line);
    void onExited(Program *p, Instance *in, int waitStatus);
    // The instance misbehaved: stop it, fail its calls, maybe declare the program broken.
    void fault(Program *p, Instance *in, const QString &what, int waitStatus = -1);
    void declareBroken(Program *p, const QString &reason, const QByteArray &stderrTail);
    void failBroken(Call *call);
    void finishCall(Call *call, AttemptResult &&r);
    void dropCall(Call *call); // no report: aborted
    void logEvent(const Program *p, const QString &text);
    // End of input for a recycled process whose calls are done; stopped if it lingers.
    void retire(Instance *in);
    QString displayCommand(const Call &call) const;

    std::unordered_map<qint32, std::unique_ptr<Call>> m_calls; // by row
    std::map<QString, std::unique_ptr<Program>> m_programs;
    QList<QByteArray> m_baseEnv;
    QElapsedTimer m_clock;
    bool m_flushScheduled = false;
};

} // namespace Brigade
