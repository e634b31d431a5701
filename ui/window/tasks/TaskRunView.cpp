#include "TaskRunView.h"

#include "BatchSummaryView.h"
#include "ProgressPanel.h"
#include "ResultExport.h"
#include "TaskTableModel.h"
#include "job/Job.h"
#include "session/RunSession.h"
#include "session/TaskRunJob.h"
#include "window/shared/BackgroundPool.h"
#include "window/shared/Formatting.h"
#include "window/shared/LargeTable.h"
#include "window/shared/StatusStyle.h"

#include <QClipboard>
#include <QComboBox>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <numeric>

namespace Brigade {

namespace {
constexpr int FilterDelayMs = 200; // typing pauses this long before the filter runs
} // namespace

TaskRunView::TaskRunView(QWidget *parent)
    : JobView(parent)
    , m_model(new TaskTableModel(this))
    , m_summary(new BatchSummaryView)
    , m_progress(new ProgressPanel)
    , m_statusFilter(new QComboBox)
    , m_textFilter(new QLineEdit)
    , m_shownLabel(new QLabel)
    , m_table(new QTableView)
{
    setObjectName(QStringLiteral("taskRunView"));
    m_progress->setObjectName(QStringLiteral("progressPanel"));

    m_statusFilter->setObjectName(QStringLiteral("statusFilter"));
    m_statusFilter->setToolTip(tr("Show only tasks with this status"));
    m_statusFilter->addItem(tr("All statuses"), -1);
    for (int s = 0; s < TaskStatusCount; ++s)
        m_statusFilter->addItem(StatusStyle::icon(TaskStatus(s)), StatusStyle::text(TaskStatus(s)),
                                s);
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this,
            [this] { m_model->setStatusFilter(m_statusFilter->currentData().toInt()); });

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

    m_shownLabel->setObjectName(QStringLiteral("shownLabel"));
    m_shownLabel->setForegroundRole(QPalette::PlaceholderText);

    m_table->setObjectName(QStringLiteral("taskTable"));
    m_table->setModel(m_model);
    LargeTable::configure(m_table);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    QHeaderView *header = m_table->horizontalHeader();
    header->setStretchLastSection(true);
    header->setSortIndicatorClearable(true);
    header->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->setSortingEnabled(true);
    m_table->setColumnHidden(int(TaskColumn::Exit), true); // shown for batches of commands
    // Columns fit their content and the Error column takes the rest, as the table's width
    // changes, until the user sizes one of them.
    fitColumns();
    m_table->viewport()->installEventFilter(this);
    connect(header, &QHeaderView::sectionResized, this, [this](int section) {
        if (!m_fittingColumns && section != int(TaskColumn::Error))
            m_columnsSizedByUser = true;
    });
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        if (m_store && m_table->indexAt(pos).isValid())
            emit contextMenuRequested(m_table->viewport()->mapToGlobal(pos));
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                emit currentTaskChanged(current.isValid() ? m_model->storeRow(current.row()) : -1);
            });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &JobView::stateChanged);
    connect(m_model, &OrderedTableModel::orderApplied, this, [this] {
        if (m_taskToShow >= 0 && showTask(m_taskToShow))
            m_taskToShow = -1;
    });
    connect(m_model, &TaskTableModel::orderingChanged, this, &TaskRunView::updateShownLabel);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &TaskRunView::updateShownLabel);
    connect(m_model, &QAbstractItemModel::modelReset, this, &TaskRunView::updateShownLabel);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &TaskRunView::updateShownLabel);

    connect(&m_exportWatcher, &QFutureWatcherBase::finished, this, [this] {
        const QString error = m_exportWatcher.result();
        emit exportFinished(m_exportPath, error.isEmpty() ? m_exportCount : 0, error);
        emit stateChanged();
    });
    connect(&m_copyWatcher, &QFutureWatcherBase::finished, this, [this] {
        QGuiApplication::clipboard()->setText(m_copyWatcher.result());
        emit copied(m_copyCount);
    });

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_statusFilter);
    filterRow->addWidget(m_textFilter, 1);
    filterRow->addWidget(m_shownLabel);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_progress);
    layout->addLayout(filterRow);
    layout->addWidget(m_table, 1);
}

TaskRunView::~TaskRunView() = default;

bool TaskRunView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    return JobView::eventFilter(watched, event);
}

