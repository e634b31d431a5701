#include "OrderedTableModel.h"

#include <numeric>

namespace Brigade {

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

void OrderedTableModel::setOrdering(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    emit orderingChanged(busy);
}

} // namespace Brigade
