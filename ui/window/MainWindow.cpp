#include "MainWindow.h"

#include "ActionIcons.h"
#include "BackgroundPool.h"
#include "BatchSummaryView.h"
#include "CorePanel.h"
#include "Formatting.h"
#include "LargeTable.h"
#include "MapReduceResultView.h"
#include "MapReduceView.h"
#include "ProgressPanel.h"
#include "ResultExport.h"
#include "RunSettingsDialog.h"
#include "StatusStyle.h"
#include "TaskDetailsView.h"
#include "TaskTableModel.h"
#include "journal/Journal.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
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
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <numeric>

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
constexpr int FilterDelayMs = 200; // typing pauses this long before the filter runs

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
    , m_settings(RunSettingsDialog::load())
    , m_loader(new BatchLoader(this))
    , m_model(new TaskTableModel(this))
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
    connectMapReduce();

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
    connect(m_model, &TaskTableModel::orderingChanged, this, &MainWindow::updateShownLabel);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateShownLabel);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MainWindow::updateShownLabel);
    connect(&m_exportWatcher, &QFutureWatcherBase::finished, this, [this] {
        const QString error = m_exportWatcher.result();
        if (error.isEmpty())
            say(Formatting::counted(m_exportCount, tr("Exported %1 result to %2"),
                                    tr("Exported %1 results to %2"))
                        .arg(fileName(m_exportPath)));
        else
            showError(tr("Export failed"), error);
        updateActions();
        emit exportFinished(m_exportPath, error.isEmpty() ? m_exportCount : 0, error);
    });
    connect(&m_journalWatcher, &QFutureWatcherBase::finished, this, [this] {
        const QString error = m_journalWatcher.result();
        const std::shared_ptr<TaskStore> store = std::exchange(m_journalStore, nullptr);
        if (!store || store != m_store) { // another batch was opened meanwhile
            updateActions();
            return;
        }
        if (!error.isEmpty()) {
            m_journalPath.clear();
            updateJournalLabel(error);
            say(tr("Could not write the run journal: %1 Running without one: a crash would "
                   "lose the results.")
                        .arg(plainReason(error)),
                15000);
        } else {
            updateJournalLabel();
        }
        startEngine(m_journalKind);
    });
    connect(&m_copyWatcher, &QFutureWatcherBase::finished, this, [this] {
        QGuiApplication::clipboard()->setText(m_copyWatcher.result());
        say(Formatting::counted(m_copyCount, tr("Copied %1 row"), tr("Copied %1 rows")));
    });

    resetEngine();
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
    m_engine.reset();
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
        return a;
    };

    make(Action::Open, tr("&Open Batch…"), QKeySequence::Open,
         tr("Open a batch file: JSON Lines, one task per line, or a text file of URLs"))
            ->setIcon(ActionIcons::icon(K::Open));
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

    connect(action(Action::Open), &QAction::triggered, this, &MainWindow::chooseBatch);
    connect(action(Action::ExportAll), &QAction::triggered, this, [this] { chooseExport(false); });
    connect(action(Action::ExportShown), &QAction::triggered, this, [this] { chooseExport(true); });
    connect(action(Action::Quit), &QAction::triggered, this, &QWidget::close);
    connect(action(Action::Run), &QAction::triggered, this, &MainWindow::run);
    connect(action(Action::Pause), &QAction::triggered, this, [this] {
        if (!isRunning())
            return;
        m_engine->pause();
        m_paused = true;
        m_progress->setHeadline(tr("Paused"));
        say(tr("Paused: no new tasks start; those in flight finish"));
        updateActions();
    });
    connect(action(Action::Resume), &QAction::triggered, this, [this] {
        if (!isRunning())
            return;
        m_engine->resume();
        m_paused = false;
        m_progress->setHeadline(tr("Running"));
        say(tr("Resumed"));
        updateActions();
    });
    connect(action(Action::Cancel), &QAction::triggered, this, [this] {
        if (!isRunning())
            return;
        if (m_mapReduce->isRunning()) {
            m_mapReduce->cancel();
            say(tr("Cancelling: the workers stop and the partial totals are dropped"));
            updateActions();
            return;
        }
        m_cancelling = true;
        m_engine->cancel();
        m_progress->setHeadline(tr("Cancelling…"));
        say(tr("Cancelling: tasks that have not finished are marked cancelled"));
        updateActions();
    });
    connect(action(Action::RetryFailed), &QAction::triggered, this, &MainWindow::retryFailed);
    connect(action(Action::RetrySelected), &QAction::triggered, this, &MainWindow::retrySelected);
    connect(action(Action::CancelSelected), &QAction::triggered, this, &MainWindow::cancelSelected);
    connect(action(Action::Copy), &QAction::triggered, this, &MainWindow::copySelected);
    connect(action(Action::Settings), &QAction::triggered, this, &MainWindow::showSettings);
    connect(action(Action::Find), &QAction::triggered, this, [this] {
        if (m_pages->currentWidget() == m_mapReduce)
            m_mapReduce->resultView()->focusFilter();
        if (m_pages->currentWidget() != m_batchPage)
            return;
        m_textFilter->setFocus(Qt::ShortcutFocusReason);
        m_textFilter->selectAll();
    });
    connect(action(Action::FileOrder), &QAction::triggered, this, [this] {
        m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
        m_model->sort(-1);
    });
    connect(action(Action::About), &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(action(Action::Open));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    rebuildRecentMenu();
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
    view->addAction(cores);
    view->addAction(details);
    QAction *toolbar = m_toolBar->toggleViewAction();
    toolbar->setText(tr("&Toolbar"));
    toolbar->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    toolbar->setStatusTip(tr("Show or hide the toolbar"));
    view->addAction(toolbar);
    view->addSeparator();
    view->addAction(action(Action::FileOrder));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action(Action::About));
    QAction *aboutQt = help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);

    m_taskMenu = new QMenu(this);
    m_taskMenu->addAction(action(Action::RetrySelected));
    m_taskMenu->addAction(action(Action::CancelSelected));
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
    m_batchPage = createBatchPage();
    m_mapReduce = new MapReduceView;
    m_pages->addWidget(m_welcomePage);
    m_pages->addWidget(m_loadingPage);
    m_pages->addWidget(m_batchPage);
    m_pages->addWidget(m_mapReduce);
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

