#pragma once

#include "IntakeTrust.h"
#include "OpenedRun.h"
#include "SpecChange.h"
#include "SubmitIntake.h"
#include "core/Result.h"
#include "job/Job.h"
#include "run/RunSettings.h"
#include "run/RunStats.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace Brigade {

class Engine;
class FeedGate;
class JournalWait;
class ProgramLog;
class SubmitServer;
class TaskFeed;
struct FeedSource;

// How a batch is kept and run, for every front end: the window and the command line
// only show what it does and ask it. It
//
// - opens a batch file or a run journal in one call (open(), any thread);
// - runs, resumes, retries failed or chosen tasks, pauses and cancels, each run a Job
//   (TaskRunJob, or MapReduceJob for a MapReduce batch);
// - owns the journal: made by the engine from the batch's bytes when a batch first runs,
//   reopened by later runs, every reset recorded through the engine;
// - leaves every write to the task store to the engine thread.
//
// One rule for both front ends: a task is finished when it succeeded, failed or was
// skipped (given up on with a reason). A task cancelled by the user is not: resume() and
// run() run it again.
//
// Call from one thread; signals arrive on it.
class RunSession : public QObject
{
    Q_OBJECT
public:
    enum class RunKind {
        Run,           // the first run of a batch
        Resume,        // the tasks that did not finish (never ran, or cancelled)
        RetryFailed,   // the failed tasks again, with fresh attempts
        RetrySelected, // chosen finished tasks again
        RunAgain,      // every task again, after all had finished
        RetryChanged,  // chosen finished tasks again, with changed specs (SpecChange)
        Reopen,        // tasks added to a run that had ended (a window's intake)
    };
    // As recorded in the journal's list of runs: "run", "resume", "retry-failed", "retry",
    // "run-again", "retry-changed", "reopen".
    static QString kindName(RunKind kind);

    explicit RunSession(QObject *parent = nullptr);
    ~RunSession() override;

    // Opens path: a run journal (recognised by its content) or a batch file. Fails only
    // when the file cannot be used at all (missing, a folder, unreadable, not a journal
    // Brigade can read); a batch's problems are in batch->errors. Runs on any thread.
    static Result<OpenedRun> open(const QString &path, const OpenOptions &options = {});
    // Opens the batch at batchPath to run it against the journal of an earlier run of it,
    // edited or reordered since: every task that finished there and is the same task
    // (TaskIdentity) keeps its result, the others run (see ResumePlan, in resumePlan).
    // Nothing is written: makeEditedJournal() makes the run's journal. Runs on any thread.
    static Result<OpenedRun> openEdited(const QString &batchPath, const QString &journalPath,
                                        ResumePlan::Mode mode, const OpenOptions &options = {});
    // Makes the journal of a run of openEdited()'s batch at path, holding the batch and the
    // kept results: adopt() opened then, and resume() runs the rest. Runs on any thread.
    static Status makeEditedJournal(OpenedRun *opened, const QString &path);
    // The newest journal in the default directory made by a run of this batch file (by
    // path, whatever its content now), or empty.
    static QString lastJournalOf(const QString &batchPath);
    // brigade run LIST -- PROG ARG...: a task per line of the list at listPath ("-":
    // standard input) running command in cwd, opened as the batch CommandLineBatch::make()
    // makes of them, which its journal holds (so --resume and retry-failed need nothing
    // else). Fails when the list cannot be read. Runs on any thread.
    static Result<OpenedRun> openCommandLine(const QString &listPath, const QStringList &command,
                                             const QString &cwd, const OpenOptions &options = {});
    // A run whose tasks arrive while it runs (brigade run -, --follow FILE): no tasks yet,
    // named batchName (a .jsonl name: its journal's batch holds the lines as they came).
    static OpenedRun openFeed(const QString &batchName);
    // Whether path holds a run journal (an SQLite file) rather than a batch.
    static bool isJournalFile(const QString &path);

    // What this session runs from now on. A job in progress is killed and dropped.
    void adopt(OpenedRun opened);
    const OpenedRun &opened() const { return m_opened; }
    std::shared_ptr<TaskStore> store() const { return m_opened.store; }
    bool isMapReduce() const { return m_opened.isMapReduce(); }

    // The journal: the one opened, the one the first run created, or empty.
    QString journalPath() const { return m_journalPath; }
    // For the first run of a batch: record into this file instead of a new one in
    // Journal::defaultDirectory(); empty restores the default. Or no journal at all.
    void setJournalPath(const QString &path) { m_chosenJournal = path; }
    void setJournalling(bool on) { m_journalling = on; }

    // Tasks neither succeeded, failed nor skipped: what resume() runs.
    qint64 unfinishedTasks() const;
    // What run() would do now, whether it has anything to run, and whether it makes a
    // journal (the first run of a batch of tasks, journalling on).
    RunKind nextRunKind() const;
    bool canRun() const;
    bool runMakesJournal() const;

