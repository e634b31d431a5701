#include "MainWindow.h"

#include "batch/BatchSubset.h"
#include "job/Job.h"
#include "mapreduce/MapReduceJob.h"
#include "report/RunReport.h"
#include "run/Engine.h"
#include "run/RunSettingsFile.h"
#include "session/FinishCommand.h"
#include "session/RunSession.h"
#include "session/SubmitServer.h"
#include "window/failures/FailuresView.h"
#include "window/failures/RetryChangesDialog.h"
#include "window/mapreduce/MapReduceView.h"
#include "window/notify/RunEndNotifier.h"
#include "window/settings/RunSettingsDialog.h"
#include "window/shared/ActionIcons.h"
#include "window/shared/BackgroundPool.h"
#include "window/shared/Formatting.h"
#include "window/tasks/BatchSummaryView.h"
#include "window/tasks/TaskDetailsView.h"
#include "window/tasks/TaskRunView.h"
#include "window/timeline/TimeBreakdownView.h"
#include "window/timeline/TimelinePanel.h"
#include "window/timeline/TimelineView.h"
#include "window/usercode/ProgramLogView.h"
#include "window/usercode/UserCodeGate.h"
#include "window/workers/CorePanel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QShowEvent>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

// The icons live in this static library: pull them in explicitly, outside any namespace.
static void initBrigadeResources()
{
    static const bool done = [] {
        Q_INIT_RESOURCE(brigade);
        return true;
    }();
    Q_UNUSED(done)
}

