#include "BreakdownBar.h"

#include "TimelineStyle.h"
#include "window/shared/Formatting.h"

#include <QPainter>

namespace Brigade {

namespace {

struct Part
{
    double us;
    QRgb color;
    QString name;
};

QVector<Part> parts(const PhaseTotals &t, const TimelineColors &c)
{
    return {{t.queuedUs, c.queued, BreakdownBar::tr("queued")},
            {t.workerWaitUs, c.waiting, BreakdownBar::tr("waiting on a worker")},
            {t.fetchUs, c.fetch, BreakdownBar::tr("fetching")},
            {t.computeUs, c.compute, BreakdownBar::tr("computing")},
            {t.backoffUs, c.retried, BreakdownBar::tr("waiting to retry")}};
}

} // namespace

BreakdownBar::BreakdownBar(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("breakdownBar"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void BreakdownBar::setTotals(const PhaseTotals &totals)
{
    m_totals = totals;
    QStringList tip;
    for (const Part &p : parts(totals, TimelineColors{}))
        tip << QStringLiteral("%1: %2 (%3)")
                        .arg(p.name, Formatting::milliseconds(p.us / 1000.0),
                             Formatting::percent(totals.share(p.us) + 0.005));
    setToolTip(tip.join(QLatin1Char('\n')));
    update();
}

void BreakdownBar::paint(QPainter *painter, const QRectF &rect, const PhaseTotals &totals,
                         const TimelineColors &colors)
{
    const double total = totals.totalUs();
    if (total <= 0 || rect.width() <= 0)
        return;
    double x = rect.left();
    for (const Part &p : parts(totals, colors)) {
        const double w = rect.width() * p.us / total;
        if (w <= 0)
            continue;
        painter->fillRect(QRectF(x, rect.top(), w, rect.height()), QColor(p.color));
        x += w;
    }
}

QSize BreakdownBar::sizeHint() const
{
    return QSize(fontMetrics().averageCharWidth() * 60, fontMetrics().height() * 3);
}

QSize BreakdownBar::minimumSizeHint() const
{
    return QSize(fontMetrics().averageCharWidth() * 20, fontMetrics().height() * 3);
}

void BreakdownBar::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const int fh = fontMetrics().height();
    const QRectF bar(0.5, 0.5, width() - 1.0, fh * 1.2);
    p.fillRect(bar, palette().color(QPalette::AlternateBase));
    const TimelineColors colors = TimelineStyle::colors(palette());
    paint(&p, bar, m_totals, colors);
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(bar);
    // The legend: each phase with its share, on one line under the bar.
    int x = 0;
    const int y = int(bar.bottom()) + 4;
    for (const Part &part : parts(m_totals, colors)) {
        const QString text = QStringLiteral("%1 %2").arg(
                part.name, Formatting::percent(m_totals.share(part.us) + 0.005));
        const int w = fh * 3 / 4 + 4 + fontMetrics().horizontalAdvance(text) + 12;
        if (x + w > width())
            break;
        p.fillRect(QRect(x, y + fh / 8, fh * 3 / 4, fh * 3 / 4), QColor(part.color));
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(x + fh * 3 / 4 + 4, y, w, fh), Qt::AlignLeft | Qt::AlignVCenter, text);
        x += w;
    }
}

} // namespace Brigade