void TaskRunView::fitColumns()
{
    if (m_columnsSizedByUser)
        return;
    m_fittingColumns = true;
    const QFontMetrics cells = m_table->fontMetrics();
    const QFontMetrics heads = m_table->horizontalHeader()->fontMetrics();
    const int ch = cells.averageCharWidth();
    // A column fits its title (and the sort arrow) and its widest usual value.
    const auto fit = [&](TaskColumn column, const QString &widest, int extra = 0) {
        const QString title = m_model->headerData(int(column), Qt::Horizontal).toString();
        const int width = qMax(heads.horizontalAdvance(title) + ch * 4,
                               cells.horizontalAdvance(widest) + extra + ch * 2);
        m_table->setColumnWidth(int(column), width);
        return m_table->isColumnHidden(int(column)) ? 0 : width;
    };
    const int icon = m_table->style()->pixelMetric(QStyle::PM_SmallIconSize) + ch;
    int fixed = fit(TaskColumn::Status, tr("Succeeded"), icon);
    fixed += fit(TaskColumn::Attempts, QStringLiteral("10"));
    fixed += fit(TaskColumn::Duration, QStringLiteral("10.00 s"));
    fixed += fit(TaskColumn::Http, QStringLiteral("200 · 1.0 MiB"));
    fixed += fit(TaskColumn::Exit, QStringLiteral("signal 15"));
    // What is left goes to the id, the result and the error, the error the most.
    // The error keeps at least 20 characters while the others can give way.
    const int left = m_table->viewport()->width() - fixed;
    const int share = qBound(ch * 6, qMin(left * 3 / 10, (left - ch * 20) / 2), ch * 30);
    m_table->setColumnWidth(int(TaskColumn::Id), share);
    m_table->setColumnWidth(int(TaskColumn::Result), share);
    m_fittingColumns = false;
}

void TaskRunView::selectTask(int storeRow)
{
    if (!m_store || storeRow < 0 || storeRow >= m_store->size())
        return;
    m_taskToShow = -1;
    if (showTask(storeRow))
        return;
    m_taskToShow = storeRow;
    m_statusFilter->setCurrentIndex(0); // all statuses
    m_textFilter->clear();
    m_filterDelay.stop();
    m_model->setTextFilter(QString());
}

bool TaskRunView::showTask(int storeRow)
{
    const int viewRow = m_model->viewRow(storeRow);
    if (viewRow < 0)
        return false;
    const QModelIndex index = m_model->index(viewRow, 0);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect
                                                              | QItemSelectionModel::Rows);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
    return true;
}

void TaskRunView::showBatch(RunSession *session)
{
    if (m_session != session) {
        if (m_session)
            disconnect(m_session, nullptr, this, nullptr);
        m_session = session;
        connect(session, &RunSession::progress, this, &TaskRunView::onProgress);
        connect(session, &RunSession::tasksChanged, m_model, &TaskTableModel::onTasksChanged);
        connect(session, &RunSession::finished, this, &TaskRunView::onFinished);
    }
    const OpenedRun &opened = session->opened();
    m_store = session->store();
    m_batchPath = opened.batchPath;
    m_job.clear();
    m_model->setStore(m_store);
    m_summary->setBatch(*opened.batch, m_store->size(), opened.elapsedMs);
    m_table->setColumnHidden(int(TaskColumn::Exit), opened.batch->commands.isEmpty());
    fitColumns();
    m_progress->reset(m_store->size());
    if (opened.isJournal()) {
        // What the journal had finished: Retry Failed and the counts work from the start.
        const StatusCounts c = m_store->counts();
        RunStats stats;
        stats.total = c.total();
        stats.queued = c[TaskStatus::Queued] + c[TaskStatus::Running] + c[TaskStatus::Retrying];
        stats.succeeded = c[TaskStatus::Succeeded];
        stats.failed = c[TaskStatus::Failed];
        stats.cancelled = c[TaskStatus::Cancelled];
        stats.skipped = c[TaskStatus::Skipped];
        m_progress->setStats(stats);
        m_progress->setHeadline(tr("Restored from the journal"));
    }
    m_table->setFocus();
    if (m_model->rowCount() > 0) // the details pane shows something from the start
        m_table->setCurrentIndex(m_model->index(0, 0));
    updateShownLabel();
    emit stateChanged();
}

void TaskRunView::clear()
{
    m_job.clear();
    m_store.reset();
    m_model->setStore(nullptr);
    m_summary->clear();
    m_progress->reset(0);
    updateShownLabel();
}

void TaskRunView::showJob(Job *job)
{
    m_job = job;
    m_progress->setHeadline(tr("Starting…"));
    connect(job, &Job::suspended, this, [this] { m_progress->setHeadline(tr("Paused")); });
    connect(job, &Job::resumed, this, [this] { m_progress->setHeadline(tr("Running")); });
}