namespace Brigade {

namespace {

const QString RecentFilesKey = QStringLiteral("recentFiles");
constexpr int MaxRecentFiles = 10;

QString fileName(const QString &path)
{
    return QFileInfo(path).fileName();
}

// "cannot open: No such file or directory" -> "No such file or directory."
QString plainReason(const QString &message)
{
    QString text = message;
    const qsizetype colon = text.indexOf(QLatin1String(": "));
    if (text.startsWith(QLatin1String("cannot ")) && colon > 0)
        text = text.mid(colon + 2);
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    if (!text.endsWith(QLatin1Char('.')))
        text += QLatin1Char('.');
    return text;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_session(new RunSession(this))
    , m_settings(RunSettingsFile::load())
    , m_runEnd(RunEndActions::load())
    , m_loader(new BatchLoader(this))
{
    initBrigadeResources();
    setObjectName(QStringLiteral("BrigadeMainWindow"));
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    setCorner(Qt::BottomRightCorner, Qt::BottomDockWidgetArea);
    setCorner(Qt::TopRightCorner, Qt::RightDockWidgetArea);

    createActions();
    createPages();
    createDocks();
    createToolBar();
    createMenus();

    m_submitLabel = new QLabel;
    m_submitLabel->setObjectName(QStringLiteral("submitLabel"));
    m_submitLabel->hide();
    statusBar()->addPermanentWidget(m_submitLabel);
    m_journalLabel = new QLabel;
    m_journalLabel->setObjectName(QStringLiteral("journalLabel"));
    m_journalLabel->hide();
    statusBar()->addPermanentWidget(m_journalLabel);
    m_workersLabel = new QLabel;
    m_workersLabel->setToolTip(tr("Settings for the next run (Run › Settings…)"));
    statusBar()->addPermanentWidget(m_workersLabel);
    updateWorkersLabel();

    connect(m_loader, &BatchLoader::progressChanged, this, &MainWindow::onLoadProgress);
    connect(m_loader, &BatchLoader::finished, this, &MainWindow::onLoaded);

    RunSession *s = m_session;
    connect(s, &RunSession::jobStarted, this, &MainWindow::onJobStarted);
    connect(s, &RunSession::journalChanged, this, [this] { updateJournalLabel(); });
    connect(s, &RunSession::tasksAdded, this, &MainWindow::onTasksAdded);
    connect(s, &RunSession::tasksChecked, this, &MainWindow::onTasksChecked);
    applySubmitTrust();
    connect(s, &RunSession::submissionEnded, this, [this](qint64 accepted, qint64 rejected) {
        const QString text = Formatting::counted(accepted, tr("brigade submit added %1 task"),
                                                 tr("brigade submit added %1 tasks"));
        say(rejected > 0 ? tr("%1; %2 rejected (the submitter was told which)")
                                   .arg(text, Formatting::counted(rejected, tr("%1 line"),
                                                                  tr("%1 lines")))
                         : text,
            10000);
    });
    connect(s, &RunSession::started, this, [this] { m_corePanel->clear(); });
    connect(s, &RunSession::progress, this, [this](const RunStats &stats) {
        // Retry Failed turns on as soon as something fails.
        if (std::exchange(m_failedTasks, stats.failed) != stats.failed)
            updateActions();
    });
    connect(s, &RunSession::tasksChanged, m_details, &TaskDetailsView::refresh);
    connect(s, &RunSession::tasksFinished, m_timeline, &TimelinePanel::refresh);
    connect(s, &RunSession::finished, this, &MainWindow::runFinished);
    m_notifier = new RunEndNotifier(this, this);
    connect(s, &RunSession::finished, this, [this](const RunStats &stats) {
        if (m_runEnd.notify)
            m_notifier->runEnded(fileName(m_batchPath), stats, stats.elapsedMs);
        runEndActionsFor(stats);
    });
    connect(m_notifier, &RunEndNotifier::activated, this, [this](bool hadFailures) {
        showNormal();
        raise();
        activateWindow();
        if (hadFailures)
            showFailures();
    });
    connect(s, &RunSession::loadSampled, m_corePanel, &CorePanel::addSample);
    connect(s, &RunSession::workerMessage, this, [this](int slot, const QString &message) {
        say(tr("Worker %1: %2").arg(slot).arg(message), 8000);
    });
    connect(s, &RunSession::message, this, [this](const QString &text) { say(text, 10000); });
    // Kept in sight beside the hosts, as worker messages soon replace it in the status bar.
    connect(s, &RunSession::message, m_corePanel, &CorePanel::addNotice);

    m_userCode = new UserCodeGate(s, this);
    m_programLog = new ProgramLogView(s, this);
    connect(m_details, &TaskDetailsView::programLogRequested, m_programLog,
            &ProgramLogView::showProgram);
    connect(m_taskRunView->summary(), &BatchSummaryView::programLogRequested, m_programLog,
            &ProgramLogView::showProgram);

    setPhase(Phase::Empty);

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        const QRect screen
                = this->screen() ? this->screen()->availableGeometry() : QRect(0, 0, 1280, 800);
        resize(screen.size() * 0.8);
    }
    m_layoutRestored = restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

MainWindow::~MainWindow()
{
    m_loader->cancel();
    // Stop the workers before the views that show them go away.
    delete m_session;
}

// ---- Setup --------------------------------------------------------------------------

void MainWindow::createActions()
{
    using K = ActionIcons::Kind;
    const auto make = [this](Action which, const QString &text, const QKeySequence &key,
                             const QString &tip) {
        auto *a = new QAction(text, this);
        a->setShortcut(key);
        const QString plain = QString(text).remove(QLatin1Char('&')).remove(QChar(0x2026));
        a->setToolTip(key.isEmpty() ? tip
                                    : QStringLiteral("%1 (%2)").arg(
                                            tip, key.toString(QKeySequence::NativeText)));
        a->setStatusTip(tip);
        a->setObjectName(QStringLiteral("action") + plain.simplified().remove(QLatin1Char(' ')));
        addAction(a); // shortcuts work even when the menu bar is hidden
        m_actions[int(which)] = a;
        m_actionTexts[int(which)] = QStringList{a->text(), a->statusTip(), a->toolTip()};
        return a;
    };

    make(Action::Open, tr("&Open Batch…"), QKeySequence::Open,
         tr("Open a batch file: JSON Lines, one task per line, or a text file of URLs"))
            ->setIcon(ActionIcons::icon(K::Open));
    make(Action::AddTasks, tr("Add &Tasks…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
         tr("Add the tasks of a JSON Lines file (or a list of URLs) to the open run; a run "
            "that has ended runs again"));
    make(Action::AcceptSubmittedCode, tr("Accept &Commands from brigade submit"), QKeySequence(),
         tr("Let tasks sent with brigade submit run commands and call programs; while off, "
            "their lines are rejected (for as long as this window is open)"))
            ->setCheckable(true);
    make(Action::ExportAll, tr("&Export All Results…"), QKeySequence(Qt::CTRL | Qt::Key_E),
         tr("Save the results of every task as CSV or JSON Lines"))
            ->setIcon(ActionIcons::icon(K::Export));
    make(Action::ExportShown, tr("Export &Shown Results…"),
         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
         tr("Save the results of the tasks the table shows, in its order"));
    make(Action::Quit, tr("&Quit"), QKeySequence::Quit, tr("Close Brigade"))
            ->setMenuRole(QAction::QuitRole);
    make(Action::Run, tr("&Run"), QKeySequence(Qt::CTRL | Qt::Key_R),
         tr("Run every task of the batch that has not finished"))
            ->setIcon(ActionIcons::icon(K::Run));
    make(Action::Pause, tr("&Pause"), QKeySequence(Qt::CTRL | Qt::Key_P),
         tr("Start no new tasks; the ones in flight finish"))
            ->setIcon(ActionIcons::icon(K::Pause));
    make(Action::Resume, tr("Res&ume"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P),
         tr("Start tasks again after a pause"))
            ->setIcon(ActionIcons::icon(K::Resume));
    make(Action::Cancel, tr("&Cancel Run"), QKeySequence(Qt::CTRL | Qt::Key_Period),
         tr("Stop the run: every task that has not finished is cancelled"))
            ->setIcon(ActionIcons::icon(K::Cancel));
    make(Action::RetryFailed, tr("Retry &Failed"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
         tr("Run every failed task again, with fresh attempts"))
            ->setIcon(ActionIcons::icon(K::Retry));
    make(Action::RetrySelected, tr("Retry &Selected"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_R),
         tr("Run the selected finished tasks again, with fresh attempts"))
            ->setIcon(ActionIcons::icon(K::RetrySelected));
    make(Action::CancelSelected, tr("Cancel Selec&ted"),
         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Period),
         tr("Cancel the selected tasks that have not finished"));
    make(Action::RaisePriority, tr("&Raise Priority"), QKeySequence(),
         tr("Start the selected queued tasks before others that are ready"));
    make(Action::LowerPriority, tr("&Lower Priority"), QKeySequence(),
         tr("Start the selected queued tasks after others that are ready"));
    make(Action::Copy, tr("&Copy Rows"), QKeySequence::Copy,
         tr("Copy the selected rows as tab-separated text"))
            ->setIcon(ActionIcons::icon(K::Copy));
    make(Action::Settings, tr("Run &Settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma),
         tr("Workers, tasks in flight, attempts, backoff and timeout for the next run"))
            ->setIcon(ActionIcons::icon(K::Settings));
    action(Action::Settings)->setMenuRole(QAction::PreferencesRole);
    make(Action::Find, tr("&Filter Tasks"), QKeySequence::Find,
         tr("Type to show only tasks whose id, result or error contains the text"));
    make(Action::FileOrder, tr("Sort in &File Order"), QKeySequence(Qt::CTRL | Qt::Key_0),
         tr("Show the tasks in the order of the batch file"));
    make(Action::About, tr("&About Brigade"), QKeySequence(Qt::Key_F1),
         tr("Version and a short description of Brigade"))
            ->setMenuRole(QAction::AboutRole);
    make(Action::BatchFormat, tr("&Batch File Format"), QKeySequence(),
         tr("Every field of a batch file, with examples"));
    make(Action::QuickStart, tr("&Quick Start"), QKeySequence(),
         tr("Write a batch, run it, watch it, keep the results"));

    connect(action(Action::Open), &QAction::triggered, this, &MainWindow::chooseBatch);
    connect(action(Action::AddTasks), &QAction::triggered, this, &MainWindow::chooseTasks);
    connect(action(Action::AcceptSubmittedCode), &QAction::toggled, this, [this] {
        applySubmitTrust();
        updateSubmitLabel();
    });
    connect(action(Action::ExportAll), &QAction::triggered, this, [this] { chooseExport(false); });
    connect(action(Action::ExportShown), &QAction::triggered, this, [this] { chooseExport(true); });
    connect(action(Action::Quit), &QAction::triggered, this, &QWidget::close);
    connect(action(Action::Run), &QAction::triggered, this, &MainWindow::run);
    connect(action(Action::Pause), &QAction::triggered, this, [this] {
        if (Job *job = m_session->job(); job && job->suspend())
            say(tr("Paused: no new tasks start; those in flight finish"));
        updateActions();
    });
    connect(action(Action::Resume), &QAction::triggered, this, [this] {
        if (Job *job = m_session->job(); job && job->resume())
            say(tr("Resumed"));
        updateActions();
    });
    connect(action(Action::Cancel), &QAction::triggered, this, [this] {
        Job *job = m_session->job();
        if (!job || !job->kill())
            return;
        say(job->progressUnit() == Job::Unit::Items
                    ? tr("Cancelling: tasks that have not finished are marked cancelled")
                    : tr("Cancelling: the workers stop and the partial results are dropped"));
        updateActions();
    });
    connect(action(Action::RetryFailed), &QAction::triggered, this, &MainWindow::retryFailed);
    connect(action(Action::RetrySelected), &QAction::triggered, this, &MainWindow::retrySelected);
    connect(action(Action::CancelSelected), &QAction::triggered, this, &MainWindow::cancelSelected);
    connect(action(Action::RaisePriority), &QAction::triggered, this,
            [this] { changeSelectedPriority(+1); });
    connect(action(Action::LowerPriority), &QAction::triggered, this,
            [this] { changeSelectedPriority(-1); });
    connect(action(Action::Copy), &QAction::triggered, this, [this] {
        if (m_view)
            m_view->copySelected();
    });
    connect(action(Action::Settings), &QAction::triggered, this, &MainWindow::showSettings);
    connect(action(Action::Find), &QAction::triggered, this, [this] {
        if (m_view && m_pages->currentWidget() == m_view)
            m_view->focusFilter();
    });
    connect(action(Action::FileOrder), &QAction::triggered, this, [this] {
        if (m_view)
            m_view->sortInFileOrder();
    });
    connect(action(Action::About), &QAction::triggered, this, &MainWindow::showAbout);
    connect(action(Action::BatchFormat), &QAction::triggered, this,
            [this] { showHelp(HelpDialog::Page::BatchFormat); });
    connect(action(Action::QuickStart), &QAction::triggered, this,
            [this] { showHelp(HelpDialog::Page::QuickStart); });
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(action(Action::Open));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    rebuildRecentMenu();
    file->addAction(action(Action::AddTasks));
    file->addAction(action(Action::AcceptSubmittedCode));
    file->addSeparator();
    file->addAction(action(Action::ExportAll));
    file->addAction(action(Action::ExportShown));
    file->addSeparator();
    file->addAction(action(Action::Quit));

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(action(Action::Copy));
    edit->addAction(action(Action::Find));

    QMenu *runMenu = menuBar()->addMenu(tr("&Run"));
    runMenu->addAction(action(Action::Run));
    runMenu->addAction(action(Action::Pause));
    runMenu->addAction(action(Action::Resume));
    runMenu->addAction(action(Action::Cancel));
    runMenu->addSeparator();
    runMenu->addAction(action(Action::RetryFailed));
    runMenu->addAction(action(Action::RetrySelected));
    runMenu->addAction(action(Action::CancelSelected));
    runMenu->addSeparator();
    runMenu->addAction(action(Action::Settings));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *cores = m_coreDock->toggleViewAction();
    cores->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    cores->setStatusTip(tr("Show or hide the cores, workers and load chart"));
    QAction *details = m_detailsDock->toggleViewAction();
    details->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    details->setStatusTip(tr("Show or hide the details of the selected task"));
    QAction *timeline = m_timelineDock->toggleViewAction();
    timeline->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    timeline->setStatusTip(tr("Show or hide the timeline of every worker and where the time went"));
    view->addAction(cores);
    view->addAction(details);
    view->addAction(timeline);
    QAction *toolbar = m_toolBar->toggleViewAction();
    toolbar->setText(tr("&Toolbar"));
    toolbar->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    toolbar->setStatusTip(tr("Show or hide the toolbar"));
    view->addAction(toolbar);
    view->addSeparator();
    view->addAction(action(Action::FileOrder));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action(Action::QuickStart));
    help->addAction(action(Action::BatchFormat));
    help->addSeparator();
    help->addAction(action(Action::About));
    QAction *aboutQt = help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);

    m_taskMenu = new QMenu(this);
    m_taskMenu->addAction(action(Action::RetrySelected));
    m_taskMenu->addAction(action(Action::CancelSelected));
    m_taskMenu->addAction(action(Action::RaisePriority));
    m_taskMenu->addAction(action(Action::LowerPriority));
    m_taskMenu->addSeparator();
    m_taskMenu->addAction(action(Action::Copy));
}

void MainWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Main"));
    m_toolBar = bar;
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(action(Action::Open));
    bar->addSeparator();
    bar->addAction(action(Action::Run));
    bar->addAction(action(Action::Pause));
    bar->addAction(action(Action::Resume));
    bar->addAction(action(Action::Cancel));
    bar->addSeparator();
    bar->addAction(action(Action::RetryFailed));
    bar->addSeparator();
    bar->addAction(action(Action::ExportAll));
    bar->addAction(action(Action::Settings));
}

void MainWindow::createPages()
{
    m_pages = new QStackedWidget;
    m_welcomePage = createWelcomePage();
    m_loadingPage = createLoadingPage();
    m_taskRunView = new TaskRunView;
    m_mapReduceView = new MapReduceView;
    m_mapReduceView->setRunSettings(m_settings);
    m_pages->addWidget(m_welcomePage);
    m_pages->addWidget(m_loadingPage);
    for (JobView *view :
         {static_cast<JobView *>(m_taskRunView), static_cast<JobView *>(m_mapReduceView)}) {
        m_pages->addWidget(view);
        connect(view, &JobView::stateChanged, this, &MainWindow::updateActions);
        connect(view, &JobView::message, this, [this](const QString &text) { say(text, 10000); });
        connect(view, &JobView::copied, this, [this](qint64 rows) {
            say(Formatting::counted(rows, tr("Copied %1 row"), tr("Copied %1 rows")));
        });
        connect(view, &JobView::exportFinished, this,
                [this](const QString &path, qint64 records, const QString &error) {
                    if (error.isEmpty())
                        say(Formatting::counted(records, tr("Exported %1 record to %2"),
                                                tr("Exported %1 records to %2"))
                                    .arg(fileName(path)));
                    else
                        showError(tr("Export failed"), error);
                    updateActions();
                    emit exportFinished(path, records, error);
                });
    }
    connect(m_taskRunView, &TaskRunView::currentTaskChanged, this,
            &MainWindow::onCurrentTaskChanged);
    connect(m_taskRunView, &JobView::stateChanged, this, [this] {
        if (m_timeline)
            m_timeline->breakdown()->selectionChanged();
    });
    connect(m_taskRunView, &TaskRunView::contextMenuRequested, this, &MainWindow::showTaskMenu);
    setCentralWidget(m_pages);
}

QWidget *MainWindow::createWelcomePage()
{
    auto *page = new QWidget;
    auto *icon = new QLabel;
    const int side = fontMetrics().height() * 6;
    icon->setPixmap(QIcon(QStringLiteral(":/icons/brigade.svg")).pixmap(QSize(side, side)));
    icon->setAlignment(Qt::AlignCenter);
    auto *title = new QLabel(tr("Open a batch to begin"));
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    title->setFont(titleFont);
    title->setAlignment(Qt::AlignCenter);
    auto *text = new QLabel(tr("A batch is a JSON Lines file with one task per line, or a text "
                               "file with one URL per line.\nDrop one on this window, or:"));
    text->setAlignment(Qt::AlignCenter);
    text->setForegroundRole(QPalette::PlaceholderText);
    auto *open = new QPushButton(action(Action::Open)->icon(), tr("Open Batch…"));
    open->setDefault(true);
    connect(open, &QPushButton::clicked, this, &MainWindow::chooseBatch);
    m_welcomeError = new QLabel;
    m_welcomeError->setObjectName(QStringLiteral("welcomeError"));
    m_welcomeError->setAlignment(Qt::AlignCenter);
    m_welcomeError->setWordWrap(true);
    m_welcomeError->hide();

    auto *layout = new QVBoxLayout(page);
    layout->addStretch(2);
    layout->addWidget(icon);
    layout->addWidget(title);
    layout->addWidget(text);
    auto *row = new QHBoxLayout;
    row->addStretch();
    row->addWidget(open);
    row->addStretch();
    layout->addLayout(row);
    layout->addWidget(m_welcomeError);
    layout->addStretch(3);
    return page;
}

QWidget *MainWindow::createLoadingPage()
{
    auto *page = new QWidget;
    m_loadingLabel = new QLabel;
    m_loadingLabel->setAlignment(Qt::AlignCenter);
    m_loadingBar = new QProgressBar;
    m_loadingBar->setObjectName(QStringLiteral("loadingBar"));
    m_loadingBar->setRange(0, 1000);
    m_loadingBar->setTextVisible(false);
    m_loadingBar->setMaximumWidth(fontMetrics().averageCharWidth() * 60);
    auto *cancel = new QPushButton(tr("Cancel"));
    cancel->setObjectName(QStringLiteral("cancelLoadButton"));
    cancel->setToolTip(tr("Stop reading the batch (Esc)"));
    cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    connect(cancel, &QPushButton::clicked, this, &MainWindow::cancelLoad);

    auto *layout = new QVBoxLayout(page);
    layout->addStretch();
    layout->addWidget(m_loadingLabel);
    auto *barRow = new QHBoxLayout;
    barRow->addStretch();
    barRow->addWidget(m_loadingBar, 1);
    barRow->addStretch();
    layout->addLayout(barRow);
    auto *buttonRow = new QHBoxLayout;
    buttonRow->addStretch();
    buttonRow->addWidget(cancel);
    buttonRow->addStretch();
    layout->addLayout(buttonRow);
    layout->addStretch();
    return page;
}

void MainWindow::createDocks()
{
    m_corePanel = new CorePanel;
    m_coreDock = new QDockWidget(tr("Cores and Workers"), this);
    m_coreDock->setObjectName(QStringLiteral("coreDock"));
    m_coreDock->setWidget(m_corePanel);
    m_coreDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable
                            | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::RightDockWidgetArea, m_coreDock);

