#include "StackedProgressBar.h"

#include "window/shared/StatusStyle.h"

#include <QPainter>
#include <QPainterPath>

namespace Brigade {

StackedProgressBar::StackedProgressBar(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
}

QSize StackedProgressBar::sizeHint() const
{
    return QSize(fontMetrics().averageCharWidth() * 40, fontMetrics().height());
}

QSize StackedProgressBar::minimumSizeHint() const
{
    return QSize(fontMetrics().averageCharWidth() * 10, fontMetrics().height() / 2);
}

void StackedProgressBar::setCounts(const std::array<qint64, TaskStatusCount> &counts)
{
    if (counts == m_counts)
        return;
    m_counts = counts;
    update();
}

void StackedProgressBar::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    const qreal radius = r.height() / 2.0;
    QPainterPath clip;
    clip.addRoundedRect(r, radius, radius);

    QColor track = palette().color(QPalette::Mid);
    track.setAlphaF(0.35f);
    p.fillPath(clip, track);

    qint64 total = 0;
    for (qint64 n : m_counts)
        total += n;
    if (total > 0) {
        p.save();
        p.setClipPath(clip);
        // Cancelled tasks are not filled in: a cancelled run's bar is not a full one.
        static const TaskStatus order[]
                = {TaskStatus::Succeeded, TaskStatus::Failed, TaskStatus::Skipped,
                   TaskStatus::Running, TaskStatus::Retrying};
        qreal x = r.left();
        for (TaskStatus s : order) {
            const qint64 n = m_counts[size_t(s)];
            if (n <= 0)
                continue;
            const qreal w = r.width() * qreal(n) / qreal(total);
            QColor c = StatusStyle::color(s);
            if (s == TaskStatus::Running || s == TaskStatus::Retrying)
                c.setAlphaF(0.55f); // in progress: lighter than what is done
            // At least a sliver, so a single failure among a million still shows.
            p.fillRect(QRectF(x, r.top(), qMax<qreal>(w, 1.5), r.height()), c);
            x += w;
        }
        p.restore();
    }
    QColor border = palette().color(QPalette::Dark);
    border.setAlphaF(0.5f);
    p.setPen(QPen(border, 1));
    p.setBrush(Qt::NoBrush);
    p.drawPath(clip);
}

} // namespace Brigade
