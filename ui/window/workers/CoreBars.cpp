#include "CoreBars.h"

#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace Brigade {

CoreBars::CoreBars(QWidget *parent)
    : QWidget(parent)
{
    QSizePolicy policy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
    setToolTip(tr("Utilisation of each core of this machine, all processes included"));
}

void CoreBars::setLoads(const QVector<double> &loads)
{
    const bool resized = loads.size() != m_loads.size();
    m_loads = loads;
    if (resized)
        updateGeometry();
    update();
}

int CoreBars::rowHeight() const
{
    return fontMetrics().height() + fontMetrics().height() / 3;
}

int CoreBars::cellMinWidth() const
{
    return fontMetrics().horizontalAdvance(QStringLiteral("CPU 00 100 %")) * 2;
}

int CoreBars::columnsFor(int width) const
{
    const int n = qMax(1, int(m_loads.size()));
    // Up to 8 rows before a second column, as long as the columns stay readable.
    const int wanted = (n + 7) / 8;
    return qBound(1, qMin(wanted, width / qMax(1, cellMinWidth())), n);
}

int CoreBars::heightForWidth(int width) const
{
    const int n = qMax(1, int(m_loads.size()));
    const int columns = columnsFor(width);
    return ((n + columns - 1) / columns) * rowHeight();
}

QSize CoreBars::sizeHint() const
{
    const int width = cellMinWidth() * 3 / 2;
    return QSize(width, heightForWidth(width));
}

QSize CoreBars::minimumSizeHint() const
{
    return QSize(cellMinWidth(), rowHeight());
}

void CoreBars::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm = fontMetrics();
    if (m_loads.isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignLeft | Qt::AlignVCenter, tr("Core load appears during a run"));
        return;
    }
    const int n = m_loads.size();
    const int columns = columnsFor(width());
    const int rows = (n + columns - 1) / columns;
    const int rh = rowHeight();
    const int gap = fm.averageCharWidth() * 2;
    const int cellWidth = (width() - gap * (columns - 1)) / columns;
    const int labelWidth
            = fm.horizontalAdvance(QStringLiteral("CPU %1").arg(n - 1)) + fm.averageCharWidth();
    const int valueWidth = fm.horizontalAdvance(QStringLiteral("100 %")) + fm.averageCharWidth();
    const QColor text = palette().color(QPalette::WindowText);
    QColor track = palette().color(QPalette::Mid);
    track.setAlphaF(0.3f);
    const QColor fill = palette().color(QPalette::Highlight);

    for (int i = 0; i < n; ++i) {
        const int column = i / rows;
        const int row = i % rows;
        const QRect cell(column * (cellWidth + gap), row * rh, cellWidth, rh);
        const double load = qBound(0.0, m_loads[i], 1.0);
        p.setPen(text);
        p.drawText(QRect(cell.left(), cell.top(), labelWidth, rh), Qt::AlignLeft | Qt::AlignVCenter,
                   QStringLiteral("CPU %1").arg(i));
        p.drawText(QRect(cell.right() - valueWidth, cell.top(), valueWidth, rh),
                   Qt::AlignRight | Qt::AlignVCenter,
                   QStringLiteral("%1 %").arg(int(std::lround(load * 100.0))));
        const qreal barHeight = qMax(4.0, rh * 0.45);
        const QRectF bar(cell.left() + labelWidth, cell.top() + (rh - barHeight) / 2.0,
                         qMax(0, cell.width() - labelWidth - valueWidth - fm.averageCharWidth()),
                         barHeight);
        const qreal radius = barHeight / 2.0;
        QPainterPath track_;
        track_.addRoundedRect(bar, radius, radius);
        p.fillPath(track_, track);
        if (load > 0.0) {
            p.save();
            p.setClipPath(track_);
            // Hot cores shade toward the highlight's stronger tone.
            QColor c = fill;
            if (load > 0.9)
                c = c.darker(115);
            p.fillRect(QRectF(bar.left(), bar.top(), bar.width() * load, bar.height()), c);
            p.restore();
        }
    }
}

} // namespace Brigade