    m_details = new TaskDetailsView;
    m_details->setObjectName(QStringLiteral("taskDetails"));
    m_detailsDock = new QDockWidget(tr("Task Details"), this);
    m_detailsDock->setObjectName(QStringLiteral("detailsDock"));
    m_detailsDock->setWidget(m_details);
    addDockWidget(Qt::BottomDockWidgetArea, m_detailsDock);

    m_timeline = new TimelinePanel;
    m_timelineDock = new QDockWidget(tr("Timeline"), this);
    m_timelineDock->setObjectName(QStringLiteral("timelineDock"));
    m_timelineDock->setWidget(m_timeline);
    // Its tool row is wide; a tabbed dock must not make the window wider than a small
    // screen (on one, the row is cut, not the window).
    m_timeline->setMinimumWidth(fontMetrics().averageCharWidth() * 50);
    addDockWidget(Qt::BottomDockWidgetArea, m_timelineDock);
    tabifyDockWidget(m_detailsDock, m_timelineDock);
    m_detailsDock->raise();
    connect(m_timeline, &TimelinePanel::exportFinished, this,
            [this](const QString &path, const QString &error) {
                if (error.isEmpty())
                    say(tr("Saved %1").arg(fileName(path)));
                else
                    showError(tr("Export failed"), error);
            });
    connect(m_timeline->timeline(), &TimelineView::taskActivated, this, [this](int row) {
        if (m_view == m_taskRunView)
            m_taskRunView->selectTask(row);
    });
    m_timeline->breakdown()->setSelectionProvider(
            [this] { return m_view ? m_view->selectedTaskRows() : QVector<int>(); });

