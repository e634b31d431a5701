#include "RunSummaryImage.h"

#include "BreakdownBar.h"
#include "TimelineRenderer.h"
#include "core/TaskStore.h"
#include "timeline/TimeBreakdown.h"
#include "window/shared/Formatting.h"

#include <QCoreApplication>
#include <QPainter>

namespace Brigade {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("RunSummaryImage", text);
}

} // namespace

QImage RunSummaryImage::render(const Input &in)
{
    if (!in.store)
        return {};
    const AttemptLog &log = in.store->attemptLog();
    const TimeBreakdown breakdown = TimeBreakdown::compute(log);
    const StatusCounts counts = in.store->counts();
    const QVector<qint64> starts = log.runStarts();
    const qint64 from = starts.isEmpty() ? 0 : starts.first();
    qint64 to = log.lastEndUs();
    const QVector<CountSample> samples = log.samples();
    if (!samples.isEmpty())
        to = qMax(to, samples.last().atUs);
    to = qMax(to, from + 1000);

    QFont font;
    font.setPixelSize(14);
    QFont bold = font;
    bold.setBold(true);
    QFont title = bold;
    title.setPixelSize(22);
    const QFontMetrics fm(font);
    const int line = fm.height() + 4;
    const int margin = 24;
    const int gutter = 220;
    const int laneH = 18;
    const int queueH = 40;
    int lanes = 0;
    for (const TimeBreakdown::Host &h : breakdown.hosts())
        lanes += h.lanes.size();
    const int timelineH = queueH + 4 + lanes * (laneH + 2) + breakdown.hosts().size() * line;
    const int breakdownH = (1 + breakdown.hosts().size() + lanes) * line + line * 3;
    const int height = margin * 2 + 40 + line * 2 + timelineH + 30 + breakdownH;

    QImage image(in.width, height, QImage::Format_ARGB32_Premultiplied);
    image.fill(in.background);

    // The timeline itself, by the window's renderer: lanes grouped under their hosts.
    TimelineFrameRequest r;
    r.store = in.store;
    r.fromUs = from;
    r.toUs = to + (to - from) / 100;
    r.size = QSize(in.width - margin * 2 - gutter, timelineH);
    r.colors = in.colors;
    r.queueY = 0;
    r.queueHeight = queueH;
    r.individualLimit = 2000;
    QStringList laneLabels;
    QVector<QPair<int, QString>> hostLabels; // y, name
    int y = queueH + 4;
    for (const TimeBreakdown::Host &h : breakdown.hosts()) {
        hostLabels.append({y, h.name});
        y += line;
        for (int lane : h.lanes) {
            r.lanes.append({lane, y, laneH});
            laneLabels << tr("worker %1").arg(breakdown.lanes()[lane].slot);
            y += laneH + 2;
        }
    }
    const TimelineFrame frame = TimelineRenderer::render(r);

    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QColor::fromRgba(in.text));
    y = margin;
    p.setFont(title);
    p.drawText(QRect(margin, y, in.width - 2 * margin, 36), Qt::AlignLeft | Qt::AlignVCenter,
               tr("Brigade run: %1").arg(in.title));
    y += 40;
    p.setFont(font);
    p.drawText(QRect(margin, y, in.width - 2 * margin, line), Qt::AlignLeft | Qt::AlignVCenter,
               tr("%1 tasks · %2 succeeded · %3 failed · %4 skipped · %5 cancelled · %6 "
                  "attempts · %7")
                       .arg(Formatting::count(counts.total()),
                            Formatting::count(counts[TaskStatus::Succeeded]),
                            Formatting::count(counts[TaskStatus::Failed]),
                            Formatting::count(counts[TaskStatus::Skipped]),
                            Formatting::count(counts[TaskStatus::Cancelled]),
                            Formatting::count(log.size()),
                            Formatting::milliseconds(double(to - from) / 1000.0)));
    y += line * 2;

    const int plotX = margin + gutter;
    p.drawText(QRect(margin, y, gutter - 8, queueH), Qt::AlignLeft | Qt::AlignVCenter,
               tr("Waiting (≤ %1)").arg(Formatting::count(frame.queueMax)));
    p.setFont(bold);
    for (const auto &[hy, name] : std::as_const(hostLabels))
        p.drawText(QRect(margin, y + hy, gutter - 8, line), Qt::AlignLeft | Qt::AlignVCenter, name);
    p.setFont(font);
    for (int i = 0; i < r.lanes.size(); ++i)
        p.drawText(QRect(margin + 12, y + r.lanes[i].y, gutter - 20, laneH),
                   Qt::AlignLeft | Qt::AlignVCenter, laneLabels[i]);
    p.drawImage(QPoint(plotX, y), frame.image);
    y += timelineH + 4;
    p.drawText(QRect(plotX, y, 200, line), Qt::AlignLeft, QStringLiteral("0 s"));
    p.drawText(QRect(in.width - margin - 200, y, 200, line), Qt::AlignRight,
               Formatting::milliseconds(double(r.toUs - from) / 1000.0));
    y += 26;

    // Where the time went: a bar per row, with its phases' shares.
    p.setFont(bold);
    p.drawText(QRect(margin, y, in.width - 2 * margin, line), Qt::AlignLeft | Qt::AlignVCenter,
               tr("Where the time went: %1").arg(breakdown.total().summary()));
    y += line + 6;
    p.setFont(font);
    const auto row = [&](const QString &name, const PhaseTotals &t, int indent) {
        p.drawText(QRect(margin + indent, y, gutter - indent, line),
                   Qt::AlignLeft | Qt::AlignVCenter, name);
        BreakdownBar::paint(&p, QRectF(plotX, y + 3, 500, line - 6), t, in.colors);
        p.drawText(QRect(plotX + 510, y, in.width - plotX - 510 - margin, line),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   tr("%1 attempts · %2").arg(Formatting::count(t.attempts), t.summary()));
        y += line;
    };
    row(tr("all workers"), breakdown.total(), 0);
    for (const TimeBreakdown::Host &h : breakdown.hosts()) {
        row(h.name, h.totals, 0);
        for (int lane : h.lanes)
            row(tr("worker %1").arg(breakdown.lanes()[lane].slot), breakdown.lane(lane), 12);
    }
    p.end();
    return image;
}

} // namespace Brigade