    // Every run returns its job (started; owned by the session until the next one), or why
    // nothing could start. While a task run goes on, the retries join it.
    Result<Job *> run(const RunSettings &settings);
    Result<Job *> resume(const RunSettings &settings);
    Result<Job *> retryFailed(const RunSettings &settings);
    Result<Job *> retrySelected(const QVector<int> &rows, const RunSettings &settings);
    // Chosen finished tasks again with their specs changed (a header, the URL's host, the
    // timeout, the attempts). The journal records the change with every task's spec before
    // and after, and a later resume or retry runs the changed specs.
    Result<Job *> retryChanged(const QVector<int> &rows, const SpecChange &change,
                               const RunSettings &settings);
    void cancelTasks(const QVector<int> &rows);
    // Gives up on these tasks, with a reason (required): they end as skipped, which is not
    // a failure, so a run whose other tasks all succeeded ends clean. Running ones are
    // stopped; succeeded ones are left alone. Journaled; tasksSkipped() follows. A batch
    // must have run (or a journal be open) first.
    Status skipTasks(const QVector<int> &rows, const QString &reason);
    // Raises (delta > 0) or lowers the priority of those rows that are still queued.
    void changePriority(const QVector<int> &rows, int delta);
    // The first run of a batch from openFeed(): runs the tasks source gives as they come
    // (see TaskFeed), journaled as they are taken. The run ends when the source ends and its
    // tasks have finished. feedLineRejected() and feedEnded() tell how the reading goes.
    Result<Job *> runFeed(const FeedSource &source, const RunSettings &settings);
    // Runs from now on (fed or not) retire their finished tasks (RunSettings::
    // retireFinished) once every receiver of tasksFinished() and the progress() after it
    // has seen them, and the journal has them: memory stays flat however long the feed or
    // the batch. Only for front ends that look at no finished row later (the command line;
    // a window shows every row).
    void setRetireFinished(bool on) { m_retireFinished = on; }
    // The feed of the current run (null when it is not fed), e.g. to stop() reading.
    TaskFeed *feed() const { return m_feed.get(); }

    // The next task run takes tasks from other processes while it runs (brigade submit):
    // a SubmitServer listens at SubmitServer::socketDirectory()/name, and what it is sent
    // joins the run through a SubmitIntake (parsed as lines after the batch's, journaled
    // before the submitter hears they were accepted). The run ends once its tasks are done
    // and no submission is in progress. Empty name: no intake (the default).
    //
    // reopensRun (the window): the intake is made by the first task run of the adopted
    // batch and lasts until another is adopted. Runs end as usual once their tasks are done
    // and no submission is in progress, but tasks submitted or added (addTasksFrom) to a
    // run that has ended start it again: a Reopen job begins (jobStarted()), and ends like
    // any run. The command line's run ends for good (the program exits with it).
    void setIntake(const QString &name, qint64 maxQueued = 100000, bool reopensRun = false);
    // The name both front ends listen under: the batch file's base name and this process's
    // id ("urls-4242"), as brigade submit --to takes it.
    static QString intakeNameFor(const QString &batchPath);
    // The file's lines join the run exactly as a submission's (SubmitIntake: parsed off the
    // caller's thread, journaled before they count; a run that ended is reopened when the
    // intake reopens runs). A .txt file is a list of URLs (UrlListLines): its lines are
    // journaled as {"fetch": URL}, and its problems are placed in the lines as written.
    // trust: the user's code its tasks may run (the window asks first, checkTasksFrom()).
    // tasksAdded() answers. Fails at once without an intake.
    Status addTasksFrom(const QString &path, const IntakeTrust &trust = {});
    // Reads the file as addTasksFrom() would and finds the user's code its tasks would run
    // (commands, calls of programs), taking nothing: what the window shows before it adds
    // them. Off the caller's thread; tasksChecked() answers. Fails at once without an intake.
    Status checkTasksFrom(const QString &path);
    // What brigade submit's lines may run (SubmitIntake::setSubmitTrust), for this and
    // every later intake of the session: everything unless set (the command line's rule).
    void setSubmitTrust(const IntakeTrust &trust);
    IntakeTrust submitTrust() const { return m_submitTrust; }
    // Additions from files not answered yet.
    int addsInProgress() const { return m_adding; }
    // The current run's server (null when it takes no submissions).
    SubmitServer *submitServer() const { return m_submitServer.get(); }
    std::shared_ptr<SubmitIntake> intake() const { return m_intake; }

    // The rows the opened journal had finished that the current job does not run again, in
    // the order they finished: with the job's own, one result per task.
    QVector<int> earlierResults() const { return m_earlier; }

