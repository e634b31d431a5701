#include "TimeBreakdownView.h"

#include "BreakdownBar.h"
#include "ShareDelegate.h"
#include "TimeBreakdownModel.h"
#include "core/TaskStore.h"
#include "window/shared/Formatting.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace Brigade {

TimeBreakdownView::TimeBreakdownView(QWidget *parent)
    : QWidget(parent)
    , m_scopeBox(new QComboBox)
    , m_summary(new QLabel)
    , m_bar(new BreakdownBar)
    , m_model(new TimeBreakdownModel(this))
    , m_tree(new QTreeView)
    , m_cancel(std::make_shared<std::atomic_bool>(false))
{
    setObjectName(QStringLiteral("timeBreakdown"));
    m_pool.setMaxThreadCount(1);
    m_scopeBox->setObjectName(QStringLiteral("breakdownScope"));
    m_scopeBox->addItem(tr("Whole run"), int(Scope::WholeRun));
    m_scopeBox->addItem(tr("Selected tasks"), int(Scope::SelectedTasks));
    m_scopeBox->addItem(tr("Selected time range"), int(Scope::TimeRange));
    m_scopeBox->setToolTip(tr("What to break down: every attempt, the attempts of the tasks "
                              "selected in the table, or the time range selected on the "
                              "timeline (Shift+drag)"));
    connect(m_scopeBox, &QComboBox::currentIndexChanged, this, [this] { recompute(); });
    m_summary->setObjectName(QStringLiteral("breakdownSummary"));
    m_summary->setWordWrap(true);
    m_tree->setObjectName(QStringLiteral("breakdownTree"));
    m_tree->setModel(m_model);
    m_tree->setItemDelegateForColumn(TimeBreakdownModel::Share, new ShareDelegate(m_tree));
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setRootIsDecorated(true);
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(TimeBreakdownModel::Share, QHeaderView::Stretch);

    auto *top = new QHBoxLayout;
    auto *label = new QLabel(tr("Where the time went:"));
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    top->addWidget(label);
    top->addWidget(m_scopeBox);
    top->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_bar);
    layout->addWidget(m_summary);
    layout->addWidget(m_tree, 1);

    connect(&m_watcher, &QFutureWatcher<TimeBreakdown>::finished, this,
            &TimeBreakdownView::onComputed);
    m_liveTimer.setInterval(1000);
    connect(&m_liveTimer, &QTimer::timeout, this, &TimeBreakdownView::recompute);
    m_delay.setSingleShot(true);
    m_delay.setInterval(150);
    connect(&m_delay, &QTimer::timeout, this, &TimeBreakdownView::recompute);
}

TimeBreakdownView::~TimeBreakdownView()
{
    m_cancel->store(true);
    m_watcher.waitForFinished();
    m_pool.waitForDone();
}

void TimeBreakdownView::setStore(std::shared_ptr<const TaskStore> store)
{
    m_store = std::move(store);
    m_rangeFrom = m_rangeTo = -1;
    m_expandedOnce = false;
    m_model->setBreakdown(TimeBreakdown{});
    recompute();
}

void TimeBreakdownView::setRunning(bool running)
{
    if (running) {
        m_liveTimer.start();
    } else {
        m_liveTimer.stop();
        recompute();
    }
}

void TimeBreakdownView::setSelectionProvider(std::function<QVector<int>()> provider)
{
    m_selection = std::move(provider);
}

void TimeBreakdownView::selectionChanged()
{
    if (scope() == Scope::SelectedTasks)
        m_delay.start();
}

void TimeBreakdownView::setTimeRange(qint64 fromUs, qint64 toUs)
{
    m_rangeFrom = fromUs;
    m_rangeTo = toUs;
    if (fromUs >= 0 && scope() != Scope::TimeRange)
        setScope(Scope::TimeRange); // recomputes
    else if (scope() == Scope::TimeRange)
        m_delay.start();
}

void TimeBreakdownView::setScope(Scope scope)
{
    m_scopeBox->setCurrentIndex(m_scopeBox->findData(int(scope)));
}

TimeBreakdownView::Scope TimeBreakdownView::scope() const
{
    return Scope(m_scopeBox->currentData().toInt());
}

const TimeBreakdown &TimeBreakdownView::breakdown() const
{
    return m_model->breakdown();
}

void TimeBreakdownView::recompute()
{
    if (m_watcher.isRunning()) {
        m_dirty = true;
        return;
    }
    start();
}

void TimeBreakdownView::start()
{
    m_dirty = false;
    if (!m_store) {
        m_model->setBreakdown(TimeBreakdown{});
        m_bar->setTotals({});
        m_summary->setText(tr("No run yet."));
        return;
    }
    TimeBreakdown::Scope s;
    switch (scope()) {
    case Scope::WholeRun:
        break;
    case Scope::SelectedTasks: {
        auto rows = std::make_shared<std::vector<bool>>(size_t(m_store->size()), false);
        const QVector<int> selected = m_selection ? m_selection() : QVector<int>();
        for (int row : selected) {
            if (row >= 0 && row < m_store->size())
                (*rows)[size_t(row)] = true;
        }
        s.rows = rows;
        break;
    }
    case Scope::TimeRange:
        s.fromUs = m_rangeFrom >= 0 ? m_rangeFrom : 0;
        s.toUs = m_rangeFrom >= 0 ? m_rangeTo : 0; // none chosen: an empty range
        break;
    }
    m_cancel = std::make_shared<std::atomic_bool>(false);
    m_watcher.setFuture(QtConcurrent::run(&m_pool, [store = m_store, s, cancel = m_cancel] {
        return TimeBreakdown::compute(store->attemptLog(), s, cancel.get());
    }));
}

void TimeBreakdownView::onComputed()
{
    TimeBreakdown b = m_watcher.result();
    const PhaseTotals total = b.total();
    m_model->setBreakdown(std::move(b));
    if (!m_expandedOnce && m_model->rowCount() > 0) {
        m_tree->expandToDepth(0);
        m_expandedOnce = m_model->rowCount(m_model->index(0, 0)) > 0;
    }
    m_bar->setTotals(total);
    QString text;
    if (total.attempts == 0) {
        text = scope() == Scope::TimeRange && m_rangeFrom < 0
                       ? tr("Select a time range on the timeline with Shift+drag.")
                       : (scope() == Scope::SelectedTasks
                                  ? tr("No attempts of the selected tasks recorded.")
                                  : tr("No attempts recorded yet."));
    } else {
        text = tr("%1 over %2 attempts: %3.")
                       .arg(Formatting::milliseconds(total.totalUs() / 1000.0),
                            Formatting::count(total.attempts), total.summary());
    }
    m_summary->setText(text);
    emit computed();
    if (m_dirty)
        start();
}

} // namespace Brigade
