#include "FailuresView.h"

#include "FailureGroupsModel.h"
#include "SparklineDelegate.h"
#include "session/RunSession.h"
#include "window/shared/Formatting.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace Brigade {

FailuresView::FailuresView(QWidget *parent)
    : QWidget(parent)
    , m_model(new FailureGroupsModel(this))
    , m_table(new QTableView)
    , m_summary(new QLabel)
{
    setObjectName(QStringLiteral("failuresView"));
    m_summary->setObjectName(QStringLiteral("failuresSummary"));
    m_summary->setText(tr("No failures."));
    m_table->setObjectName(QStringLiteral("failureGroups"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setItemDelegateForColumn(FailureGroupsModel::When, new SparklineDelegate(m_table));
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    // The counts, times and hosts as wide as they are (a few groups, cheap to measure), so a
    // narrow window leaves the room to the cause and the example; a cause cut short keeps
    // its end, where the fetched host is.
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    for (int column :
         {FailureGroupsModel::Tasks, FailureGroupsModel::Attempts, FailureGroupsModel::First,
          FailureGroupsModel::Last, FailureGroupsModel::Hosts})
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    header->setStretchLastSection(true);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setColumnWidth(FailureGroupsModel::Cause, fontMetrics().averageCharWidth() * 52);
    m_table->setColumnWidth(FailureGroupsModel::When, fontMetrics().averageCharWidth() * 16);
    m_table->setToolTip(tr("Double-click a group to see its example task in the table"));
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const int row = index.data(FailureGroupsModel::ExampleRowRole).toInt();
        if (row >= 0)
            emit showTaskRequested(row);
    });

    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_summary, 1);
    const auto add = [&](Action action, const QString &text, const QString &tip, const char *name) {
        auto *b = new QPushButton(text);
        b->setObjectName(QLatin1String(name));
        b->setToolTip(tip);
        connect(b, &QPushButton::clicked, this, [this, action] { request(action); });
        buttons->addWidget(b);
        m_buttons.insert(int(action), b);
    };
    add(Action::Retry, tr("Retry Now"),
        tr("Run the failed tasks of the chosen groups again (all groups when none is chosen)"),
        "failuresRetry");
    add(Action::RetryWithSettings, tr("Retry with Changes…"),
        tr("Retry the failed tasks of the chosen groups with a change to their specs: the "
           "fetch URL's host (a mirror), a header, the timeout, the attempts (journaled)"),
        "failuresRetryWithSettings");
    add(Action::StopRetrying, tr("Stop Retrying"),
        tr("Give up on the tasks of the chosen groups that are waiting to try again: they "
           "end as cancelled"),
        "failuresStopRetrying");
    add(Action::Skip, tr("Skip…"),
        tr("Give up on the tasks of the chosen groups, with a reason (journaled): they end as "
           "skipped, not failed, so a run whose other tasks succeeded ends clean"),
        "failuresSkip");
    add(Action::Export, tr("Export as Batch…"),
        tr("Save the tasks of the chosen groups as a batch file of their own, as they were "
           "written"),
        "failuresExport");

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(buttons);
    layout->addWidget(m_table, 1);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &FailuresView::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, &FailuresView::updateButtons);
    updateButtons();
}

void FailuresView::setSession(RunSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    m_pending.clear();
    if (!session)
        return;
    connect(session, &RunSession::failuresChanged, this, &FailuresView::onFailures);
    connect(session, &RunSession::failureRowsFound, this, &FailuresView::onRowsFound);
    connect(session, &RunSession::started, this, &FailuresView::updateButtons);
    connect(session, &RunSession::finished, this, &FailuresView::updateButtons);
    onFailures(session->failures());
}

QPushButton *FailuresView::button(Action action) const
{
    return m_buttons.value(int(action));
}

void FailuresView::onFailures(const FailureSummary &summary)
{
    m_model->setSummary(summary);
    if (summary.isEmpty()) {
        m_summary->setText(tr("No failures."));
    } else {
        QStringList parts;
        if (summary.failedTasks > 0)
            parts << Formatting::counted(summary.failedTasks, tr("%1 failed task"),
                                         tr("%1 failed tasks"));
        if (summary.retryingTasks > 0)
            parts << tr("%1 retrying").arg(Formatting::count(summary.retryingTasks));
        if (parts.isEmpty())
            parts << tr("every failed task recovered");
        m_summary->setText(
                tr("%1 in %2, from %3")
                        .arg(parts.join(QStringLiteral(", ")),
                             Formatting::counted(summary.activeGroupCount, tr("%1 group"),
                                                 tr("%1 groups")),
                             Formatting::counted(summary.failedAttempts, tr("%1 failed attempt"),
                                                 tr("%1 failed attempts"))));
    }
    updateButtons();
}

QVector<int> FailuresView::chosenIds() const
{
    QVector<int> ids;
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        for (int r = 0; r < m_model->rowCount(); ++r)
            rows << m_model->index(r, 0);
    }
    for (const QModelIndex &i : std::as_const(rows))
        ids += i.data(FailureGroupsModel::GroupIdsRole).value<QVector<int>>();
    return ids;
}

void FailuresView::request(Action action)
{
    if (!m_session)
        return;
    const QVector<int> ids = chosenIds();
    if (ids.isEmpty())
        return;
    m_pending.insert(m_session->findFailureRows(ids), action);
}

void FailuresView::onRowsFound(quint64 token, const QVector<int> &rows)
{
    const auto it = m_pending.constFind(token);
    if (it == m_pending.cend())
        return;
    const Action action = it.value();
    m_pending.erase(it);
    emit actionRequested(action, rows);
}

void FailuresView::updateButtons()
{
    const bool any = m_model->rowCount() > 0;
    for (QPushButton *b : std::as_const(m_buttons))
        b->setEnabled(any);
    const bool running = m_session && m_session->isRunning();
    qint64 retrying = 0;
    for (const FailureGroup &g : m_model->summary().groups)
        retrying += g.retrying;
    button(Action::StopRetrying)->setEnabled(any && running && retrying > 0);
}

} // namespace Brigade
