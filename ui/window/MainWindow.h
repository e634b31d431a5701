#pragma once

#include "BatchLoader.h"
#include "HelpDialog.h"
#include "core/Result.h"
#include "run/RunSettings.h"
#include "run/RunStats.h"
#include "session/RunEndActions.h"
#include "session/SubmitIntake.h"
#include "window/failures/FailuresView.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QStackedWidget;
class QTableView;
class QToolBar;

namespace Brigade {

class BatchSummaryView;
class CorePanel;
class Engine;
class Job;
class JobView;
class MapReduceView;
class ProgressPanel;
class RunSession;
class TaskDetailsView;
class TaskRunView;
class TaskStore;
class TaskTableModel;
class ProgramLogView;
class UserCodeGate;
class FailuresView;
class RunEndNotifier;
class TimelinePanel;

// The Brigade window: load a batch, run it, watch every task and every core, retry what
// failed, export the results. How a run is kept is the RunSession's; the window shows the
// loaded batch through a JobView and drives the session's jobs through the Job contract.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum class Action {
        Open,
        AddTasks,
        AcceptSubmittedCode, // checkable: brigade submit's lines may run commands and programs
        ExportAll,
        ExportShown,
        Quit,
        Run,
        Pause,
        Resume,
        Cancel,
        RetryFailed,
        RetrySelected,
        CancelSelected,
        RaisePriority,
        LowerPriority,
        Copy,
        Settings,
        Find,
        FileOrder,
        About,
        BatchFormat,
        QuickStart, // the last: sizes the arrays of actions
    };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads a batch file off the GUI thread: what File › Open, the recent files, drag and
    // drop and the command line all call. batchLoaded() or loadFailed() follows.
    void openBatch(const QString &path);
    // Writes the results of every task, or of the rows shown (filtered, in view order), to
    // path as CSV or JSON Lines (by suffix), off the GUI thread. exportFinished() follows.
    void exportResults(const QString &path, bool shownOnly);

    // Adds the tasks of a JSON Lines file (or a .txt list of URLs) to the open run, as
    // brigade submit would: what File › Add Tasks… calls with the chosen file. Read,
    // parsed and journaled off the GUI thread; a run that had ended runs again. When its
    // tasks would run commands or programs, the window asks first (UserCodeGate::
    // confirmAdded), and declining adds nothing. tasksAdded() follows.
    void addTasksFrom(const QString &path);
    // The name brigade submit --to takes for this window's run, or empty while it takes
    // no tasks (no run yet, a MapReduce job).
    QString submitName() const;
    QLabel *submitLabel() const { return m_submitLabel; }

    // The run journal of the loaded batch: created when it first runs, or the journal that
    // was opened. Empty when there is none (yet, or it could not be created).
    QString journalPath() const;
    QLabel *journalLabel() const { return m_journalLabel; }
    // How the "resume the unfinished tasks?" question after opening a journal is answered:
    // Ask shows it; Yes and No answer at once without showing it (for tests).
    enum class ResumeAnswer { Ask, Yes, No };
    void setResumeAnswer(ResumeAnswer answer) { m_resumeAnswer = answer; }

    RunSettings runSettings() const { return m_settings; }
    // Applies and remembers settings for the next run. workerProgram is not remembered.
    void setRunSettings(const RunSettings &settings);
    // What happens when a run ends (Run Settings › When a Run Ends), remembered.
    RunEndActions runEndActions() const { return m_runEnd; }
    void setRunEndActions(const RunEndActions &actions);

    QAction *action(Action which) const;
    bool isRunning() const;
    RunSession *session() const { return m_session; }
    std::shared_ptr<TaskStore> store() const;
    Engine *engine() const;
    TaskTableModel *taskModel() const;
    QTableView *taskView() const;
    ProgressPanel *progressPanel() const;
    BatchSummaryView *batchSummary() const;
    CorePanel *corePanel() const { return m_corePanel; }
    TaskDetailsView *detailsView() const { return m_details; }
    TimelinePanel *timelinePanel() const { return m_timeline; }
    RunEndNotifier *runEndNotifier() const { return m_notifier; }
    FailuresView *failuresView() const { return m_failures; }
    QDockWidget *failuresDock() const { return m_failuresDock; }
    // The tasks at rows as a batch file of their own (what Export as Batch… writes after
    // asking where); failedBatchExported() follows.
    void exportFailedBatchTo(const QVector<int> &rows, const QString &path);
    QDockWidget *timelineDock() const { return m_timelineDock; }
    QComboBox *statusFilter() const;
    QLineEdit *textFilter() const;
    // The views of the loaded batch: its tasks, or its MapReduce job; one is shown.
    TaskRunView *taskRunView() const { return m_taskRunView; }
    MapReduceView *mapReduceView() const { return m_mapReduceView; }
    JobView *jobView() const { return m_view; }

    // Store rows of the selected table rows, in view order.
    QVector<int> selectedStoreRows() const;
    // The question before a batch's own programs and commands first run, and their logs.
    UserCodeGate *userCodeGate() const { return m_userCode; }
    ProgramLogView *programLogView() const { return m_programLog; }

    // The failed tasks in sight: the table filtered to them (a notification's click).
    void showFailures();

