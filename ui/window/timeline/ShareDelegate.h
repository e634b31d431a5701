#pragma once

#include <QStyledItemDelegate>

namespace Brigade {

// Draws a breakdown row's phases as a small stacked bar, from the row's totals
// (TimeBreakdownModel::TotalsRole) alone.
class ShareDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace Brigade
