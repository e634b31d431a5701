#pragma once

#include "BatchLoader.h"
#include "run/Engine.h"
#include "run/RunSettings.h"

#include <QFutureWatcher>
#include <QMainWindow>
#include <QTimer>

#include <functional>
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
class MapReduceView;
class ProgressPanel;
class TaskDetailsView;
class TaskTableModel;

// The Brigade window: load a batch, run it, watch every task and every core, retry what
// failed, export the results.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum class Action {
        Open,
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
        Copy,
        Settings,
        Find,
        FileOrder,
        About,
    };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads a batch file off the GUI thread: what File › Open, the recent files, drag and
    // drop and the command line all call. batchLoaded() or loadFailed() follows.
    void openBatch(const QString &path);
    // Writes the results of every task, or of the rows shown (filtered, in view order), to
    // path as CSV or JSON Lines (by suffix), off the GUI thread. exportFinished() follows.
    void exportResults(const QString &path, bool shownOnly);

    // The run journal of the loaded batch: created when it first runs, or the journal that
    // was opened. Empty when there is none (yet, or it could not be created).
    QString journalPath() const { return m_journalPath; }
    QLabel *journalLabel() const { return m_journalLabel; }
    // How the "resume the unfinished tasks?" question after opening a journal is answered:
    // Ask shows it; Yes and No answer at once without showing it (for tests).
    enum class ResumeAnswer { Ask, Yes, No };
    void setResumeAnswer(ResumeAnswer answer) { m_resumeAnswer = answer; }

    RunSettings runSettings() const { return m_settings; }
    // Applies and remembers settings for the next run. workerProgram is not remembered.
    void setRunSettings(const RunSettings &settings);

    QAction *action(Action which) const;
    bool isRunning() const;
    std::shared_ptr<TaskStore> store() const { return m_store; }
    Engine *engine() const { return m_engine.get(); }
    TaskTableModel *taskModel() const { return m_model; }
    QTableView *taskView() const { return m_table; }
    ProgressPanel *progressPanel() const { return m_progress; }
    BatchSummaryView *batchSummary() const { return m_summary; }
    CorePanel *corePanel() const { return m_corePanel; }
    TaskDetailsView *detailsView() const { return m_details; }
    QComboBox *statusFilter() const { return m_statusFilter; }
    QLineEdit *textFilter() const { return m_textFilter; }
    // The page of a batch that is a MapReduce job (shown instead of the task table).
    MapReduceView *mapReduceView() const { return m_mapReduce; }
    bool isMapReduce() const { return m_batch && m_batch->mapReduce.has_value(); }

    // Store rows of the selected table rows, in view order.
    QVector<int> selectedStoreRows() const;

signals:
    void batchLoaded(const QString &path);
    void loadFailed(const QString &message);
    void loadCancelled();
    void runStarted();
    void runFinished(const Brigade::RunStats &stats);
    // After a journal was opened with unfinished tasks: the question was asked (or answered
    // by setResumeAnswer) and this was the answer.
    void resumeOffered(qint64 unfinished, bool accepted);
    // After a batch was opened that an earlier, unfinished run had journaled: the offer to
    // continue that run was made (or answered by setResumeAnswer) and this was the answer.
    void earlierRunOffered(const QString &journal, qint64 openTasks, bool accepted);
    void exportFinished(const QString &path, qint64 records, const QString &error);

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
    QWidget *createBatchPage();
    void connectMapReduce();
    void adaptToBatchKind(bool mapReduce);

    void chooseBatch();
    void chooseExport(bool shownOnly);
    void onLoadProgress(qint64 done, qint64 total);
    void onLoaded(const BatchLoader::Loaded &loaded);
    void cancelLoad();
    void run();
    // Runs prepare (it returns an error, or nothing) on a pool thread, then starts the engine
    // on the store with the journal, recording a run of this kind.
    void startWithJournal(std::function<QString()> prepare, const QString &kind);
    void startEngine(const QString &kind);
    // Runs these finished rows again, journalling the reset.
    void retryRows(const QVector<int> &rows, const QString &kind);
    // alreadyChosen: the user asked to continue that run already (offerEarlierRun).
    void offerResume(qint64 unfinished, bool alreadyChosen = false);
    void offerEarlierRun(const QString &journal, qint64 openTasks);
    void updateJournalLabel(const QString &error = {});
    void retryFailed();
    void retrySelected();
    void cancelSelected();
    void copySelected();
    void showSettings();
    void showAbout();
    void showTaskMenu(const QPoint &pos);
    void onCurrentTaskChanged();

    void resetEngine();
    void onStarted();
    void onProgress(const RunStats &stats);
    void onTasksChanged(const QVector<int> &rows);
    void onFinished(const RunStats &stats);
    void onWorkerMessage(int slot, const QString &message);

    void setPhase(Phase phase);
    void updateActions();
    void updateShownLabel();
    void updateWorkersLabel();
    void addRecentFile(const QString &path);
    void rebuildRecentMenu();
    bool confirmStopRun(const QString &question);
    void showError(const QString &title, const QString &text);
    void say(const QString &message, int timeoutMs = 5000);

    // Engine and data
    std::unique_ptr<Engine> m_engine;
    std::shared_ptr<TaskStore> m_store;
    std::shared_ptr<Batch> m_batch;
    RunSettings m_settings;
    BatchLoader *m_loader;
    TaskTableModel *m_model;
    Phase m_phase = Phase::Empty;
    bool m_paused = false;
    bool m_cancelling = false;
    QString m_batchPath;
    QString m_journalPath;
    ResumeAnswer m_resumeAnswer = ResumeAnswer::Ask;
    bool m_resumeWithoutAsking = false;        // the user already chose to continue an earlier run
    QFutureWatcher<QString> m_journalWatcher;  // creating or updating the journal
    std::shared_ptr<TaskStore> m_journalStore; // the store it is being prepared for
    QString m_journalKind;

    // Widgets
    QStackedWidget *m_pages = nullptr;
    QWidget *m_welcomePage = nullptr;
    QWidget *m_loadingPage = nullptr;
    QWidget *m_batchPage = nullptr;
    MapReduceView *m_mapReduce = nullptr;
    bool m_detailsHiddenForJob = false; // the task details pane, while a job is shown
    QLabel *m_welcomeError = nullptr;
    QLabel *m_loadingLabel = nullptr;
    QProgressBar *m_loadingBar = nullptr;
    BatchSummaryView *m_summary = nullptr;
    ProgressPanel *m_progress = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QLineEdit *m_textFilter = nullptr;
    QTimer m_filterDelay;
    QLabel *m_shownLabel = nullptr;
    QTableView *m_table = nullptr;
    CorePanel *m_corePanel = nullptr;
    TaskDetailsView *m_details = nullptr;
    QDockWidget *m_coreDock = nullptr;
    QDockWidget *m_detailsDock = nullptr;
    QLabel *m_workersLabel = nullptr;
    QLabel *m_journalLabel = nullptr;
    QToolBar *m_toolBar = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_taskMenu = nullptr;
    QAction *m_actions[int(Action::About) + 1] = {};

    QFutureWatcher<QString> m_exportWatcher;
    QString m_exportPath;
    qint64 m_exportCount = 0;
    QFutureWatcher<QString> m_copyWatcher;
    qint64 m_copyCount = 0;
    Phase m_phaseBeforeLoad = Phase::Empty;
    bool m_layoutRestored = false;
};

} // namespace Brigade