QWidget *MainWindow::createBatchPage()
{
    auto *page = new QWidget;
    m_summary = new BatchSummaryView;
    m_progress = new ProgressPanel;
    m_progress->setObjectName(QStringLiteral("progressPanel"));

    m_statusFilter = new QComboBox;
    m_statusFilter->setObjectName(QStringLiteral("statusFilter"));
    m_statusFilter->setToolTip(tr("Show only tasks with this status"));
    m_statusFilter->addItem(tr("All statuses"), -1);
    for (int s = 0; s < TaskStatusCount; ++s)
        m_statusFilter->addItem(StatusStyle::icon(TaskStatus(s)), StatusStyle::text(TaskStatus(s)),
                                s);
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this,
            [this] { m_model->setStatusFilter(m_statusFilter->currentData().toInt()); });

    m_textFilter = new QLineEdit;
    m_textFilter->setObjectName(QStringLiteral("textFilter"));
    m_textFilter->setPlaceholderText(
            tr("Filter by id, result or error (%1)")
                    .arg(QKeySequence(QKeySequence::Find).toString(QKeySequence::NativeText)));
    m_textFilter->setClearButtonEnabled(true);
    m_textFilter->setToolTip(tr("Show only tasks whose id, result or error contains this text"));
    m_filterDelay.setSingleShot(true);
    m_filterDelay.setInterval(FilterDelayMs);
    connect(m_textFilter, &QLineEdit::textChanged, &m_filterDelay, qOverload<>(&QTimer::start));
    connect(&m_filterDelay, &QTimer::timeout, this,
            [this] { m_model->setTextFilter(m_textFilter->text()); });

    m_shownLabel = new QLabel;
    m_shownLabel->setObjectName(QStringLiteral("shownLabel"));
    m_shownLabel->setForegroundRole(QPalette::PlaceholderText);

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("taskTable"));
    m_table->setModel(m_model);
    LargeTable::configure(m_table);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    QHeaderView *header = m_table->horizontalHeader();
    header->setStretchLastSection(true);
    header->setSortIndicatorClearable(true);
    header->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->setSortingEnabled(true);
    const int ch = fontMetrics().averageCharWidth();
    m_table->setColumnWidth(int(TaskColumn::Id), ch * 22);
    m_table->setColumnWidth(int(TaskColumn::Status), ch * 16);
    m_table->setColumnWidth(int(TaskColumn::Attempts), ch * 10);
    m_table->setColumnWidth(int(TaskColumn::Duration), ch * 11);
    m_table->setColumnWidth(int(TaskColumn::Http), ch * 13);
    m_table->setColumnWidth(int(TaskColumn::Result), ch * 26);
    connect(m_table, &QWidget::customContextMenuRequested, this, &MainWindow::showTaskMenu);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentTaskChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_statusFilter);
    filterRow->addWidget(m_textFilter, 1);
    filterRow->addWidget(m_shownLabel);

    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_summary);
    layout->addWidget(m_progress);
    layout->addLayout(filterRow);
    layout->addWidget(m_table, 1);
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
}

