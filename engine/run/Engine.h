#pragma once

#include "RunSettings.h"
#include "RunStats.h"
#include "core/ProgramLog.h"
#include "core/TaskStore.h"
#include "failures/FailureGroups.h"
#include "journal/Journal.h"

#include <QObject>
#include <QThread>

#include <functional>
#include <memory>

namespace Brigade {

class FeedGate;

namespace Internal {
class RunCoordinator;
}

// The public face of the engine. Call it from one thread (the GUI or CLI main thread);
// the work happens on the engine's own thread, so a caller's event loop never stalls on
// worker IO. Signals arrive in the caller's thread, coalesced to a few tens per second.
//
// The TaskStore is shared: the engine writes task states, views read them under its lock.
class Engine : public QObject
{
    Q_OBJECT
public:
    explicit Engine(QObject *parent = nullptr);
    ~Engine() override;

    // Runs every task of store that has not finished, and the finished rows of reset again
    // (fresh attempts; the reset is journaled before anything runs). A run in progress is
    // replaced. Front ends go through RunSession, which decides what a run runs.
    // earlierFailures: failures of store recorded before (a journal's), where the failure
    // groups of its first run start from.
    void start(std::shared_ptr<TaskStore> store, const RunSettings &settings,
               const QVector<int> &reset = {},
               std::shared_ptr<const FailureGroups> earlierFailures = {});
    std::shared_ptr<TaskStore> store() const { return m_store; }
    // What the run's long-lived programs wrote, per program (programLogChanged() says when
    // it grew). Kept for the Engine's life; readable from any thread.
    std::shared_ptr<const ProgramLog> programLog() const { return m_programLog; }
    bool isRunning() const { return m_running; }

    void pause(); // no new attempts start; those in flight finish
    void resume();
    void cancel(); // every unfinished task ends as cancelled; finished() follows
    void cancelTasks(const QVector<int> &rows);
    // Runs these finished tasks again with fresh attempt counts; everything else keeps its
    // result. Starts the workers again if the run had finished.
    void retryTasks(const QVector<int> &rows);
    // Gives these rows of store new shapes (shapes[i] for rows[i]; a retry with changes,
    // SpecChange) and journals edit, now or as the next run starts. Retrying them is the
    // caller's next call (retryTasks(), or start()).
    void changeTasks(std::shared_ptr<TaskStore> store, const QVector<int> &rows,
                     QVector<std::shared_ptr<const TaskShape>> shapes, const JournalEdit &edit);
    // Gives up on these tasks of store with a reason: they end as skipped, running ones
    // cancelled on their worker (during a run), failed and cancelled ones too. Journaled in
    // journalPath (during a run: the run's journal); tasksSkipped() says which, once written.
    void skipTasks(std::shared_ptr<TaskStore> store, const QVector<int> &rows,
                   const QString &reason, const QString &journalPath,
                   std::shared_ptr<const FailureGroups> earlierFailures = {});
    // Adds delta to the priority of these tasks where they are still queued: they start
    // sooner (delta > 0) or later than other ready tasks (see ReadyQueue for the rule).
    // change is the journal's record of it (SpecChange::toJson with priorityDelta).
    void changePriority(const QVector<int> &rows, int delta, const QByteArray &change);
    void killWorker(int slot);

    // Feeding a running run. openFeed() before start(): the run then does not end when its
    // tasks have, but when closeFeed() was called and every task added by then finished
    // (or at cancel(), which drops what is still on its way). gate: the engine's queue of
    // unstarted tasks, for the feeder's back-pressure.
    //
    // reopens: the feed outlives the run (the window's intake). The gate stays open when the
    // run ends or is cancelled, and tasks added to a run that has ended start it again on
    // the same store and journal (journaled as a run "reopen", with the feed open again):
    // started() comes first, and finished() again once they are done and closeFeed() was
    // called. Tasks added while a cancel is under way wait for it and then reopen the run.
    void openFeed(std::shared_ptr<FeedGate> gate, bool reopens = false);
    void closeFeed();
    // Looks whether the fed run has anything left to run: feedIdle() if not.
    void checkFeed();
    // Adds tasks after the store's last row, any thread: their lines (a batch's lines that
    // make exactly these tasks, after the batch so far) go to the journal before the tasks
    // count, so a resume runs them too. Call gate->sent() for them first. taken, if set, is
    // called on the engine thread once they count (journaled), or were dropped (the run
    // is over): a submitter is answered only then.
    void addTasks(QVector<TaskSpec> specs, QByteArray lines, std::function<void()> taken = {});
    // A run with RunSettings::retireFinished: the caller is done with these finished rows
    // (shown, written out); they retire from the store once journaled (TaskStore::
    // retireLocked). Ignored otherwise.
    void releaseRows(const QVector<int> &rows);
    // The tasks now in these failure groups (FailureGroup::ids), computed on the engine
    // thread; failureRowsFound(token, rows) answers. Returns the token.
    quint64 findFailureRows(const QVector<int> &groupIds);

signals:
    void started();
    void progress(const Brigade::RunStats &stats);
    void tasksChanged(const QVector<int> &rows);
    // Tasks that reached a final state, in completion order; each exactly once per start.
    void tasksFinished(const QVector<int> &rows);
    // Failed and retrying tasks grouped by cause, whenever the groups change (at most with
    // each progress update), and once at every start.
    void failuresChanged(const Brigade::FailureSummary &failures);
    void failureRowsFound(quint64 token, const QVector<int> &rows);
    void loadSampled(const Brigade::LoadSample &sample);
    void workerMessage(int slot, const QString &message);
    // These programs' logs grew (coalesced like tasksChanged()).
    void programLogChanged(const QStringList &programs);
    // A fed run has run everything it was given; only the open feed keeps it going (a
    // front end that feeds it may now closeFeed()).
    void feedIdle();
    void message(const QString &text); // engine-level news, e.g. a journal that cannot be written
    void finished(const Brigade::RunStats &stats);
    void tasksSkipped(const QVector<int> &rows);

private:
    QThread m_thread;
    Internal::RunCoordinator *m_core;
    std::shared_ptr<TaskStore> m_store;
    std::shared_ptr<ProgramLog> m_programLog;
    bool m_running = false;
    quint64 m_nextToken = 1;
};

} // namespace Brigade
