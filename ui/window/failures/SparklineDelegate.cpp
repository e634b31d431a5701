#include "SparklineDelegate.h"

#include "FailureGroupsModel.h"
#include "window/shared/StatusStyle.h"

#include <QApplication>
#include <QPainter>

namespace Brigade {

void SparklineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    const auto histogram = index.data(FailureGroupsModel::HistogramRole).value<QVector<quint32>>();
    quint32 peak = 0;
    for (quint32 v : histogram)
        peak = qMax(peak, v);
    if (histogram.isEmpty() || peak == 0)
        return;
    // The buckets every group's sparkline shows (one time axis for all), not the whole
    // histogram: a run shorter than its 60 buckets is spread over the column.
    const int shown = qBound(1, index.data(FailureGroupsModel::BucketsShownRole).toInt(),
                             int(histogram.size()));
    const QRectF r = QRectF(option.rect).adjusted(3, 3, -3, -3);
    const double w = r.width() / shown;
    painter->save();
    painter->setPen(Qt::NoPen);
    painter->setBrush(StatusStyle::color(TaskStatus::Failed));
    for (int i = 0; i < shown; ++i) {
        if (!histogram[i])
            continue;
        const double h = qMax(1.0, r.height() * histogram[i] / peak);
        painter->drawRect(QRectF(r.left() + i * w, r.bottom() - h, qMax(1.0, w - 0.5), h));
    }
    painter->restore();
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    return QSize(option.fontMetrics.averageCharWidth() * 16, option.fontMetrics.height() + 6);
}

} // namespace Brigade
