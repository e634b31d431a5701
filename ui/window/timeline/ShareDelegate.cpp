#include "ShareDelegate.h"

#include "BreakdownBar.h"
#include "TimeBreakdownModel.h"
#include "TimelineStyle.h"

#include <QApplication>
#include <QPainter>

namespace Brigade {

void ShareDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);
    const auto *totals = static_cast<const PhaseTotals *>(
            index.data(TimeBreakdownModel::TotalsRole).value<const void *>());
    if (!totals)
        return;
    const QRectF bar
            = QRectF(option.rect)
                      .adjusted(3, option.rect.height() * 0.25, -3, -option.rect.height() * 0.25);
    BreakdownBar::paint(painter, bar, *totals, TimelineStyle::colors(option.palette));
}

QSize ShareDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(option.fontMetrics.averageCharWidth() * 20);
    return size;
}

} // namespace Brigade
