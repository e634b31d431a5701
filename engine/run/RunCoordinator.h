#pragma once

#include "HostPacer.h"
#include "LoadMonitor.h"
#include "ReadyQueue.h"
#include "RunSettings.h"
#include "RunStats.h"
#include "core/ProgramLog.h"
#include "core/TaskStore.h"
#include "failures/FailureGroups.h"
#include "journal/Journal.h"
#include "protocol/Messages.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QThread>
#include <QTimer>
#include <queue>

#include <deque>
#include <functional>
#include <memory>
#include <random>

namespace Brigade {

class FeedGate;
class JournalWriter;
class WorkerProcess;

namespace Internal {

// The engine proper. Lives on the engine thread; only Engine talks to it.
// Hands queued tasks to workers within each worker's credit, applies their results to the
// store, schedules retries, replaces lost workers, and emits coalesced progress.
class RunCoordinator : public QObject
{
    Q_OBJECT
public:
    explicit RunCoordinator(QObject *parent = nullptr);
    ~RunCoordinator() override;

    // Where the programs' output goes (before start; shared with the Engine's callers).
    void setProgramLog(std::shared_ptr<ProgramLog> log) { m_programLog = std::move(log); }
    // reset: finished rows to run again with fresh attempts (journaled as reset first).
    // earlierFailures: the failures of store recorded before (a journal's), taken as the
    // start of its groups when store is new to this coordinator.
    void start(std::shared_ptr<TaskStore> store, const RunSettings &settings,
               const QVector<int> &reset = {},
               std::shared_ptr<const FailureGroups> earlierFailures = {});
    void setPaused(bool paused);
    void cancelAll();
    void cancelTasks(const QVector<int> &rows);
    void retryTasks(const QVector<int> &rows);
    // Gives up on these tasks with a reason (not succeeded, not running between runs);
    // journaled. tasksSkipped() says which.
    void skipTasks(const std::shared_ptr<TaskStore> &store, const QVector<int> &rows,
                   const QString &reason, const QString &journalPath,
                   const std::shared_ptr<const FailureGroups> &earlierFailures);
    // Gives rows of store new shapes (a retry with changes), and journals the edit: now, or
    // when the next run opens the journal.
    void changeTasks(const std::shared_ptr<TaskStore> &store, const QVector<int> &rows,
                     const QVector<std::shared_ptr<const TaskShape>> &shapes,
                     const JournalEdit &edit);
    // Adds delta to the priority of the rows still queued (see ReadyQueue).
    void changePriority(const QVector<int> &rows, int delta, const QByteArray &change);
    void killWorker(int slot); // for tests and the "restart worker" action
    void findFailureRows(quint64 token, const QVector<int> &ids);
    void shutdown();

    // Feeding a running run (see Engine::openFeed). While a feed is open the run does not
    // end when its tasks have; gate hears how many tasks are queued. reopens: tasks added
    // after the run ended start it again (see Engine::openFeed).
    void openFeed(std::shared_ptr<FeedGate> gate, bool reopens = false);
    void closeFeed();
    // New tasks after the last row: lines (their batch lines) are journaled first, then the
    // tasks join the run.
    void checkFeed() { checkDone(); }
    void addTasks(QVector<TaskSpec> specs, const QByteArray &lines,
                  std::function<void()> taken = {});
    // A streamed run (RunSettings::retireFinished): the front end is done with these
    // finished rows; they retire from the store once the journal has them too.
    void releaseRows(const QVector<int> &rows);

signals:
    void started();
    void progress(const Brigade::RunStats &stats);
    void tasksChanged(const QVector<int> &rows);
    void tasksFinished(const QVector<int> &rows); // completion order, each finish once
    void failuresChanged(const Brigade::FailureSummary &failures);
    // The tasks in failure groups ids (see FailureGroups::rowsOf), asked for with token.
    void failureRowsFound(quint64 token, const QVector<int> &rows);
    void loadSampled(const Brigade::LoadSample &sample);
    void workerMessage(int slot, const QString &message);
    void programLogChanged(const QStringList &programs);
    void message(const QString &text);
    void finished(const Brigade::RunStats &stats);
    void tasksSkipped(const QVector<int> &rows);
    // A fed run has nothing left to run: only its open feed keeps it going.
    void feedIdle();

private:
    struct Slot
    {
        WorkerProcess *process = nullptr;
        quint32 incarnation = 0;
        int inFlight = 0;
        WorkerInfo info;
        quint64 lastCpuUs = 0;
        qint64 lastCpuAtMs = 0;
        int programsSent = 0; // how many of m_programs its configure frames held
    };
    struct HostRecord
    {
        int lostWorkers = 0;
        int failedInARow = 0;
        qint64 succeeded = 0;
        bool blocked = false;
    };
    struct RetryEntry
    {
        qint64 dueMs;
        int row;
        bool operator>(const RetryEntry &o) const { return dueMs > o.dueMs; }
    };

