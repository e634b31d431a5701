#include "OrderedTableModel.h"

#include "BackgroundPool.h"

#include <QtConcurrent/QtConcurrentRun>

#include <numeric>

namespace Brigade {

OrderedTableModel::OrderedTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &OrderedTableModel::onComputed);
}

OrderedTableModel::~OrderedTableModel()
{
    // A running computation holds its own references to the source; let it stop early.
    m_cancel->store(true);
}

QVector<int> OrderedTableModel::shownSourceRows() const
{
    if (!m_identity)
        return m_order;
    QVector<int> rows(sourceRowCount());
    std::iota(rows.begin(), rows.end(), 0);
    return rows;
}

void OrderedTableModel::clearOrder()
{
    m_cancel->store(true);
    ++m_generation;
    m_pending = nullptr;
    m_identity = true;
    m_order = {};
    m_viewRowOf = {};
}

void OrderedTableModel::applyOrder(bool identity, QVector<int> order, QVector<int> viewRowOf)
{
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList from = persistentIndexList();
    QVector<int> fromSource;
    fromSource.reserve(from.size());
    for (const QModelIndex &index : from)
        fromSource.append(sourceRow(index.row()));

    m_identity = identity;
    m_order = std::move(order);
    m_viewRowOf = std::move(viewRowOf);

    QModelIndexList to;
    to.reserve(from.size());
    for (int i = 0; i < from.size(); ++i) {
        const int row = viewRow(fromSource[i]);
        to.append(row >= 0 ? createIndex(row, from[i].column()) : QModelIndex());
    }
    changePersistentIndexList(from, to);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
    emit orderApplied();
}

void OrderedTableModel::requestOrder()
{
    ++m_generation;
    m_cancel->store(true); // whatever is being computed is stale now
    OrderJob job = orderJob();
    if (!job) {
        m_pending = nullptr;
        if (!m_identity)
            applyOrder(true, {}, {});
        else if (m_announceSourceOrder)
            emit orderApplied(); // nothing to compute: the source's order is shown
        return;
    }
    if (m_watcher.isRunning()) {
        m_pending = std::move(job);
        return;
    }
    startCompute(std::move(job));
}

void OrderedTableModel::startCompute(OrderJob job)
{
    m_pending = nullptr;
    m_cancel = std::make_shared<std::atomic_bool>(false);
    m_computeGeneration = m_generation;
    m_watcher.setFuture(
            QtConcurrent::run(BackgroundPool::instance(),
                              [job = std::move(job), cancel = m_cancel] { return job(*cancel); }));
    setOrdering(true);
}

void OrderedTableModel::onComputed()
{
    ComputedOrder order = m_watcher.result();
    const bool current = m_computeGeneration == m_generation && !order.cancelled;
    orderComputed(order, current);
    if (current)
        applyOrder(order.identity, std::move(order.rows), std::move(order.viewRowOf));
    if (m_pending) {
        startCompute(std::exchange(m_pending, nullptr));
        return;
    }
    setOrdering(false);
}

void OrderedTableModel::setOrdering(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    emit orderingChanged(busy);
}

} // namespace Brigade