signals:
    void batchLoaded(const QString &path);
    void loadFailed(const QString &message);
    void loadCancelled();
    void runStarted();
    void runFinished(const Brigade::RunStats &stats); // a run of tasks ended
    // The run-end command ran (problem empty) or did not start or exit 0 (problem says so).
    void runEndCommandFinished(const QString &problem);
    void jobFinished(Brigade::Job *job); // any job ended (after its result)
    // After a journal was opened with unfinished tasks: the question was asked (or answered
    // by setResumeAnswer) and this was the answer.
    void resumeOffered(qint64 unfinished, bool accepted);
    // After a batch was opened that an earlier, unfinished run had journaled: the offer to
    // continue that run was made (or answered by setResumeAnswer) and this was the answer.
    void earlierRunOffered(const QString &journal, qint64 openTasks, bool accepted);
    void exportFinished(const QString &path, qint64 records, const QString &error);
    // addTasksFrom(path) is done: accepted tasks, rejected lines ("FILE:LINE:COLUMN:
    // message"), and why it stopped early, if it did.
    void tasksAdded(const QString &path, qint64 accepted, const QStringList &rejected,
                    const QString &error);
    void failedBatchExported(const QString &path, qint64 tasks, const QString &error);

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    enum class Phase { Empty, Loading, Ready, Running, Finished };

    void createActions();
    void createMenus();
    void createToolBar();
    void createPages();
    void createDocks();
    QWidget *createWelcomePage();
    QWidget *createLoadingPage();
    void showView(JobView *view);

    void chooseBatch();
    void chooseTasks();
    void onTasksAdded(const QString &path, qint64 accepted, const QStringList &rejected,
                      const QString &error);
    void onTasksChecked(const QString &path, const SubmitIntake::UserCode &code,
                        const QString &error);
    void startAdding(const QString &path, const IntakeTrust &trust);
    // brigade submit's lines run code only while File › Accept Commands from brigade
    // submit is on.
    void applySubmitTrust();
    void updateSubmitLabel();
    // Why File › Add Tasks… cannot be used now, or empty when it can.
    QString whyNoAdding() const;
    void chooseExport(bool shownOnly);
    void onLoadProgress(qint64 done, qint64 total);
    void onLoaded(BatchLoader::Loaded loaded);
    void cancelLoad();
    void run();
    void resumeRun();
    // Follows a job the session started, or says why it could not start.
    void follow(const QString &what, const Result<Job *> &job);
    void onJobStarted(Job *job);
    void onJobResult(Job *job);
    // alreadyChosen: the user asked to continue that run already (offerEarlierRun).
    void offerResume(qint64 unfinished, bool alreadyChosen = false);
    void offerEarlierRun(const QString &journal, qint64 openTasks);
    void updateJournalLabel(const QString &error = {});
    void retryFailed();
    void retrySelected();
    void cancelSelected();
    void changeSelectedPriority(int delta);
    void showSettings();
    void showAbout();
    void showHelp(HelpDialog::Page page);
    void showTaskMenu(const QPoint &globalPos);
    void onCurrentTaskChanged(int row);

    void setPhase(Phase phase);
    void updateActions();
    void updateWorkersLabel();
    void addRecentFile(const QString &path);
    void rebuildRecentMenu();
    bool confirmStopRun(const QString &question);
    void showError(const QString &title, const QString &text);
    void say(const QString &message, int timeoutMs = 5000);
    void runEndActionsFor(const RunStats &stats);
    void onFailureAction(FailuresView::Action action, const QVector<int> &rows);
    void exportFailedBatch(const QVector<int> &rows);
    QString failuresHtml() const; // the report's failure groups

    RunSession *m_session;
    QPointer<HelpDialog> m_helpDialogs[2];
    QPointer<Job> m_job;      // the job the window follows (running, or the last one)
    qint64 m_failedTasks = 0; // as the last progress said: Retry Failed needs some
    RunSettings m_settings;
    RunEndActions m_runEnd;
    BatchLoader *m_loader;
    Phase m_phase = Phase::Empty;
    QString m_batchPath;
    ResumeAnswer m_resumeAnswer = ResumeAnswer::Ask;
    bool m_resumeWithoutAsking = false; // the user already chose to continue an earlier run

    // Widgets
    QStackedWidget *m_pages = nullptr;
    QWidget *m_welcomePage = nullptr;
    QWidget *m_loadingPage = nullptr;
    TaskRunView *m_taskRunView = nullptr;
    MapReduceView *m_mapReduceView = nullptr;
    JobView *m_view = nullptr;           // the one of the two that shows the loaded batch
    bool m_detailsHiddenForView = false; // the task details pane, while a view has no tasks
    QLabel *m_welcomeError = nullptr;
    QLabel *m_loadingLabel = nullptr;
    QProgressBar *m_loadingBar = nullptr;
    CorePanel *m_corePanel = nullptr;
    TaskDetailsView *m_details = nullptr;
    QDockWidget *m_coreDock = nullptr;
    QDockWidget *m_detailsDock = nullptr;
    TimelinePanel *m_timeline = nullptr;
    RunEndNotifier *m_notifier = nullptr;
    FailuresView *m_failures = nullptr;
    QDockWidget *m_failuresDock = nullptr;
    QDockWidget *m_timelineDock = nullptr;
    QLabel *m_workersLabel = nullptr;
    QLabel *m_journalLabel = nullptr;
    QLabel *m_submitLabel = nullptr;
    QToolBar *m_toolBar = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_taskMenu = nullptr;
    UserCodeGate *m_userCode = nullptr;
    ProgramLogView *m_programLog = nullptr;
    QAction *m_actions[int(Action::QuickStart) + 1] = {};
    QStringList m_actionTexts[int(Action::QuickStart) + 1]; // text, status tip, tool tip

    Phase m_phaseBeforeLoad = Phase::Empty;
    bool m_layoutRestored = false;
};

} // namespace Brigade