    qint64 nowMs() const { return m_clock.elapsed(); }
    // Starts the ended run again for tasks added to a feed that reopens.
    void reopen();
    void acceptTasks(const std::shared_ptr<TaskStore> &store, QVector<TaskSpec> specs);
    void reportQueued();
    // Retires rows of store (released by the front end, journaled) and frees the per-row
    // tables' blocks the store freed.
    void retireRows(const std::shared_ptr<TaskStore> &store, const QVector<int> &rows);
    void releaseBlock(int block);
    void clearEndedBlocks();
    // What the feeder's gate counts as held: unstarted tasks, and in a retiring run the
    // finished ones not retired yet.
    qint64 feedHeld() const;
    // Rows finished and not yet retired (a run that retires them).
    qint64 finishedHeld() const;
    void launchSlot(int slot);
    void onWorkerReady(int slot, quint32 incarnation);
    void onResults(int slot, quint32 incarnation, const QVector<AttemptResult> &results);
    void onHeartbeat(int slot, quint32 incarnation, const HeartbeatMsg &hb);
    void onOutput(int slot, quint32 incarnation, const OutputMsg &output);
    QByteArray configureFrame(int slot);
    void noteProgram(const std::shared_ptr<const ProgramSpec> &program);
    void onWorkerLost(int slot, quint32 incarnation, const QString &reason);
    QString hostOf(int slot) const;
    bool otherHealthyHost(const QString &host) const;
    void blockHost(const QString &host, const QString &why);
    void dispatch();
    void armPaceTimer();
    // Journals a change to tasks' specs, or keeps it until the journal is open.
    void recordEdit(const JournalEdit &edit);
    qint32 priorityOf(int row) const;
    ReadyQueue::Entry readyEntry(int row, qint64 readyAtMs) const
    {
        return ReadyQueue::Entry{row, priorityOf(row), readyAtMs};
    }
    // A 429/503 with Retry-After: the host pauses for every worker and the task waits for
    // it without the attempt counting. False when the task has been deferred too often.
    bool deferForRetryAfter(int row, TaskState &st, const AttemptResult &r, qint64 now,
                            qint64 nowUs);
    void promoteRetries();
    void armRetryTimer();
    void setStatus(TaskState &st, TaskStatus status);
    // Keeps m_againQueued/m_againRunning in step: sign -1 before a change of st, +1 after.
    void countAgain(const TaskState &st, int sign);
    void markChanged(int row);
    void finishRow(int row);
    void emitUpdates();
    void sampleLoad();
    void checkDone();
    void stopWorkers();
    void openJournal();
    // Under the store's write lock: finished rows back to a fresh queued state, the reset
    // journaled (the one place resets are). counted: keep m_counts up to date.
    // Ends these tasks as cancelled or skipped (running ones are cancelled on their worker;
    // skipped also takes failed and cancelled ones). Returns the rows it ended.
    QVector<int> endTasks(const QVector<int> &rows, TaskStatus status, const QString &message);
    QVector<int> resetRows(TaskStates &states, TaskStore &store, const QVector<int> &rows,
                           bool counted);
    qint64 openTasks() const; // neither succeeded nor failed
    void closeJournal();
    RunStats makeStats() const;
    quint16 maxAttemptsOf(int row) const;
    TaskSpec currentSpec(int row) const;
    // Adds the attempt of row that just ended (st: its state, still of that attempt) to the
    // store's attempt log, for the timeline and the time breakdown.
    void logAttempt(int row, const TaskState &st, AttemptOutcome outcome, qint64 endUs,
                    quint32 fetchUs = 0, quint32 computeUs = 0, quint32 backoffMs = 0);
    // Running attempts, for the timeline: one joins at dispatch, leaves when logged; the
    // log gets the list with the next update.
    void noteRunning(int row, const TaskState &st, qint64 dispatchedUs);
    void dropRunning(int row);
    void publishRunning();