void MainWindow::connectMapReduce()
{
    MapReduceView *view = m_mapReduce;
    view->setRunSettings(m_settings);
    connect(view, &MapReduceView::started, this, [this](Engine *engine) {
        // The job's own engine runs the chunks: the cores and workers dock shows it.
        m_corePanel->clear();
        if (engine)
            connect(engine, &Engine::loadSampled, m_corePanel, &CorePanel::addSample);
        say(Formatting::counted(m_settings.effectiveWorkers(), tr("Counting on %1 worker"),
                                tr("Counting on %1 workers")));
        setPhase(Phase::Running);
        emit runStarted();
    });
    connect(view, &MapReduceView::failedToStart, this, [this](const QString &error) {
        say(tr("The job could not start: %1").arg(error), 0);
        setPhase(Phase::Ready);
    });
    connect(view, &MapReduceView::finished, this, [this](const MapReduceResult &r) {
        if (r.succeeded()) {
            QString text = tr("Counted %1 distinct keys in %2")
                                   .arg(Formatting::count(r.distinctKeys),
                                        Formatting::milliseconds(double(r.elapsedMs)));
            if (r.badLines > 0)
                text += Formatting::counted(qint64(r.badLines), tr("; %1 bad line skipped"),
                                            tr("; %1 bad lines skipped"));
            say(text, 0);
        } else if (r.status == MapReduceResult::Status::Cancelled) {
            say(tr("The job was cancelled; no totals"), 0);
        } else {
            say(tr("The job failed: %1").arg(r.errors.value(0)), 0);
        }
        if (m_phase == Phase::Loading) // cancelled because another batch is being opened
            m_phaseBeforeLoad = Phase::Finished;
        else
            setPhase(Phase::Finished);
    });
    connect(view, &MapReduceView::message, this, [this](const QString &text) { say(text, 10000); });
    connect(view, &MapReduceView::stateChanged, this, &MainWindow::updateActions);
    connect(view, &MapReduceView::exportFinished, this,
            [this](const QString &path, qint64 records, const QString &error) {
                if (error.isEmpty())
                    say(Formatting::counted(records, tr("Exported %1 total to %2"),
                                            tr("Exported %1 totals to %2"))
                                .arg(fileName(path)));
                else
                    showError(tr("Export failed"), error);
                updateActions();
                emit exportFinished(path, records, error);
            });
    connect(view->resultView(), &MapReduceResultView::copied, this, [this](qint64 rows) {
        say(Formatting::counted(rows, tr("Copied %1 row"), tr("Copied %1 rows")));
    });
}