    m_failures = new FailuresView;
    m_failuresDock = new QDockWidget(tr("Failures"), this);
    m_failuresDock->setObjectName(QStringLiteral("failuresDock"));
    m_failuresDock->setWidget(m_failures);
    addDockWidget(Qt::BottomDockWidgetArea, m_failuresDock);
    tabifyDockWidget(m_timelineDock, m_failuresDock);
    m_detailsDock->raise();
    m_failures->setSession(m_session);
    connect(m_failures, &FailuresView::actionRequested, this, &MainWindow::onFailureAction);
    connect(m_failures, &FailuresView::showTaskRequested, this, [this](int row) {
        if (m_view == m_taskRunView)
            m_taskRunView->selectTask(row);
    });
    m_timeline->setFailureSection([this] { return failuresHtml(); });
}

void MainWindow::onFailureAction(FailuresView::Action action, const QVector<int> &rows)
{
    if (!m_session->store() || rows.isEmpty())
        return;
    switch (action) {
    case FailuresView::Action::RetryWithSettings: {
        // Window-modal, not exec(): the run goes on being shown while the change is written.
        auto *dialog = new RetryChangesDialog(rows.size(), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog, rows] {
            const SpecChange change = dialog->change();
            const Result<Job *> job = m_session->retryChanged(rows, change, m_settings);
            if (!job) {
                say(tr("Nothing to retry: %1").arg(job.error()));
                return;
            }
            say(Formatting::counted(rows.size(), tr("Retrying %1 task with %2"),
                                    tr("Retrying %1 tasks with %2"))
                        .arg(change.describe()));
        });
        dialog->open();
        return;
    }
    case FailuresView::Action::Retry: {
        const Result<Job *> job = m_session->retrySelected(rows, m_settings);
        if (!job) {
            say(tr("Nothing to retry: %1").arg(job.error()));
            return;
        }
        say(Formatting::counted(rows.size(), tr("Retrying %1 task of the chosen failure groups"),
                                tr("Retrying the %1 tasks of the chosen failure groups")));
        return;
    }
    case FailuresView::Action::Skip: {
        auto *dialog = new QInputDialog(this);
        dialog->setObjectName(QStringLiteral("skipReasonDialog"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowTitle(tr("Skip Tasks"));
        dialog->setLabelText(Formatting::counted(
                rows.size(), tr("Why give up on %1 task? (kept in the journal)"),
                tr("Why give up on these %1 tasks? (kept in the "
                   "journal)")));
        connect(dialog, &QInputDialog::textValueSelected, this, [this, rows](const QString &why) {
            if (const Status ok = m_session->skipTasks(rows, why); !ok) {
                say(tr("Nothing skipped: %1").arg(ok.error()));
                return;
            }
            say(Formatting::counted(rows.size(), tr("Skipped %1 task: %2"),
                                    tr("Skipped %1 tasks: %2"))
                        .arg(why.trimmed()));
        });
        dialog->open();
        return;
    }
    case FailuresView::Action::StopRetrying:
        m_session->cancelTasks(rows);
        say(tr("Stopped retrying the chosen failure groups' tasks"));
        return;
    case FailuresView::Action::Export:
        exportFailedBatch(rows);
        return;
    }
}

void MainWindow::exportFailedBatch(const QVector<int> &rows)
{
    const QString batch = m_session->opened().batchPath;
    if (batch.isEmpty() || !QFileInfo::exists(batch)) {
        showError(tr("Export failed"),
                  tr("The batch these tasks came from is not there any more (%1).").arg(batch));
        return;
    }
    const QFileInfo info(batch);
    const QString path = QFileDialog::getSaveFileName(
            this, tr("Export Failed Tasks as a Batch"),
            info.dir().filePath(info.completeBaseName() + QStringLiteral("-failed.")
                                + info.suffix()),
            tr("Batches (*.jsonl *.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    exportFailedBatchTo(rows, path);
}

void MainWindow::exportFailedBatchTo(const QVector<int> &rows, const QString &path)
{
    QVector<int> lines;
    lines.reserve(rows.size());
    const std::shared_ptr<TaskStore> store = m_session->store();
    for (int row : rows)
        lines.append(store->spec(row).line);
    auto *watcher = new QFutureWatcher<Result<qint64>>(this);
    connect(watcher, &QFutureWatcher<Result<qint64>>::finished, this, [this, watcher, path] {
        const Result<qint64> written = watcher->result();
        watcher->deleteLater();
        if (written)
            say(Formatting::counted(*written, tr("Saved %1 task to %2"), tr("Saved %1 tasks to %2"))
                        .arg(fileName(path)));
        else
            showError(tr("Export failed"), written.error());
        emit failedBatchExported(path, written ? *written : -1,
                                 written ? QString() : written.error());
    });
    watcher->setFuture(QtConcurrent::run(BackgroundPool::instance(),
                                         [batch = m_session->opened().batchPath, lines, path] {
                                             return BatchSubset::write(batch, lines, path);
                                         }));
}

QString MainWindow::failuresHtml() const
{
    const FailureSummary summary = m_session->failures();
    if (summary.isEmpty())
        return {};
    QString h = QStringLiteral("<p>%1 failed and %2 retrying tasks in %3, from %4.</p>\n"
                               "<table><tr><th>cause</th><th class=n>tasks</th>"
                               "<th class=n>attempts</th><th>when</th><th>worker hosts</th>"
                               "<th>example</th></tr>\n")
                        .arg(Formatting::count(summary.failedTasks),
                             Formatting::count(summary.retryingTasks),
                             Formatting::counted(summary.activeGroupCount, tr("%1 group"),
                                                 tr("%1 groups")),
                             Formatting::counted(summary.failedAttempts, tr("%1 failed attempt"),
                                                 tr("%1 failed attempts")));
    for (const FailureGroup &g : summary.groups) {
        QVector<int> counts;
        for (quint32 v : g.histogram)
            counts.append(int(v));
        QStringList hosts;
        for (const auto &[host, n] : g.workerHosts)
            hosts << QStringLiteral("%1 (%2)").arg(host.toHtmlEscaped()).arg(n);
        h += QStringLiteral("<tr><td>%1</td><td class=n>%2</td><td class=n>%3</td><td>%4</td>"
                            "<td>%5</td><td class=example><code>%6</code> %7</td></tr>\n")
                     .arg(g.cause.label().toHtmlEscaped())
                     .arg(g.tasks())
                     .arg(g.attempts)
                     .arg(RunReport::sparkline(counts, 120, 18, QStringLiteral("#e04545")),
                          hosts.join(QStringLiteral(", ")), g.exampleId.toHtmlEscaped(),
                          g.exampleMessage.toHtmlEscaped());
    }
    return h + QStringLiteral("</table>\n");
}

// ---- Loading ------------------------------------------------------------------------

void MainWindow::chooseBatch()
{
    const QString dir = m_batchPath.isEmpty() ? QString() : QFileInfo(m_batchPath).absolutePath();
    const QString path = QFileDialog::getOpenFileName(
            this, tr("Open Batch"), dir,
            tr("Batches and journals (*.jsonl *.json *.ndjson *.txt *.journal);;"
               "JSON Lines (*.jsonl *.ndjson);;URL lists (*.txt);;"
               "Run journals (*.journal);;All files (*)"));
    if (!path.isEmpty())
        openBatch(path);
}

QString MainWindow::whyNoAdding() const
{
    if (!m_view || !m_session->store() || m_phase == Phase::Loading)
        return tr("Open a batch and run it first: added tasks join its run");
    if (m_session->isMapReduce())
        return tr("A MapReduce job takes no added tasks: it is one job over its input");
    if (!m_session->intake())
        return tr("Run the batch first: added tasks join its run (and reopen it once it "
                  "has ended)");
    return {};
}

QString MainWindow::submitName() const
{
    const SubmitServer *server = m_session->submitServer();
    return server ? QFileInfo(server->serverPath()).fileName() : QString();
}

void MainWindow::updateSubmitLabel()
{
    const QString name = submitName();
    m_submitLabel->setVisible(!name.isEmpty());
    if (name.isEmpty())
        return;
    m_submitLabel->setText(tr("Takes tasks: %1").arg(name));
    m_submitLabel->setToolTip(
            tr("Other programs add tasks to this run with\n\n    brigade submit --to %1 "
               "FILE\n\nor File › Add Tasks… here. They are journaled like the batch's; a "
               "run that has ended runs again.\n\n%2")
                    .arg(name, action(Action::AcceptSubmittedCode)->isChecked()
                                       ? tr("Submitted tasks may run commands and programs "
                                            "(File › Accept Commands from brigade submit).")
                                       : tr("Submitted tasks that run commands or programs are "
                                            "rejected (File › Accept Commands from brigade "
                                            "submit allows them).")));
}

void MainWindow::chooseTasks()
{
    if (!whyNoAdding().isEmpty())
        return;
    const QString dir = QSettings().value(QStringLiteral("addTasksDir")).toString();
    const QString path = QFileDialog::getOpenFileName(
            this, tr("Add Tasks"), dir.isEmpty() ? QFileInfo(m_batchPath).absolutePath() : dir,
            tr("Tasks (*.jsonl *.ndjson *.json *.txt);;JSON Lines (*.jsonl *.ndjson);;"
               "URL lists (*.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    QSettings().setValue(QStringLiteral("addTasksDir"), QFileInfo(path).absolutePath());
    addTasksFrom(path);
}

void MainWindow::applySubmitTrust()
{
    m_session->setSubmitTrust(
            action(Action::AcceptSubmittedCode)->isChecked()
                    ? IntakeTrust::everything()
                    : IntakeTrust::nothing(tr("this window takes commands and program calls "
                                              "from brigade submit only while File › Accept "
                                              "Commands from brigade submit is on")));
}

void MainWindow::addTasksFrom(const QString &path)
{
    // First what its tasks would run of the user's own (read off the GUI thread), to ask.
    QString why = whyNoAdding();
    if (why.isEmpty()) {
        if (const Status ok = m_session->checkTasksFrom(path); !ok)
            why = ok.error();
    }
    if (!why.isEmpty()) {
        say(tr("No tasks added: %1").arg(why), 10000);
        emit tasksAdded(path, 0, {}, why);
        return;
    }
    say(tr("Reading %1…").arg(fileName(path)), 0);
}

void MainWindow::onTasksChecked(const QString &path, const SubmitIntake::UserCode &code,
                                const QString &error)
{
    if (!error.isEmpty())
        return onTasksAdded(path, 0, {}, error);
    if (code.isEmpty()) {
        // Nothing to ask about. A line that runs code now was not in the file a moment ago.
        return startAdding(path, IntakeTrust::nothing(tr("the file did not run it when it was "
                                                         "read first; add it again")));
    }
    m_userCode->confirmAdded(
            path, code,
            [this, path, code, store = std::weak_ptr<TaskStore>(m_session->store())](bool agreed) {
                if (!agreed) {
                    say(tr("No tasks added from %1").arg(fileName(path)), 10000);
                    emit tasksAdded(path, 0, {}, tr("you chose not to run its commands"));
                    return;
                }
                if (store.lock() != m_session->store())
                    return onTasksAdded(path, 0, {}, tr("another batch was opened meanwhile"));
                // What was shown and agreed to runs, and nothing else: the file may change.
                const QList<QString> commands = code.commands.keys();
                const QList<QString> programs = code.programs.keys();
                startAdding(path,
                            IntakeTrust::only(QSet<QString>(commands.cbegin(), commands.cend()),
                                              QSet<QString>(programs.cbegin(), programs.cend()),
                                              tr("it was not in the file when you were asked; "
                                                 "add the file again")));
            });
}

void MainWindow::startAdding(const QString &path, const IntakeTrust &trust)
{
    if (const Status ok = m_session->addTasksFrom(path, trust); !ok)
        return onTasksAdded(path, 0, {}, ok.error());
    say(tr("Adding the tasks of %1…").arg(fileName(path)), 0);
}

void MainWindow::onTasksAdded(const QString &path, qint64 accepted, const QStringList &rejected,
                              const QString &error)
{
    QString text = Formatting::counted(accepted, tr("Added %1 task from %2"),
                                       tr("Added %1 tasks from %2"))
                           .arg(fileName(path));
    if (!rejected.isEmpty())
        text += tr("; %1 rejected")
                        .arg(Formatting::counted(rejected.size(), tr("%1 line"), tr("%1 lines")));
    if (!error.isEmpty())
        text += tr("; stopped: %1").arg(error);
    say(text, 15000);
    if (!rejected.isEmpty() || !error.isEmpty()) {
        // Every bad line with its place, not lost in the status bar; not blocking the run.
        constexpr int Shown = 1000;
        QStringList lines = rejected.mid(0, Shown);
        if (rejected.size() > Shown)
            lines << tr("… and %1 more").arg(rejected.size() - Shown);
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Add Tasks"), text, QMessageBox::Ok,
                                    this);
        box->setObjectName(QStringLiteral("addTasksProblems"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setInformativeText(rejected.isEmpty() ? error : rejected.first());
        if (!lines.isEmpty())
            box->setDetailedText(lines.join(u'\n'));
        box->open();
    }
    emit tasksAdded(path, accepted, rejected, error);
}

void MainWindow::openBatch(const QString &path)
{
    if (isRunning()
        && !confirmStopRun(tr("A run is in progress. Stop it and open “%1”?").arg(fileName(path))))
        return;
    if (isRunning())
        m_session->job()->kill();
    if (m_phase != Phase::Loading)
        m_phaseBeforeLoad = m_phase;
    m_welcomeError->hide();
    m_loadingLabel->setText(tr("Reading %1…").arg(fileName(path)));
    m_loadingBar->setValue(0);
    m_pages->setCurrentWidget(m_loadingPage);
    setPhase(Phase::Loading);
    say(tr("Reading %1…").arg(QDir::toNativeSeparators(path)), 0);
    m_loader->load(path); // a batch file or a run journal, told apart by its content
}

void MainWindow::cancelLoad()
{
    if (m_loader->isLoading())
        m_loader->cancel();
}

void MainWindow::onLoadProgress(qint64 done, qint64 total)
{
    if (total <= 0)
        return;
    m_loadingBar->setValue(int(1000 * done / total));
    m_loadingLabel->setText(tr("Reading %1… %2 of %3")
                                    .arg(fileName(m_loader->path()), Formatting::bytes(done),
                                         Formatting::bytes(total)));
}

void MainWindow::onLoaded(BatchLoader::Loaded loaded)
{
    const bool resumeChosen = std::exchange(m_resumeWithoutAsking, false);
    const QString path = m_loader->path();
    if (loaded.run.cancelled || !loaded.error.isEmpty()) {
        m_pages->setCurrentWidget(m_view ? static_cast<QWidget *>(m_view) : m_welcomePage);
        setPhase(m_phaseBeforeLoad);
        if (loaded.run.cancelled) {
            say(tr("Stopped reading %1").arg(fileName(path)));
            emit loadCancelled();
            return;
        }
        const QString message = tr("Brigade could not open “%1”. %2")
                                        .arg(fileName(path), plainReason(loaded.error));
        m_welcomeError->setText(message);
        m_welcomeError->setVisible(!m_view);
        showError(tr("Could not open the batch"), message);
        emit loadFailed(message);
        return;
    }

    m_details->clearTask();
    // Freeing a million tasks takes a moment: the old batch goes on a pool thread, once no
    // view holds it any more.
    std::shared_ptr<TaskStore> old = m_session->store();
    m_session->adopt(std::move(loaded.run));
    const OpenedRun &opened = m_session->opened();
    // Its runs take tasks from brigade submit and File › Add Tasks…, and reopen when they
    // come after the end (the window stays; the command line's run exits with its end).
    m_session->setIntake(m_session->isMapReduce() ? QString()
                                                  : RunSession::intakeNameFor(opened.batchPath),
                         100000, true);
    updateSubmitLabel();
    m_job.clear();
    // A journal stands for its batch: exports are named after the batch.
    m_batchPath = opened.isJournal() ? opened.batchPath : path;
    showView(m_session->isMapReduce() ? static_cast<JobView *>(m_mapReduceView)
                                      : static_cast<JobView *>(m_taskRunView));
    m_view->showBatch(m_session);
    m_programLog->batchChanged();
    m_timeline->setStore(m_session->isMapReduce() ? nullptr : m_session->store(),
                         QFileInfo(m_batchPath).completeBaseName());
    if (old)
        (void)QtConcurrent::run(BackgroundPool::instance(),
                                [old = std::move(old)]() mutable { old.reset(); });
    updateJournalLabel();
    m_corePanel->clear();
    setWindowTitle(fileName(path));
    setWindowFilePath(path);
    addRecentFile(path);

    const StatusCounts counts = m_session->store()->counts();
    const qint64 unfinished
            = counts.total() - counts[TaskStatus::Succeeded] - counts[TaskStatus::Failed];
    m_failedTasks = counts[TaskStatus::Failed];
    setPhase(Phase::Ready);
    say(m_view->loadedMessage(fileName(path)), opened.isJournal() ? 0 : 5000);
    emit batchLoaded(path);
    if (opened.isJournal() && unfinished > 0) {
        // Ask once the window shows the restored table, not inside the loader's signal.
        QMetaObject::invokeMethod(
                this, [this, unfinished, resumeChosen] { offerResume(unfinished, resumeChosen); },
                Qt::QueuedConnection);
    } else if (!opened.earlierJournal.isEmpty()) {
        QMetaObject::invokeMethod(
                this,
                [this, journal = opened.earlierJournal, open = opened.earlierOpenTasks] {
                    offerEarlierRun(journal, open);
                },
                Qt::QueuedConnection);
    }
}

// The view of the loaded batch, with the window's actions named for what they do there.
void MainWindow::showView(JobView *view)
{
    if (m_view && m_view != view)
        m_view->clear();
    m_view = view;
    m_pages->setCurrentWidget(view);
    const JobView::Wording w = view->wording();
    const auto name = [this](Action which, const QString &text, const QString &tip) {
        QAction *a = action(which);
        const QStringList &own = m_actionTexts[int(which)];
        a->setText(text.isEmpty() ? own[0] : text);
        a->setStatusTip(tip.isEmpty() ? own[1] : tip);
        a->setToolTip(tip.isEmpty() ? own[2]
                                    : QStringLiteral("%1 (%2)").arg(
                                            tip, a->shortcut().toString(QKeySequence::NativeText)));
    };
    name(Action::Run, w.run, w.runTip);
    name(Action::ExportAll, w.exportAll, w.exportAllTip);
    name(Action::ExportShown, w.exportShown, w.exportShownTip);
    name(Action::Find, w.find, w.findTip);
    if (!view->showsTaskDetails() && !m_detailsDock->isHidden()) {
        m_detailsDock->hide();
        m_detailsHiddenForView = true;
    } else if (view->showsTaskDetails() && m_detailsHiddenForView) {
        m_detailsDock->show();
        m_detailsHiddenForView = false;
    }
}

void MainWindow::offerEarlierRun(const QString &journal, qint64 openTasks)
{
    if (!m_session->store() || isRunning() || m_phase != Phase::Ready)
        return;
    bool accepted = m_resumeAnswer == ResumeAnswer::Yes;
    if (m_resumeAnswer == ResumeAnswer::Ask) {
        QMessageBox box(QMessageBox::Question, tr("Continue Earlier Run"),
                        tr("An earlier run of this batch stopped with %1 of %2 tasks not "
                           "finished.")
                                .arg(Formatting::count(openTasks),
                                     Formatting::count(m_session->store()->size())),
                        QMessageBox::NoButton, this);
        box.setInformativeText(tr("Continue it to keep its results and run only the rest, or "
                                  "start over with a new journal."));
        box.setDetailedText(tr("Journal: %1").arg(QDir::toNativeSeparators(journal)));
        QPushButton *resume = box.addButton(tr("&Continue Run"), QMessageBox::AcceptRole);
        box.addButton(tr("&Start Over"), QMessageBox::RejectRole);
        box.setDefaultButton(resume);
        box.exec();
        accepted = box.clickedButton() == resume;
    }
    emit earlierRunOffered(journal, openTasks, accepted);
    if (!accepted)
        return;
    // The journal restores the finished results, then its unfinished tasks run at once.
    m_resumeWithoutAsking = true;
    openBatch(journal);
}

void MainWindow::offerResume(qint64 unfinished, bool alreadyChosen)
{
    if (!m_session->store() || isRunning() || m_phase == Phase::Loading)
        return;
    bool accepted = m_resumeAnswer == ResumeAnswer::Yes || alreadyChosen;
    if (m_resumeAnswer == ResumeAnswer::Ask && !alreadyChosen) {
        accepted = QMessageBox::question(
                           this, tr("Resume Run"),
                           tr("%1 of %2 tasks had not finished when this run stopped. Run "
                              "them now? The results are added to the same journal.")
                                   .arg(Formatting::count(unfinished),
                                        Formatting::count(m_session->store()->size())),
                           QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes)
                   == QMessageBox::Yes;
    }
    emit resumeOffered(unfinished, accepted);
    if (!accepted || isRunning())
        return;
    resumeRun();
}

void MainWindow::updateJournalLabel(const QString &error)
{
    if (!error.isEmpty()) {
        m_journalLabel->setText(tr("No run journal: %1").arg(plainReason(error)));
        m_journalLabel->setToolTip(tr("The run journal could not be written, so this run "
                                      "cannot be resumed after a crash."));
        m_journalLabel->show();
        return;
    }
    const QString path = m_session->journalPath();
    if (path.isEmpty()) {
        m_journalLabel->clear();
        m_journalLabel->hide();
        return;
    }
    // The file's name: a whole path would push the status messages out of sight (it is in
    // the tool tip).
    m_journalLabel->setText(tr("Journal: %1").arg(QFileInfo(path).fileName()));
    m_journalLabel->setToolTip(
            tr("%1\n\nThe run journal records every finished task. It allows resuming after a "
               "crash: open it with File › Open to see the results and run what had not "
               "finished.")
                    .arg(QDir::toNativeSeparators(path)));
    m_journalLabel->show();
}

// ---- Running ------------------------------------------------------------------------

bool MainWindow::isRunning() const
{
    return m_session->isRunning();
}

void MainWindow::run()
{
    if (!m_session->canRun() || isRunning() || m_phase == Phase::Loading
        || !m_userCode->allows([this] { run(); }))
        return;
    if (m_session->nextRunKind() == RunSession::RunKind::RunAgain
        && QMessageBox::question(this, tr("Run Again"),
                                 tr("Every task has finished. Run all %1 tasks again?")
                                         .arg(Formatting::count(m_session->store()->size())))
                   != QMessageBox::Yes)
        return;
    const bool makesJournal = m_session->runMakesJournal();
    Result<Job *> job = m_session->run(m_settings);
    if (!job && makesJournal) {
        // Where the command line refuses (the user can say --no-journal), the window runs
        // anyway and says what is at stake.
        updateJournalLabel(job.error());
        say(tr("Could not write the run journal: %1 Running without one: a crash would lose "
               "the results.")
                    .arg(plainReason(job.error())),
            15000);
        m_session->setJournalling(false);
        job = m_session->run(m_settings);
        m_session->setJournalling(true);
    }
    follow(tr("The run"), job);
}

void MainWindow::resumeRun()
{
    if (!m_userCode->allows([this] { resumeRun(); }))
        return;
    follow(tr("The run"), m_session->resume(m_settings));
}

void MainWindow::follow(const QString &what, const Result<Job *> &job)
{
    if (job)
        return; // onJobStarted() follows it
    const QString error = job.error();
    say(tr("%1 could not start: %2").arg(what, plainReason(error)), 0);
    if (m_view)
        m_view->showStartError(error);
    updateActions();
}

void MainWindow::onJobStarted(Job *job)
{
    m_job = job;
    connect(job, &Job::result, this, &MainWindow::onJobResult);
    connect(job, &Job::infoMessage, this, [this](Job *, const QString &text) { say(text, 10000); });
    connect(job, &Job::suspended, this, &MainWindow::updateActions);
    connect(job, &Job::resumed, this, &MainWindow::updateActions);
    m_corePanel->clear();
    m_view->showJob(job);
    updateSubmitLabel();
    m_timeline->setRunning(!m_session->isMapReduce());
    say(m_view->startedMessage(m_settings.effectiveWorkers()));
    setPhase(Phase::Running);
    emit runStarted();
}

void MainWindow::onJobResult(Job *job)
{
    if (job != m_job)
        return;
    m_details->refresh();
    m_timeline->setRunning(false);
    say(m_view->resultMessage(job), 0);
    // A MapReduce job ends as a run does (a run's end comes from RunSession::finished).
    if (const auto *mapReduce = qobject_cast<MapReduceJob *>(job)) {
        if (m_runEnd.notify)
            m_notifier->jobEnded(fileName(m_batchPath), mapReduce->mapReduceResult());
        runEndActionsFor(FinishCommand::jobStats(mapReduce->mapReduceResult()));
    }
    if (m_phase == Phase::Loading) // stopped because another batch is being opened
        m_phaseBeforeLoad = Phase::Finished;
    else
        setPhase(Phase::Finished);
    emit jobFinished(job);
}

void MainWindow::retryFailed()
{
    if (!m_session->store() || m_phase == Phase::Loading)
        return;
    const qint64 failed = m_session->store()->counts()[TaskStatus::Failed];
    if (failed == 0) {
        say(tr("No failed tasks to retry"));
        return;
    }
    if (!m_userCode->allows([this] { retryFailed(); }))
        return;
    follow(tr("Retry Failed"), m_session->retryFailed(m_settings));
    say(Formatting::counted(failed, tr("Retrying %1 failed task"), tr("Retrying %1 failed tasks")));
}

void MainWindow::retrySelected()
{
    if (!m_session->store() || m_phase == Phase::Loading || !m_view
        || !m_userCode->allows([this] { retrySelected(); }))
        return;
    const QVector<int> rows = m_view->selectedTaskRows();
    const Result<Job *> job = m_session->retrySelected(rows, m_settings);
    if (!job) {
        say(tr("Only finished tasks can be retried; none is selected"));
        return;
    }
    say(tr("Retrying the selected finished tasks"));
}

void MainWindow::cancelSelected()
{
    if (!isRunning() || !m_view)
        return;
    const QVector<int> rows = m_view->selectedTaskRows();
    if (rows.isEmpty())
        return;
    m_session->cancelTasks(rows);
    say(tr("Cancelled the selected tasks that had not finished"));
}

void MainWindow::changeSelectedPriority(int delta)
{
    if (!isRunning() || !m_view)
        return;
    const QVector<int> rows = m_view->selectedTaskRows();
    if (rows.isEmpty())
        return;
    // Ten levels a step: ten seconds of waiting (aging) before the others catch up.
    m_session->changePriority(rows, delta * 10);
    say(delta > 0 ? tr("Raised the priority of the selected queued tasks")
                  : tr("Lowered the priority of the selected queued tasks"));
}

// ---- Results ------------------------------------------------------------------------

std::shared_ptr<TaskStore> MainWindow::store() const
{
    return m_session->store();
}

Engine *MainWindow::engine() const
{
    return m_session->engine();
}

QString MainWindow::journalPath() const
{
    return m_session->journalPath();
}

TaskTableModel *MainWindow::taskModel() const
{
    return m_taskRunView->model();
}

QTableView *MainWindow::taskView() const
{
    return m_taskRunView->table();
}

ProgressPanel *MainWindow::progressPanel() const
{
    return m_taskRunView->progressPanel();
}

BatchSummaryView *MainWindow::batchSummary() const
{
    return m_taskRunView->summary();
}

QComboBox *MainWindow::statusFilter() const
{
    return m_taskRunView->statusFilter();
}

QLineEdit *MainWindow::textFilter() const
{
    return m_taskRunView->textFilter();
}

QVector<int> MainWindow::selectedStoreRows() const
{
    return m_view ? m_view->selectedTaskRows() : QVector<int>();
}

void MainWindow::chooseExport(bool shownOnly)
{
    if (!m_view || !m_view->canExport())
        return;
    QSettings settings;
    const QString lastDir = settings.value(QStringLiteral("exportDir")).toString();
    const QString title
            = QString(action(shownOnly ? Action::ExportShown : Action::ExportAll)->text())
                      .remove(QLatin1Char('&'))
                      .remove(QChar(0x2026));
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
            this, title,
            QDir(lastDir.isEmpty() ? QFileInfo(m_batchPath).absolutePath() : lastDir)
                    .filePath(m_view->exportBaseName() + QStringLiteral(".csv")),
            tr("CSV (*.csv);;JSON Lines (*.jsonl)"), &selected);
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("exportDir"), QFileInfo(path).absolutePath());
    QString target = path;
    if (QFileInfo(target).suffix().isEmpty())
        target += selected.contains(QLatin1String("jsonl")) ? QStringLiteral(".jsonl")
                                                            : QStringLiteral(".csv");
    exportResults(target, shownOnly);
}

void MainWindow::exportResults(const QString &path, bool shownOnly)
{
    if (!m_view) {
        emit exportFinished(path, 0, tr("No batch is loaded"));
        return;
    }
    if (m_view->isExporting()) {
        say(tr("An export is already being written"));
        emit exportFinished(path, 0, tr("An export is already being written"));
        return;
    }
    say(tr("Writing %1…").arg(fileName(path)), 0);
    m_view->exportResults(path, shownOnly); // exportFinished() follows
    updateActions();
}

void MainWindow::showTaskMenu(const QPoint &globalPos)
{
    updateActions();
    m_taskMenu->popup(globalPos);
}

void MainWindow::onCurrentTaskChanged(int row)
{
    if (row < 0 || !m_session->store()) {
        m_details->clearTask();
        return;
    }
    m_details->showTask(m_session->store(), row);
}

// ---- Settings, state, messages --------------------------------------------------------

void MainWindow::setRunSettings(const RunSettings &settings)
{
    m_settings = settings;
    RunSettingsFile::save(settings);
    updateWorkersLabel();
    for (JobView *view :
         {static_cast<JobView *>(m_taskRunView), static_cast<JobView *>(m_mapReduceView)})
        view->setRunSettings(settings);
}

void MainWindow::setRunEndActions(const RunEndActions &actions)
{
    m_runEnd = actions;
    actions.save();
}

void MainWindow::runEndActionsFor(const RunStats &stats)
{
    if (m_runEnd.bell)
        QApplication::beep();
    const Result<QStringList> command = m_runEnd.commandWords();
    if (!command || command->isEmpty())
        return; // the dialog refuses a command it cannot split
    auto *finish = new FinishCommand(this);
    connect(finish, &FinishCommand::finished, this, [this, finish](const QString &problem) {
        finish->deleteLater();
        if (!problem.isEmpty()) {
            const QString text = tr("The command when a run ends: %1").arg(problem);
            say(text, 10000);
            m_corePanel->addNotice(text);
        }
        emit runEndCommandFinished(problem);
    });
    // The same exit status and environment brigade run --on-finish gives its command.
    finish->start(*command, stats, m_session->journalPath(), stats.exitStatus(), false);
}

void MainWindow::showSettings()
{
    RunSettingsDialog dialog(m_settings, this);
    dialog.setRunEndActions(m_runEnd);
    if (dialog.exec() == QDialog::Accepted) {
        setRunEndActions(dialog.runEndActions());
        setRunSettings(dialog.settings());
        say(isRunning() ? tr("Settings saved; they apply to the next run") : tr("Settings saved"));
    }
}

void MainWindow::updateWorkersLabel()
{
    m_workersLabel->setText(
            Formatting::counted(m_settings.effectiveWorkers(), tr("%1 worker"), tr("%1 workers"))
            + QStringLiteral(" · ")
            + tr("%1 in flight each").arg(Formatting::count(m_settings.concurrency))
            + QStringLiteral(" · ")
            + Formatting::counted(m_settings.maxAttempts, tr("%1 attempt per task"),
                                  tr("%1 attempts per task")));
}

void MainWindow::showAbout()
{
    QMessageBox::about(
            this, tr("About Brigade"),
            tr("<h3>Brigade %1</h3>"
               "<p>Runs batches of tasks (fetch a URL or wait, then compute) on a worker process "
               "per core, and shows every task and every core live.</p>"
               "<p>Failed tasks can be retried; results export to CSV or JSON Lines in the same "
               "format as <code>brigade run</code>.</p>")
                    .arg(QStringLiteral(BRIGADE_VERSION)));
}

void MainWindow::showHelp(HelpDialog::Page page)
{
    // One dialog per page, kept: it opens where the user left it, and never blocks the run.
    QPointer<HelpDialog> &dialog = m_helpDialogs[int(page)];
    if (!dialog) {
        dialog = new HelpDialog(page, this);
        dialog->setObjectName(page == HelpDialog::Page::BatchFormat
                                      ? QStringLiteral("batchFormatHelp")
                                      : QStringLiteral("quickStartHelp"));
    }
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

void MainWindow::setPhase(Phase phase)
{
    m_phase = phase;
    updateActions();
}

void MainWindow::updateActions()
{
    const bool loading = m_phase == Phase::Loading;
    const bool loaded = m_view && m_session->store() && !loading;
    const Job *job = m_session->job();
    const bool running = job && job->isRunning();
    const Job::Capabilities can = running ? job->capabilities() : Job::NoCapabilities;
    const bool suspended = running && job->isSuspended();
    const bool stopping = running && job->isKilled();
    const bool selected = loaded && m_view->hasTaskSelection();
    const bool hasTasks = loaded && m_session->store()->size() > 0;
    action(Action::Run)->setEnabled(loaded && !running && m_session->canRun());
    const QString noAdding = whyNoAdding();
    QAction *add = action(Action::AddTasks);
    add->setEnabled(noAdding.isEmpty());
    const QString addTip = noAdding.isEmpty() ? m_actionTexts[int(Action::AddTasks)][1] : noAdding;
    add->setStatusTip(addTip);
    add->setToolTip(QStringLiteral("%1 (%2)").arg(
            addTip, add->shortcut().toString(QKeySequence::NativeText)));
    action(Action::Pause)->setEnabled((can & Job::Suspendable) && !suspended && !stopping);
    action(Action::Resume)->setEnabled((can & Job::Suspendable) && suspended && !stopping);
    action(Action::Cancel)->setEnabled((can & Job::Killable) && !stopping);
    action(Action::RetryFailed)->setEnabled(hasTasks && m_failedTasks > 0);
    action(Action::RetrySelected)->setEnabled(selected);
    action(Action::CancelSelected)->setEnabled(selected && running);
    action(Action::RaisePriority)->setEnabled(selected && running);
    action(Action::LowerPriority)->setEnabled(selected && running);
    action(Action::Copy)->setEnabled(loaded && m_view->hasSelection());
    const bool canExport = loaded && m_view->canExport() && !m_view->isExporting();
    action(Action::ExportAll)->setEnabled(canExport);
    action(Action::ExportShown)->setEnabled(canExport);
    action(Action::Find)->setEnabled(loaded && (hasTasks || m_view->canExport()));
    action(Action::FileOrder)->setEnabled(hasTasks && m_view->canSortInFileOrder());
}

QAction *MainWindow::action(Action which) const
{
    return m_actions[int(which)];
}

void MainWindow::addRecentFile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QSettings settings;
    QStringList files = settings.value(RecentFilesKey).toStringList();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > MaxRecentFiles)
        files.removeLast();
    settings.setValue(RecentFilesKey, files);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = QSettings().value(RecentFilesKey).toStringList();
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files[i];
        QAction *a = m_recentMenu->addAction(QStringLiteral("&%1 %2").arg(
                i < 9 ? QString::number(i + 1) : QStringLiteral("0"),
                fileName(path).replace(QLatin1Char('&'), QStringLiteral("&&"))));
        a->setToolTip(QDir::toNativeSeparators(path));
        a->setStatusTip(QDir::toNativeSeparators(path));
        if (i < 9)
            a->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key(Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, path] {
            if (!QFileInfo::exists(path)) {
                showError(tr("Could not open the batch"),
                          tr("“%1” is no longer there. It was moved or deleted.")
                                  .arg(QDir::toNativeSeparators(path)));
                QSettings settings;
                QStringList files = settings.value(RecentFilesKey).toStringList();
                files.removeAll(path);
                settings.setValue(RecentFilesKey, files);
                return;
            }
            openBatch(path);
        });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
    if (!files.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("&Clear Menu"), this, [this] {
            QSettings().remove(RecentFilesKey);
            rebuildRecentMenu();
        });
    }
}

bool MainWindow::confirmStopRun(const QString &question)
{
    return QMessageBox::question(this, tr("Run in Progress"), question,
                                 QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
           == QMessageBox::Yes;
}

void MainWindow::showError(const QString &title, const QString &text)
{
    say(text, 10000);
    // Window-modal but not blocking: nothing waits on the answer.
    auto *box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::showFailures()
{
    m_failuresDock->show();
    m_failuresDock->raise();
    if (m_view != m_taskRunView)
        return;
    QComboBox *filter = m_taskRunView->statusFilter();
    filter->setCurrentIndex(filter->findData(int(TaskStatus::Failed)));
}

void MainWindow::say(const QString &message, int timeoutMs)
{
    statusBar()->showMessage(message, timeoutMs);
}

// ---- Window events ------------------------------------------------------------------

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (isRunning()
        && !confirmStopRun(tr("A run is in progress. Quit and stop it? Tasks that have not "
                              "finished will not run."))) {
        event->ignore();
        return;
    }
    if (m_detailsHiddenForView) // the layout saved is the user's, not the view's
        m_detailsDock->show();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    m_loader->cancel();
    event->accept();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (m_layoutRestored)
        return;
    // Dock sizes only take once the window has its size; first start only, after that the
    // user's layout is restored.
    m_layoutRestored = true;
    const int ch = fontMetrics().averageCharWidth();
    resizeDocks({m_coreDock}, {qMin(ch * 86, width() * 2 / 5)}, Qt::Horizontal);
    // The bottom docks (details, timeline) get a third: a timeline needs the height.
    resizeDocks({m_detailsDock}, {qMin(fontMetrics().height() * 16, height() / 3)}, Qt::Vertical);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    const QString path = urls.first().toLocalFile();
    // Open after the drop returns: a question box inside a drop handler confuses some
    // platforms' drag state.
    QMetaObject::invokeMethod(
            this, [this, path] { openBatch(path); }, Qt::QueuedConnection);
}

} // namespace Brigade