    // Failed and retrying tasks grouped by cause: the opened journal's until a run starts,
    // then the run's (which go on from the journal's), as failuresChanged() last said.
    FailureSummary failures() const { return m_failures; }
    // The tasks now in these failure groups (FailureGroup::ids), found off the caller's
    // thread while a run's engine has the groups; failureRowsFound(token, rows) answers,
    // queued. Returns the token.
    quint64 findFailureRows(const QVector<int> &groupIds);

    Job *job() const { return m_job; }
    bool isRunning() const;
    // The engine running the tasks or the MapReduce job's chunks (null before the first
    // run), for views of workers and cores.
    Engine *engine() const;
    // What the batch's long-lived programs wrote, per program (programLogChanged() says when
    // it grew); null for a MapReduce job. Readable from any thread.
    std::shared_ptr<const ProgramLog> programLog() const;

signals:
    // A new job began (run, resume, retry, a MapReduce job): it is running, and its result()
    // comes later. Its engine is engine().
    void jobStarted(Brigade::Job *job);
    void journalChanged(const QString &path);
    // A task run's engine, forwarded (MapReduce jobs report through their own signals).
    void started();
    void progress(const Brigade::RunStats &stats);
    void tasksChanged(const QVector<int> &rows);
    void tasksFinished(const QVector<int> &rows);
    void programLogChanged(const QStringList &programs);
    void finished(const Brigade::RunStats &stats);
    // The failure groups changed (a run's engine, or a journal adopted).
    void failuresChanged(const Brigade::FailureSummary &failures);
    void failureRowsFound(quint64 token, const QVector<int> &rows);
    void tasksSkipped(const QVector<int> &rows);
    // Any job's engine, forwarded.
    void loadSampled(const Brigade::LoadSample &sample);
    void workerMessage(int slot, const QString &message);
    void message(const QString &text);
    // The fed run's input: a line that made no task ("name:line:column: message"), and the
    // end of reading (accepted tasks, bad lines, a read error if that ended it).
    void feedLineRejected(const Brigade::BatchError &error);
    void feedEnded(qint64 accepted, qint64 rejected, const QString &error);
    // A submission to the intake was answered (or its client went away).
    void submissionEnded(qint64 accepted, qint64 rejected);
    // addTasksFrom(path) is done: the tasks accepted (journaled), every bad line as
    // "FILE:LINE:COLUMN: message", and why it stopped early if it did.
    void tasksAdded(const QString &path, qint64 accepted, const QStringList &rejected,
                    const QString &error);
    // checkTasksFrom(path) is done: the user's code its tasks would run, or why the file
    // could not be read.
    void tasksChecked(const QString &path, const Brigade::SubmitIntake::UserCode &code,
                      const QString &error);

private:
    Result<Job *> startTasks(RunKind kind, const QVector<int> &reset, const RunSettings &settings);
    Result<Job *> startMapReduce(const RunSettings &settings);
    QVector<int> finishedOf(const QVector<int> &rows) const;
    // A batch file this session has not run yet: every task queued, no journal.
    bool isFresh() const;
    void connectEngine(Engine *engine, bool tasks);
    void dropJob();
    // Before a task run starts: its intake and server, when setIntake() asked for them.
    Status openIntake();
    void closeIntakeIfIdle();
    // The engine started a run no job of ours started: tasks added reopened it.
    void onEngineStarted();
    // Ends additions from files (addTasksFrom), before the intake or the engine goes.
    void stopAdding();

    OpenedRun m_opened;
    std::unique_ptr<Engine> m_engine;             // the task engine, one per adopted batch
    std::unique_ptr<TaskFeed> m_feed;             // reads before the engine goes
    std::unique_ptr<SubmitServer> m_submitServer; // goes before the engine too
    std::shared_ptr<SubmitIntake> m_intake;
    QString m_intakeName;
    qint64 m_intakeMaxQueued = 100000;
    bool m_intakeReopens = false;
    IntakeTrust m_submitTrust;
    int m_adding = 0;
    // The additions' wait for their tasks to be journaled; stopped (and replaced) when the
    // intake or the engine goes.
    std::shared_ptr<JournalWait> m_addWait;
    QThreadPool m_addPool;   // reads and takes files' lines (addTasksFrom)
    QThreadPool m_checkPool; // reads files for their code (checkTasksFrom)
    QPointer<Job> m_job;
    QString m_journalPath;
    QString m_chosenJournal;
    QVector<int> m_earlier;
    FailureSummary m_failures;
    QHash<quint64, quint64> m_pendingRows; // the engine's token -> the caller's
    quint64 m_nextToken = 1;
    bool m_journalling = true;
    bool m_tasksStarted = false; // a task run was started on the adopted batch
    bool m_retireFinished = false;
    bool m_retiring = false;  // the current run retires its finished rows
    QVector<int> m_toRelease; // finished rows to release after the next progress()
};

} // namespace Brigade