    std::shared_ptr<TaskStore> m_store;
    RunSettings m_settings;
    bool m_active = false;
    bool m_paused = false;
    bool m_cancelling = false;
    QElapsedTimer m_clock;
    std::mt19937 m_rng;

    ReadyQueue m_ready;
    HostPacer m_pacer;
    RowBlocks<qint32> m_rowHost{-1}; // the pacer's host of each row's attempt, -1: none
    RowBlocks<quint16> m_deferrals;  // Retry-After deferrals of each row
    std::priority_queue<RetryEntry, std::vector<RetryEntry>, std::greater<RetryEntry>> m_retries;
    QTimer m_retryTimer;
    QTimer m_paceTimer; // wakes dispatch when a paced host may start a parked task

    QVector<Slot> m_slots;
    QList<WorkerGroup> m_slotGroups;
    QHash<QString, HostRecord> m_hosts;
    RowBlocks<quint32> m_assignedTo;   // incarnation running each row
    AttemptLog *m_log = nullptr;       // the store's
    qint64 m_runStartUs = 0;           // m_clock's start on the log's clock
    RowBlocks<qint64> m_dispatchedUs;  // on the log's clock, each row's latest attempt
    QVector<quint16> m_slotLane;       // each slot's timeline lane, once it said hello
    QVector<RunningAttempt> m_running; // on workers now, in no order
    RowBlocks<qint32> m_runningAt{-1}; // each row's index in m_running, -1: none
    bool m_runningChanged = false;
    qint64 m_runningPublishedMs = 0;
    quint32 m_nextIncarnation = 1;
    int m_roundRobin = 0;

    std::array<qint64, TaskStatusCount> m_counts{};
    // Queued and Running tasks on a second or later attempt: counted as retrying.
    qint64 m_againQueued = 0;
    qint64 m_againRunning = 0;
    qint64 m_attemptsDone = 0;
    qint64 m_retiredRows = 0; // the store's, as of the last retirement
    QVector<int> m_changed;
    RowBlocks<quint8> m_changedFlag;
    QVector<int> m_finishedRows;

    // The programs "call" tasks need, as the first of their tasks are handed out: workers
    // get them in a configure frame before the tasks that call them.
    QVector<ProgramSpec> m_programs;
    const ProgramSpec *m_lastProgram = nullptr;
    std::shared_ptr<ProgramLog> m_programLog;
    QStringList m_programLogChanged;
    FailureGroups m_failures;

    QThread *m_journalThread = nullptr;
    JournalWriter *m_journal = nullptr;
    QString m_journalPath;
    QList<JournalEdit> m_pendingEdits; // made before the journal was open

    // A fed run: the gate, whether more may come, and tasks on their way via the journal.
    std::shared_ptr<FeedGate> m_feed;
    bool m_feedOpen = false;
    bool m_feedReopens = false;
    qint64 m_feedPending = 0;
    // Added while a cancel was under way, to a feed that reopens: they join the run that
    // the cancel's end reopens (journaled: their lines are in the journal already).
    struct HeldTasks
    {
        QVector<TaskSpec> specs;
        QByteArray lines;
        std::function<void()> taken;
        bool journaled = false;
    };
    QList<HeldTasks> m_held;

    QTimer m_updateTimer;
    QTimer m_loadTimer;
    LoadMonitor m_load;
    // Recent finish counts for the rate: (ms, finished) samples.
    std::deque<std::pair<qint64, qint64>> m_rateWindow;
    // The first sample of this run: once it ends, its rate is its average, not its last
    // seconds' (a run's tail of slow stragglers says little of the run).
    std::pair<qint64, qint64> m_rateStart{-1, 0};
};

} // namespace Internal
} // namespace Brigade