void TaskRunView::onProgress(const RunStats &stats)
{
    m_model->syncRowCount(); // tasks added to the run
    // As often as the progress comes (coalesced by the engine), never per task.
    m_summary->setTaskCount(m_model->storeRowCount());
    m_progress->setStats(stats);
    if (!stats.active)
        return;
    if (m_job && m_job->isKilled())
        m_progress->setHeadline(tr("Cancelling…"));
    else
        m_progress->setHeadline(stats.paused ? tr("Paused") : tr("Running"));
}

void TaskRunView::onFinished(const RunStats &stats)
{
    m_model->syncRowCount();
    m_summary->setTaskCount(m_model->storeRowCount());
    m_progress->setStats(stats);
    QString headline;
    if ((m_job && m_job->isKilled())
        || (stats.cancelled > 0 && stats.queued + stats.running + stats.retrying == 0
            && stats.finished() < stats.total))
        headline = tr("Cancelled");
    else if (stats.failed > 0)
        headline = tr("Finished with failures");
    else
        headline = tr("Finished");
    m_progress->setHeadline(headline);
    m_model->refresh();
    emit stateChanged();
}

QString TaskRunView::loadedMessage(const QString &fileName) const
{
    const OpenedRun &opened = m_session->opened();
    const qint64 tasks = m_store->size();
    if (opened.isJournal())
        return tr("Restored %1 finished of %2 tasks from the journal %3")
                .arg(Formatting::count(tasks - m_session->unfinishedTasks()),
                     Formatting::count(tasks), fileName);
    if (opened.batch->errorCount > 0)
        return tr("Loaded %1 tasks from %2; %3 lines have problems (listed above the table)")
                .arg(Formatting::count(tasks), fileName,
                     Formatting::count(opened.batch->errorCount));
    return tr("Loaded %1 tasks from %2 in %3")
            .arg(Formatting::count(tasks), fileName,
                 Formatting::milliseconds(double(opened.elapsedMs)));
}

QString TaskRunView::startedMessage(int workers) const
{
    return Formatting::counted(workers, tr("Running on %1 worker"), tr("Running on %1 workers"));
}

QString TaskRunView::resultMessage(Job *job) const
{
    const auto *run = qobject_cast<TaskRunJob *>(job);
    const RunStats stats = run ? run->stats() : m_progress->stats();
    QString message
            = tr("Finished in %1: %2 succeeded, %3 failed")
                      .arg(Formatting::clock(stats.elapsedMs), Formatting::count(stats.succeeded),
                           Formatting::count(stats.failed));
    if (stats.cancelled)
        message += tr(", %1 cancelled").arg(Formatting::count(stats.cancelled));
    if (stats.failed)
        message += tr(" — Retry Failed runs them again");
    return message;
}

bool TaskRunView::canExport() const
{
    return m_store && m_store->size() > 0;
}

QString TaskRunView::exportBaseName() const
{
    return QFileInfo(m_batchPath).completeBaseName() + QStringLiteral("-results");
}

void TaskRunView::exportResults(const QString &path, bool shownOnly)
{
    if (!m_store) {
        emit exportFinished(path, 0, tr("No batch is loaded"));
        return;
    }
    if (m_exportWatcher.isRunning()) {
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
    m_exportWatcher.setFuture(
            QtConcurrent::run(BackgroundPool::instance(), [store = m_store, rows, path] {
                return ResultExport::write(*store, rows, path);
            }));
    emit stateChanged();
}

bool TaskRunView::hasSelection() const
{
    return m_store && m_table->selectionModel()->hasSelection();
}

QVector<int> TaskRunView::selectedTaskRows() const
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

void TaskRunView::copySelected()
{
    if (!m_store || m_copyWatcher.isRunning())
        return;
    const QVector<int> rows = selectedTaskRows();
    if (rows.isEmpty())
        return;
    QVector<int> columns; // as shown
    QStringList headers;
    for (int c = 0; c < int(TaskColumn::Count); ++c) {
        if (m_table->isColumnHidden(c))
            continue;
        columns << c;
        headers << m_model->headerData(c, Qt::Horizontal).toString();
    }
    m_copyCount = rows.size();
    m_copyWatcher.setFuture(QtConcurrent::run(
            BackgroundPool::instance(), [store = m_store, rows, columns, headers] {
                return ResultExport::tabSeparated(*store, rows, columns, headers);
            }));
}

void TaskRunView::focusFilter()
{
    m_textFilter->setFocus(Qt::ShortcutFocusReason);
    m_textFilter->selectAll();
}

void TaskRunView::sortInFileOrder()
{
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_model->sort(-1);
}

void TaskRunView::updateShownLabel()
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

} // namespace Brigade
