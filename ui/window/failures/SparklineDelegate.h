#pragma once

#include <QStyledItemDelegate>

namespace Brigade {

// Draws a cell's histogram (FailureGroupsModel::HistogramRole) as a sparkline of bars.
class SparklineDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace Brigade
