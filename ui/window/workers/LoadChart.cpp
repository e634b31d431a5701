#include "LoadChart.h"

#include "window/shared/Formatting.h"
#include "window/shared/StatusStyle.h"

#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace Brigade {

namespace {

constexpr int MaxSamples = 1200;

// 1, 2, 5 times a power of ten, at least v: a readable top for the rate axis.
double niceCeiling(double v)
{
    if (v <= 0)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
    for (double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * magnitude >= v)
            return step * magnitude;
    }
    return 10 * magnitude;
}

QColor throughputColor()
{
    return StatusStyle::color(TaskStatus::Succeeded);
}

} // namespace

LoadChart::LoadChart(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setToolTip(tr("Green: tasks finished per second. Blue: load of each core (thin lines) "
                  "and their average (shaded)."));
}

QSize LoadChart::sizeHint() const
{
    return QSize(fontMetrics().averageCharWidth() * 50, fontMetrics().height() * 10);
}

QSize LoadChart::minimumSizeHint() const
{
    return QSize(fontMetrics().averageCharWidth() * 20, fontMetrics().height() * 5);
}

void LoadChart::clear()
{
    m_samples.clear();
    m_peakRate = 0;
    update();
}

void LoadChart::addSample(const LoadSample &s)
{
    Sample sample;
    sample.ms = s.elapsedMs;
    sample.rate = s.tasksPerSecond;
    sample.cores.reserve(s.cores.size());
    for (double c : s.cores)
        sample.cores.append(float(c));
    if (!m_samples.isEmpty() && sample.ms < m_samples.last().ms)
        m_samples.clear(); // a new run started its clock again
    m_samples.append(std::move(sample));
    m_peakRate = qMax(m_peakRate, s.tasksPerSecond);
    if (m_samples.size() > MaxSamples) {
        QVector<Sample> halved;
        halved.reserve(MaxSamples / 2 + 1);
        for (int i = 0; i + 1 < m_samples.size(); i += 2) {
            Sample a = m_samples[i];
            const Sample &b = m_samples[i + 1];
            a.ms = b.ms;
            a.rate = (a.rate + b.rate) / 2;
            for (int c = 0; c < a.cores.size() && c < b.cores.size(); ++c)
                a.cores[c] = (a.cores[c] + b.cores[c]) / 2;
            halved.append(std::move(a));
        }
        if (m_samples.size() % 2)
            halved.append(m_samples.last());
        m_samples = std::move(halved);
    }
    update();
}

void LoadChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm = fontMetrics();
    const QPalette pal = palette();
    const int pad = fm.averageCharWidth();
    const int leftAxis = fm.horizontalAdvance(QStringLiteral("100 %")) + pad;
    const int rightAxis = fm.horizontalAdvance(QStringLiteral("00.0k/s")) + pad;
    const QRectF plot(leftAxis, fm.height() + pad, width() - leftAxis - rightAxis,
                      height() - 2 * fm.height() - 2 * pad);
    if (plot.width() < 10 || plot.height() < 10)
        return;
    // The values' area, a little below the frame: a core at 100 % draws its line inside
    // the chart, not on its top border where the frame hid it.
    const QRectF area = plot.adjusted(0, qMax(4.0, fm.height() / 3.0), 0, 0);

    QColor base = pal.color(QPalette::Base);
    p.fillRect(plot, base);
    QColor grid = pal.color(QPalette::Mid);
    grid.setAlphaF(0.35f);
    p.setPen(QPen(grid, 1));
    for (int i = 0; i <= 4; ++i) {
        const qreal y = area.bottom() - area.height() * i / 4.0;
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    }

    QColor dim = pal.color(QPalette::PlaceholderText);
    const QColor coreColor = pal.color(QPalette::Highlight);
    const QColor rateColor = throughputColor();

    // Legend, across the top.
    const double top = niceCeiling(m_peakRate * 1.1);
    const double lastRate = m_samples.isEmpty() ? 0.0 : m_samples.last().rate;
    const QRectF legend(plot.left(), 0, plot.width(), fm.height() + pad);
    p.setPen(rateColor);
    p.drawText(legend, Qt::AlignLeft | Qt::AlignVCenter,
               lastRate > 0 ? tr("● %1 tasks finished").arg(Formatting::rate(lastRate))
                            : tr("● throughput"));
    p.setPen(coreColor);
    p.drawText(legend, Qt::AlignRight | Qt::AlignVCenter, tr("● core load"));

    // Axes.
    p.setPen(dim);
    for (int i = 0; i <= 4; i += 2) {
        const qreal y = area.bottom() - area.height() * i / 4.0;
        p.drawText(QRectF(0, y - fm.height() / 2.0, leftAxis - pad / 2.0, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("%1 %").arg(i * 25));
        const double value = top * i / 4.0;
        const QString label = value >= 1000 ? QStringLiteral("%1k/s").arg(value / 1000.0, 0, 'g', 3)
                                            : QStringLiteral("%1/s").arg(value, 0, 'g', 3);
        p.drawText(QRectF(plot.right() + pad / 2.0, y - fm.height() / 2.0, rightAxis, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, label);
    }

    if (m_samples.size() < 2) {
        p.setPen(dim);
        p.drawText(plot, Qt::AlignCenter, tr("The chart fills in during a run"));
        return;
    }
    const qint64 t0 = m_samples.first().ms;
    const qint64 t1 = qMax(t0 + 1, m_samples.last().ms);
    p.setPen(dim);
    p.drawText(QRectF(plot.left(), plot.bottom() + pad / 2.0, plot.width(), fm.height()),
               Qt::AlignLeft | Qt::AlignTop, Formatting::clock(t0));
    p.drawText(QRectF(plot.left(), plot.bottom() + pad / 2.0, plot.width(), fm.height()),
               Qt::AlignRight | Qt::AlignTop, Formatting::clock(t1));

    const auto xOf = [&](qint64 ms) {
        return plot.left() + plot.width() * double(ms - t0) / double(t1 - t0);
    };
    const auto yOfLoad = [&](double load) {
        return area.bottom() - area.height() * qBound(0.0, load, 1.0);
    };

    p.save();
    p.setClipRect(plot);
    // Average load, shaded.
    QPainterPath mean;
    mean.moveTo(xOf(m_samples.first().ms), plot.bottom());
    for (const Sample &s : std::as_const(m_samples)) {
        double sum = 0;
        for (float c : s.cores)
            sum += c;
        mean.lineTo(xOf(s.ms), yOfLoad(s.cores.isEmpty() ? 0.0 : sum / s.cores.size()));
    }
    mean.lineTo(xOf(m_samples.last().ms), plot.bottom());
    mean.closeSubpath();
    QColor shade = coreColor;
    shade.setAlphaF(0.12f);
    p.fillPath(mean, shade);

    // Each core, thin.
    const int cores = m_samples.last().cores.size();
    QColor coreLine = coreColor;
    coreLine.setAlphaF(cores > 8 ? 0.3f : 0.7f);
    p.setPen(QPen(coreLine, 1.0));
    for (int c = 0; c < cores; ++c) {
        QPainterPath line;
        bool started = false;
        for (const Sample &s : std::as_const(m_samples)) {
            if (c >= s.cores.size())
                continue;
            const QPointF pt(xOf(s.ms), yOfLoad(s.cores[c]));
            if (!started) {
                line.moveTo(pt);
                started = true;
            } else {
                line.lineTo(pt);
            }
        }
        p.drawPath(line);
    }

    // Throughput, bold, on its own scale.
    QPainterPath rate;
    for (int i = 0; i < m_samples.size(); ++i) {
        const Sample &s = m_samples[i];
        const QPointF pt(xOf(s.ms), area.bottom() - area.height() * qBound(0.0, s.rate / top, 1.0));
        if (i == 0)
            rate.moveTo(pt);
        else
            rate.lineTo(pt);
    }
    p.setPen(QPen(rateColor, qMax(1.5, fm.height() / 8.0), Qt::SolidLine, Qt::RoundCap,
                  Qt::RoundJoin));
    p.drawPath(rate);
    p.restore();

    p.setPen(QPen(grid, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(plot);
}

} // namespace Brigade