// A MapReduce job has totals and keys, not tasks: the same actions, named for what they do
// there, and no task details pane (it comes back with the next batch of tasks).
void MainWindow::adaptToBatchKind(bool mapReduce)
{
    const auto name = [this, mapReduce](Action which, const QString &text, const QString &tip) {
        QAction *a = action(which);
        if (!a->property("taskTexts").isValid())
            a->setProperty("taskTexts", QStringList{a->text(), a->statusTip(), a->toolTip()});
        const QStringList task = a->property("taskTexts").toStringList();
        a->setText(mapReduce ? text : task[0]);
        a->setStatusTip(mapReduce ? tip : task[1]);
        a->setToolTip(mapReduce ? QStringLiteral("%1 (%2)").arg(
                              tip, a->shortcut().toString(QKeySequence::NativeText))
                                : task[2]);
    };
    name(Action::Run, tr("&Run"),
         tr("Count the keys of every input: the workers map its chunks, Brigade merges them"));
    name(Action::ExportAll, tr("&Export All Totals…"),
         tr("Save every key and its total as CSV or JSON Lines, as brigade run --output does"));
    name(Action::ExportShown, tr("Export &Shown Totals…"),
         tr("Save the totals the table shows, in its order"));
    name(Action::Find, tr("&Filter Keys"), tr("Type to show only keys that contain the text"));
    if (mapReduce && !m_detailsDock->isHidden()) {
        m_detailsDock->hide();
        m_detailsHiddenForJob = true;
    } else if (!mapReduce && m_detailsHiddenForJob) {
        m_detailsDock->show();
        m_detailsHiddenForJob = false;
    }
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

void MainWindow::openBatch(const QString &path)
{
    if (isRunning()
        && !confirmStopRun(tr("A run is in progress. Stop it and open “%1”?").arg(fileName(path))))
        return;
    if (m_mapReduce->isRunning()) {
        m_mapReduce->cancel();
    } else if (isRunning()) {
        m_cancelling = true;
        m_engine->cancel();
    }
    if (m_phase != Phase::Loading)
        m_phaseBeforeLoad = m_phase;
    m_welcomeError->hide();
    m_loadingLabel->setText(tr("Reading %1…").arg(fileName(path)));
    m_loadingBar->setValue(0);
    m_pages->setCurrentWidget(m_loadingPage);
    setPhase(Phase::Loading);
    say(tr("Reading %1…").arg(QDir::toNativeSeparators(path)), 0);
    if (QFileInfo(path).suffix() == QLatin1String("journal"))
        m_loader->loadJournal(path);
    else
        m_loader->load(path);
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

void MainWindow::onLoaded(const BatchLoader::Loaded &loaded)
{
    const bool resumeChosen = std::exchange(m_resumeWithoutAsking, false);
    const Batch &batch = *loaded.batch;
    const QString path = m_loader->path();
    // A problem without a line is about the file as a whole: it could not be read.
    const bool unreadable = !batch.cancelled && (!loaded.store || loaded.store->size() == 0)
                            && !batch.errors.isEmpty() && batch.errors.first().line == 0;
    if (batch.cancelled || unreadable) {
        m_pages->setCurrentWidget(!m_store        ? m_welcomePage
                                  : isMapReduce() ? static_cast<QWidget *>(m_mapReduce)
                                                  : m_batchPage);
        setPhase(m_phaseBeforeLoad);
        if (batch.cancelled) {
            say(tr("Stopped reading %1").arg(fileName(path)));
            emit loadCancelled();
            return;
        }
        const QString message
                = tr("Brigade could not open “%1”. %2")
                          .arg(fileName(path), plainReason(batch.errors.first().message));
        m_welcomeError->setText(message);
        m_welcomeError->setVisible(!m_store);
        showError(tr("Could not open the batch"), message);
        emit loadFailed(message);
        return;
    }

    // A new engine per batch: nothing of the previous run can reach the new store.
    m_details->clearTask();
    m_model->setStore(loaded.store);
    resetEngine();
    // Freeing a million tasks takes a moment; let a pool thread do it.
    if (std::shared_ptr<TaskStore> old = std::exchange(m_store, loaded.store))
        (void)QtConcurrent::run(BackgroundPool::instance(),
                                [old = std::move(old)]() mutable { old.reset(); });
    m_batch = loaded.batch;
    // A journal stands for its batch: exports are named after the batch.
    m_batchPath = loaded.journalPath.isEmpty() ? path : batch.path;
    m_journalPath = loaded.journalPath;
    m_journalStore.reset();
    updateJournalLabel();

    m_summary->setBatch(batch, m_store->size(), loaded.elapsedMs);
    if (batch.mapReduce)
        m_mapReduce->setBatch(batch); // shown instead of the (empty) task table
    else
        m_mapReduce->clear();
    adaptToBatchKind(batch.mapReduce.has_value());
    m_progress->reset(m_store->size());
    if (!loaded.journalPath.isEmpty()) {
        // What the journal had finished: Retry Failed and the counts work from the start.
        const StatusCounts c = m_store->counts();
        RunStats stats;
        stats.total = c.total();
        stats.queued = c[TaskStatus::Queued] + c[TaskStatus::Running] + c[TaskStatus::Retrying];
        stats.succeeded = c[TaskStatus::Succeeded];
        stats.failed = c[TaskStatus::Failed];
        stats.cancelled = c[TaskStatus::Cancelled];
        m_progress->setStats(stats);
        m_progress->setHeadline(tr("Restored from the journal"));
    }
    m_corePanel->clear();
    setWindowTitle(fileName(path));
    setWindowFilePath(path);
    addRecentFile(path);
    m_pages->setCurrentWidget(batch.mapReduce ? static_cast<QWidget *>(m_mapReduce) : m_batchPage);
    setPhase(Phase::Ready);
    m_table->setFocus();
    if (m_model->rowCount() > 0) // the details pane shows something from the start
        m_table->setCurrentIndex(m_model->index(0, 0));
    // Open: neither succeeded nor failed (still queued, or cancelled when the run stopped).
    const StatusCounts counts = m_store->counts();
    const qint64 unfinished
            = counts.total() - counts[TaskStatus::Succeeded] - counts[TaskStatus::Failed];
    if (batch.mapReduce)
        say(tr("Loaded the MapReduce job of %1: Run counts its keys").arg(fileName(path)));
    else if (!loaded.journalPath.isEmpty())
        say(tr("Restored %1 finished of %2 tasks from the journal %3")
                    .arg(Formatting::count(m_store->size() - unfinished),
                         Formatting::count(m_store->size()), fileName(path)),
            0);
    else if (batch.errorCount > 0)
        say(tr("Loaded %1 tasks from %2; %3 lines have problems (listed above the table)")
                    .arg(Formatting::count(m_store->size()), fileName(path),
                         Formatting::count(batch.errorCount)));
    else
        say(tr("Loaded %1 tasks from %2 in %3")
                    .arg(Formatting::count(m_store->size()), fileName(path),
                         Formatting::milliseconds(double(loaded.elapsedMs))));
    emit batchLoaded(path);
    if (!loaded.journalPath.isEmpty() && unfinished > 0) {
        // Ask once the window shows the restored table, not inside the loader's signal.
        QMetaObject::invokeMethod(
                this, [this, unfinished, resumeChosen] { offerResume(unfinished, resumeChosen); },
                Qt::QueuedConnection);
    } else if (!loaded.earlierJournal.isEmpty()) {
        QMetaObject::invokeMethod(
                this,
                [this, journal = loaded.earlierJournal, open = loaded.earlierOpenTasks] {
                    offerEarlierRun(journal, open);
                },
                Qt::QueuedConnection);
    }
}

void MainWindow::offerEarlierRun(const QString &journal, qint64 openTasks)
{
    if (!m_store || isRunning() || m_journalWatcher.isRunning() || m_phase != Phase::Ready)
        return;
    bool accepted = m_resumeAnswer == ResumeAnswer::Yes;
    if (m_resumeAnswer == ResumeAnswer::Ask) {
        QMessageBox box(
                QMessageBox::Question, tr("Continue Earlier Run"),
                tr("An earlier run of this batch stopped with %1 of %2 tasks not "
                   "finished.")
                        .arg(Formatting::count(openTasks), Formatting::count(m_store->size())),
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
    if (!m_store || isRunning() || m_journalWatcher.isRunning() || m_phase == Phase::Loading)
        return;
    bool accepted = m_resumeAnswer == ResumeAnswer::Yes || alreadyChosen;
    if (m_resumeAnswer == ResumeAnswer::Ask && !alreadyChosen) {
        accepted = QMessageBox::question(
                           this, tr("Resume Run"),
                           tr("%1 of %2 tasks had not finished when this run stopped. Run "
                              "them now? The results are added to the same journal.")
                                   .arg(Formatting::count(unfinished),
                                        Formatting::count(m_store->size())),
                           QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes)
                   == QMessageBox::Yes;
    }
    emit resumeOffered(unfinished, accepted);
    if (!accepted || !m_store || isRunning())
        return;
    run(); // as Run does: the tasks that never finished, or else the cancelled ones
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
    if (m_journalPath.isEmpty()) {
        m_journalLabel->clear();
        m_journalLabel->hide();
        return;
    }
    m_journalLabel->setText(tr("Journal: %1").arg(QDir::toNativeSeparators(m_journalPath)));
    m_journalLabel->setToolTip(
            tr("The run journal records every finished task. It allows resuming after a crash: "
               "open it with File › Open to see the results and run what had not finished."));
    m_journalLabel->show();
}

// ---- Running ------------------------------------------------------------------------

void MainWindow::resetEngine()
{
    m_engine = std::make_unique<Engine>();
    m_paused = false;
    m_cancelling = false;
    Engine *e = m_engine.get();
    connect(e, &Engine::started, this, &MainWindow::onStarted);
    connect(e, &Engine::progress, this, &MainWindow::onProgress);
    connect(e, &Engine::tasksChanged, this, &MainWindow::onTasksChanged);
    connect(e, &Engine::loadSampled, m_corePanel, &CorePanel::addSample);
    connect(e, &Engine::workerMessage, this, &MainWindow::onWorkerMessage);
    connect(e, &Engine::message, this, [this](const QString &text) { say(text, 10000); });
    // Kept in sight beside the hosts, as worker messages soon replace it in the status bar.
    connect(e, &Engine::message, m_corePanel, &CorePanel::addNotice);
    connect(e, &Engine::finished, this, &MainWindow::onFinished);
}

bool MainWindow::isRunning() const
{
    return (m_engine && m_engine->isRunning()) || (m_mapReduce && m_mapReduce->isRunning());
}

void MainWindow::run()
{
    if (isMapReduce()) {
        if (m_phase != Phase::Loading && !isRunning())
            m_mapReduce->run(m_settings);
        return;
    }
    if (!m_store || m_store->size() == 0 || isRunning() || m_journalWatcher.isRunning()
        || m_phase == Phase::Loading)
        return;
    const StatusCounts counts = m_store->counts();
    m_paused = false;
    m_cancelling = false;
    if (counts.finished() == 0 && m_journalPath.isEmpty() && !m_batchPath.isEmpty()) {
        // The first run of this batch: its journal first, written off the GUI thread.
        const QString batchPath = QFileInfo(m_batchPath).absoluteFilePath();
        const QString journalPath = Journal::defaultPathFor(batchPath);
        m_journalPath = journalPath;
        startWithJournal(
                [batchPath, journalPath]() -> QString {
                    QFile file(batchPath);
                    if (!file.open(QIODevice::ReadOnly))
                        return QStringLiteral("cannot read %1: %2")
                                .arg(QDir::toNativeSeparators(batchPath), file.errorString());
                    Journal journal;
                    QString error;
                    if (!journal.create(journalPath, batchPath, file.readAll(), &error))
                        return error.isEmpty() ? QStringLiteral("cannot create %1").arg(journalPath)
                                               : error;
                    return {};
                },
                QStringLiteral("run"));
    } else if (counts.finished() < counts.total()) {
        startEngine(QStringLiteral("resume"));
    } else if (counts[TaskStatus::Cancelled] > 0) {
        // What was cancelled is what is left to do.
        retryRows(m_store->rowsWithStatus(TaskStatus::Cancelled), QStringLiteral("resume"));
    } else {
        if (QMessageBox::question(this, tr("Run Again"),
                                  tr("Every task has finished. Run all %1 tasks again?")
                                          .arg(Formatting::count(counts.total())))
            != QMessageBox::Yes)
            return;
        QVector<int> all(m_store->size());
        std::iota(all.begin(), all.end(), 0);
        retryRows(all, QStringLiteral("retry"));
    }
    m_progress->setHeadline(tr("Starting…"));
    setPhase(Phase::Running);
}

void MainWindow::startEngine(const QString &kind)
{
    RunSettings settings = m_settings;
    settings.journalPath = m_journalPath;
    settings.journalRunKind = kind;
    m_engine->start(m_store, settings);
}

void MainWindow::startWithJournal(std::function<QString()> prepare, const QString &kind)
{
    m_journalStore = m_store;
    m_journalKind = kind;
    m_progress->setHeadline(tr("Starting…"));
    m_journalWatcher.setFuture(QtConcurrent::run(BackgroundPool::instance(), std::move(prepare)));
    setPhase(Phase::Running);
}

void MainWindow::retryRows(const QVector<int> &rows, const QString &kind)
{
    if (m_engine->store() == m_store) { // it journals the reset itself
        m_engine->retryTasks(rows);
        return;
    }
    // The engine has not run this store yet (a journal was opened and not resumed): reset
    // the rows here, record that in the journal, then start.
    m_store->write([&](QVector<TaskState> &, TaskStore &store) {
        for (int row : rows)
            store.resetLocked(row);
    });
    m_model->onTasksChanged(rows);
    if (m_journalPath.isEmpty()) {
        startEngine(kind);
        return;
    }
    startWithJournal(
            [path = m_journalPath, rows]() -> QString {
                Journal journal;
                QString error;
                if (!journal.open(path, &error) || !journal.appendReset(rows, &error))
                    return error;
                return {};
            },
            kind);
}

void MainWindow::retryFailed()
{
    if (!m_store || m_phase == Phase::Loading || m_journalWatcher.isRunning())
        return;
    const QVector<int> rows = m_store->rowsWithStatus(TaskStatus::Failed);
    if (rows.isEmpty()) {
        say(tr("No failed tasks to retry"));
        return;
    }
    m_cancelling = false;
    retryRows(rows, QStringLiteral("retry-failed"));
    say(Formatting::counted(rows.size(), tr("Retrying %1 failed task"),
                            tr("Retrying %1 failed tasks")));
    setPhase(Phase::Running);
}

void MainWindow::retrySelected()
{
    if (!m_store || m_phase == Phase::Loading || m_journalWatcher.isRunning())
        return;
    QVector<int> rows;
    m_store->read([&](const QVector<TaskState> &states) {
        for (int row : selectedStoreRows()) {
            if (isTerminal(states[row].status))
                rows.append(row);
        }
    });
    if (rows.isEmpty()) {
        say(tr("Only finished tasks can be retried; none is selected"));
        return;
    }
    m_cancelling = false;
    retryRows(rows, QStringLiteral("retry"));
    say(Formatting::counted(rows.size(), tr("Retrying %1 selected task"),
                            tr("Retrying %1 selected tasks")));
    setPhase(Phase::Running);
}

void MainWindow::cancelSelected()
{
    if (!m_store || !isRunning())
        return;
    const QVector<int> rows = selectedStoreRows();
    if (rows.isEmpty())
        return;
    m_engine->cancelTasks(rows);
    say(tr("Cancelled the selected tasks that had not finished"));
}

void MainWindow::onStarted()
{
    m_corePanel->clear();
    m_progress->setHeadline(tr("Running"));
    say(Formatting::counted(m_settings.effectiveWorkers(), tr("Running on %1 worker"),
                            tr("Running on %1 workers")));
    setPhase(Phase::Running);
    emit runStarted();
}

void MainWindow::onProgress(const RunStats &stats)
{
    m_progress->setStats(stats);
    if (!stats.active)
        return;
    const bool paused = stats.paused;
    if (m_cancelling)
        m_progress->setHeadline(tr("Cancelling…"));
    else
        m_progress->setHeadline(paused ? tr("Paused") : tr("Running"));
    if (paused != m_paused) {
        m_paused = paused;
        updateActions();
    }
    // Retry Failed turns on as soon as something fails.
    action(Action::RetryFailed)->setEnabled(stats.failed > 0);
}

void MainWindow::onTasksChanged(const QVector<int> &rows)
{
    m_model->onTasksChanged(rows);
    m_details->refresh();
}

void MainWindow::onFinished(const RunStats &stats)
{
    m_progress->setStats(stats);
    QString headline;
    if (m_cancelling
        || (stats.cancelled > 0 && stats.queued + stats.running + stats.retrying == 0
            && stats.finished() < stats.total))
        headline = tr("Cancelled");
    else if (stats.failed > 0)
        headline = tr("Finished with failures");
    else
        headline = tr("Finished");
    m_progress->setHeadline(headline);
    m_cancelling = false;
    m_paused = false;
    m_model->refresh();
    m_details->refresh();
    QString message
            = tr("Finished in %1: %2 succeeded, %3 failed")
                      .arg(Formatting::clock(stats.elapsedMs), Formatting::count(stats.succeeded),
                           Formatting::count(stats.failed));
    if (stats.cancelled)
        message += tr(", %1 cancelled").arg(Formatting::count(stats.cancelled));
    if (stats.failed)
        message += tr(" — Retry Failed runs them again");
    say(message, 0);
    setPhase(Phase::Finished);
    emit runFinished(stats);
}

void MainWindow::onWorkerMessage(int slot, const QString &message)
{
    say(tr("Worker %1: %2").arg(slot).arg(message), 8000);
}

// ---- Results ------------------------------------------------------------------------

QVector<int> MainWindow::selectedStoreRows() const
{
    QVector<int> view;
    const QItemSelection selection = m_table->selectionModel()->selection();
    for (const QItemSelectionRange &range : selection) {
        for (int r = range.top(); r <= range.bottom(); ++r)
            view.append(r);
    }
    std::sort(view.begin(), view.end());
    view.erase(std::unique(view.begin(), view.end()), view.end());
    QVector<int> rows;
    rows.reserve(view.size());
    for (int r : std::as_const(view)) {
        const int row = m_model->storeRow(r);
        if (row >= 0)
            rows.append(row);
    }
    return rows;
}

void MainWindow::copySelected()
{
    if (isMapReduce()) {
        m_mapReduce->resultView()->copySelected();
        return;
    }
    if (!m_store || m_copyWatcher.isRunning())
        return;
    const QVector<int> rows = selectedStoreRows();
    if (rows.isEmpty())
        return;
    QStringList headers;
    for (int c = 0; c < int(TaskColumn::Count); ++c)
        headers << m_model->headerData(c, Qt::Horizontal).toString();
    m_copyCount = rows.size();
    m_copyWatcher.setFuture(
            QtConcurrent::run(BackgroundPool::instance(), [store = m_store, rows, headers] {
                return ResultExport::tabSeparated(*store, rows, headers);
            }));
}

void MainWindow::chooseExport(bool shownOnly)
{
    const bool totals = isMapReduce();
    if (!m_store || (totals && !m_mapReduce->hasResult()))
        return;
    QSettings settings;
    const QString lastDir = settings.value(QStringLiteral("exportDir")).toString();
    const QString base = QFileInfo(m_batchPath).completeBaseName()
                         + (totals ? QStringLiteral("-totals") : QStringLiteral("-results"));
    const QString title
            = totals ? (shownOnly ? tr("Export Shown Totals") : tr("Export All Totals"))
                     : (shownOnly ? tr("Export Shown Results") : tr("Export All Results"));
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
            this, title,
            QDir(lastDir.isEmpty() ? QFileInfo(m_batchPath).absolutePath() : lastDir)
                    .filePath(base + QStringLiteral(".csv")),
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
    if (isMapReduce()) {
        say(tr("Writing %1…").arg(fileName(path)), 0);
        m_mapReduce->exportTotals(path, shownOnly); // exportFinished() follows
        updateActions();
        return;
    }
    if (!m_store) {
        emit exportFinished(path, 0, tr("No batch is loaded"));
        return;
    }
    if (m_exportWatcher.isRunning()) {
        say(tr("An export is already being written"));
        emit exportFinished(path, 0, tr("An export is already being written"));
        return;
    }
    QVector<int> rows;
    if (shownOnly) {
        rows = m_model->shownStoreRows();
    } else {
        rows.resize(m_store->size());
        std::iota(rows.begin(), rows.end(), 0);
    }
    m_exportPath = path;
    m_exportCount = rows.size();
    say(tr("Writing %1…").arg(fileName(path)), 0);
    m_exportWatcher.setFuture(
            QtConcurrent::run(BackgroundPool::instance(), [store = m_store, rows, path] {
                return ResultExport::write(*store, rows, path);
            }));
    updateActions();
}

void MainWindow::showTaskMenu(const QPoint &pos)
{
    if (!m_store || !m_table->indexAt(pos).isValid())
        return;
    updateActions();
    m_taskMenu->popup(m_table->viewport()->mapToGlobal(pos));
}

void MainWindow::onCurrentTaskChanged()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const int row = current.isValid() ? m_model->storeRow(current.row()) : -1;
    if (row < 0 || !m_store) {
        m_details->clearTask();
        return;
    }
    m_details->showTask(m_store, row);
}

void MainWindow::updateShownLabel()
{
    if (!m_store) {
        m_shownLabel->clear();
        return;
    }
    QString text = m_model->query().isIdentity()
                           ? tr("%1 tasks").arg(Formatting::count(m_store->size()))
                           : tr("%1 of %2 tasks")
                                     .arg(Formatting::count(m_model->rowCount()),
                                          Formatting::count(m_store->size()));
    if (m_model->isOrdering())
        text += tr(" · sorting…");
    m_shownLabel->setText(text);
}

// ---- Settings, state, messages --------------------------------------------------------

void MainWindow::setRunSettings(const RunSettings &settings)
{
    m_settings = settings;
    RunSettingsDialog::save(settings);
    updateWorkersLabel();
    m_mapReduce->setRunSettings(settings);
}

void MainWindow::showSettings()
{
    RunSettingsDialog dialog(m_settings, this);
    if (dialog.exec() == QDialog::Accepted) {
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

void MainWindow::setPhase(Phase phase)
{
    m_phase = phase;
    updateActions();
    updateShownLabel();
}

void MainWindow::updateActions()
{
    const bool loading = m_phase == Phase::Loading;
    const bool hasTasks = m_store && m_store->size() > 0 && !loading;
    const bool running = isRunning();
    const bool preparing = m_journalWatcher.isRunning(); // writing the journal before a run
    const bool hasSelection
            = m_table && m_table->selectionModel()->hasSelection() && hasTasks && !preparing;
    action(Action::Run)->setEnabled(hasTasks && !running && !preparing);
    action(Action::Pause)->setEnabled(running && !m_paused && !m_cancelling);
    action(Action::Resume)->setEnabled(running && m_paused && !m_cancelling);
    action(Action::Cancel)->setEnabled(running && !m_cancelling);
    action(Action::RetryFailed)
            ->setEnabled(hasTasks && !preparing && m_progress->stats().failed > 0);
    action(Action::RetrySelected)->setEnabled(hasSelection);
    action(Action::CancelSelected)->setEnabled(hasSelection && running);
    action(Action::Copy)->setEnabled(hasSelection);
    action(Action::ExportAll)->setEnabled(hasTasks && !m_exportWatcher.isRunning());
    action(Action::ExportShown)->setEnabled(hasTasks && !m_exportWatcher.isRunning());
    action(Action::Find)->setEnabled(hasTasks);
    action(Action::FileOrder)->setEnabled(hasTasks);
    if (isMapReduce() && !loading) {
        // One job, not tasks: nothing to pause, retry or cancel one by one.
        const bool mapping = m_mapReduce->isRunning();
        const bool totals = m_mapReduce->hasResult();
        action(Action::Run)->setEnabled(!mapping);
        action(Action::Cancel)->setEnabled(mapping && !m_mapReduce->isCancelling());
        for (Action a : {Action::Pause, Action::Resume, Action::RetryFailed, Action::RetrySelected,
                         Action::CancelSelected, Action::FileOrder})
            action(a)->setEnabled(false);
        action(Action::Copy)->setEnabled(m_mapReduce->resultView()->hasSelection());
        action(Action::ExportAll)->setEnabled(totals && !m_mapReduce->isExporting());
        action(Action::ExportShown)->setEnabled(totals && !m_mapReduce->isExporting());
        action(Action::Find)->setEnabled(totals);
    }
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
    if (m_detailsHiddenForJob) // the layout saved is the user's, not the job's
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
    resizeDocks({m_detailsDock}, {qMin(fontMetrics().height() * 12, height() / 4)}, Qt::Vertical);
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
