#include "RunReport.h"

#include "core/TaskStore.h"
#include "timeline/TimeBreakdown.h"
#include "timeline/TimelineBins.h"

#include <QLocale>
#include <QStringList>

#include <cmath>
#include <iterator>

namespace Brigade {

namespace {

// The window's status hues, so a report reads like the window.
const char *const Fetch = "#3584e4";
const char *const Compute = "#2ea05a";
const char *const Failed = "#e04545";
const char *const Retry = "#e69a1c";
const char *const Queued = "#8c939d";
const char *const Waiting = "#c9cdd3";

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString num(qint64 n)
{
    return QLocale(QLocale::English).toString(n);
}

QString f1(double v)
{
    return QString::number(v, 'f', 1);
}

QString duration(double us)
{
    const double ms = us / 1000.0;
    if (ms < 1)
        return QString::number(ms, 'f', 2) + QStringLiteral(" ms");
    if (ms < 1000)
        return QString::number(qRound(ms)) + QStringLiteral(" ms");
    if (ms < 60000)
        return QString::number(ms / 1000.0, 'f', ms < 10000 ? 2 : 1) + QStringLiteral(" s");
    const qint64 s = qRound64(ms / 1000.0);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

QString percent(double share)
{
    return QString::number(qRound(100 * share)) + QStringLiteral("%");
}

QString phaseBar(const PhaseTotals &t)
{
    const double total = t.totalUs();
    if (total <= 0)
        return {};
    QString out = QStringLiteral("<div class=bar>");
    const std::pair<double, const char *> parts[] = {{t.queuedUs, Queued},
                                                     {t.workerWaitUs, Waiting},
                                                     {t.fetchUs, Fetch},
                                                     {t.computeUs, Compute},
                                                     {t.backoffUs, Retry}};
    for (const auto &[us, color] : parts) {
        if (us <= 0)
            continue;
        out += QStringLiteral("<span style=\"width:%1%;background:%2\"></span>")
                       .arg(QString::number(100.0 * us / total, 'f', 2), QLatin1String(color));
    }
    return out + QStringLiteral("</div>");
}

QString breakdownRow(const QString &name, const PhaseTotals &t, const QString &cls)
{
    return QStringLiteral("<tr class=\"%1\"><td>%2</td><td class=n>%3</td><td class=n>%4</td>"
                          "<td class=n>%5</td><td class=n>%6</td><td class=n>%7</td>"
                          "<td class=share>%8</td></tr>\n")
            .arg(cls, esc(name), num(t.attempts),
                 duration(t.waitingUs()) + QStringLiteral(" (") + percent(t.share(t.waitingUs()))
                         + QStringLiteral(")"),
                 duration(t.fetchUs) + QStringLiteral(" (") + percent(t.share(t.fetchUs))
                         + QStringLiteral(")"),
                 duration(t.computeUs) + QStringLiteral(" (") + percent(t.share(t.computeUs))
                         + QStringLiteral(")"),
                 duration(t.backoffUs) + QStringLiteral(" (") + percent(t.share(t.backoffUs))
                         + QStringLiteral(")"),
                 phaseBar(t));
}

QString ratesChart(const QVector<CountSample> &samples, qint64 from, qint64 to)
{
    constexpr int W = 900;
    constexpr int H = 160;
    constexpr int Buckets = 120;
    if (samples.size() < 2 || to <= from)
        return QStringLiteral("<p class=note>Not enough samples for a chart.</p>");
    // Finished tasks and failed attempts per second, per bucket, from the counts' growth.
    QVector<double> done(Buckets, 0), failed(Buckets, 0);
    const double bucketUs = double(to - from) / Buckets;
    for (int i = 1; i < samples.size(); ++i) {
        const CountSample &a = samples[i - 1];
        const CountSample &b = samples[i];
        const int k = qBound(0, int(double(b.atUs - from) / bucketUs), Buckets - 1);
        const qint64 finishedA = qint64(a.succeeded) + a.failed + a.cancelled + a.skipped;
        const qint64 finishedB = qint64(b.succeeded) + b.failed + b.cancelled + b.skipped;
        done[k] += double(qMax<qint64>(0, finishedB - finishedA));
        // Attempts that ended without a success: every attempt but the successes.
        const qint64 badA = qint64(a.attempts) - a.succeeded;
        const qint64 badB = qint64(b.attempts) - b.succeeded;
        failed[k] += double(qMax<qint64>(0, badB - badA));
    }
    double peak = 0;
    for (int k = 0; k < Buckets; ++k) {
        done[k] /= bucketUs / 1e6;
        failed[k] /= bucketUs / 1e6;
        peak = qMax(peak, qMax(done[k], failed[k]));
    }
    if (peak <= 0)
        peak = 1;
    const auto line = [&](const QVector<double> &v, const char *color) {
        QString pts;
        for (int k = 0; k < Buckets; ++k) {
            const double x = 40 + (W - 50) * (k + 0.5) / Buckets;
            const double y = H - 20 - (H - 30) * v[k] / peak;
            pts += f1(x) + QLatin1Char(',') + f1(y) + QLatin1Char(' ');
        }
        return QStringLiteral("<polyline fill=none stroke=\"%1\" stroke-width=1.5 points=\"%2\"/>")
                .arg(QLatin1String(color), pts.trimmed());
    };
    QString svg
            = QStringLiteral("<svg class=chart viewBox=\"0 0 %1 %2\" width=\"%1\" height=\"%2\" "
                             "role=img aria-label=\"Rates over time\">")
                      .arg(W)
                      .arg(H);
    svg += QStringLiteral("<line x1=40 y1=%1 x2=%2 y2=%1 stroke=\"#999\"/>")
                   .arg(H - 20)
                   .arg(W - 10);
    svg += QStringLiteral("<line x1=40 y1=10 x2=40 y2=%1 stroke=\"#999\"/>").arg(H - 20);
    svg += QStringLiteral("<text x=36 y=16 text-anchor=end>%1/s</text>").arg(num(qRound64(peak)));
    svg += QStringLiteral("<text x=36 y=%1 text-anchor=end>0</text>").arg(H - 20);
    svg += QStringLiteral("<text x=40 y=%1>0 s</text>").arg(H - 4);
    svg += QStringLiteral("<text x=%1 y=%2 text-anchor=end>%3</text>")
                   .arg(W - 10)
                   .arg(H - 4)
                   .arg(duration(double(to - from)));
    svg += line(done, Compute) + line(failed, Failed);
    svg += QStringLiteral("</svg>");
    return svg
           + QStringLiteral("<p class=legend><i style=\"background:%1\"></i>tasks finished "
                            "per second <i style=\"background:%2\"></i>attempts failed per "
                            "second</p>")
                     .arg(QLatin1String(Compute), QLatin1String(Failed));
}

QString timelineSvg(const AttemptLog &log, const TimeBreakdown &b, qint64 from, qint64 to,
                    int columns)
{
    const QVector<TimelineLane> &lanes = b.lanes();
    if (lanes.isEmpty() || to <= from)
        return QStringLiteral("<p class=note>No attempts recorded.</p>");
    constexpr int LaneH = 18;
    constexpr int Gutter = 130;
    const int plotW = columns * 2;
    TimelineBins::Request r;
    r.fromUs = from;
    r.toUs = to;
    r.columns = columns;
    // Lanes in host order, as the breakdown lists them.
    QStringList labels;
    for (const TimeBreakdown::Host &h : b.hosts()) {
        for (int lane : h.lanes) {
            r.lanes.append(lane);
            labels << QStringLiteral("%1 · worker %2").arg(h.name).arg(lanes[lane].slot);
        }
    }
    const TimelineBins bins = TimelineBins::compute(log, r);
    float scale = 0;
    for (int i = 0; i < r.lanes.size(); ++i)
        scale = qMax(scale, bins.laneMax(i));
    if (scale <= 0)
        scale = 1;
    const int height = r.lanes.size() * (LaneH + 2) + 24;
    QString svg = QStringLiteral("<svg class=timeline viewBox=\"0 0 %1 %2\" width=\"%1\" "
                                 "height=\"%2\" role=img aria-label=\"Timeline\">\n")
                          .arg(Gutter + plotW + 10)
                          .arg(height);
    const TimelinePhase order[]
            = {TimelinePhase::Compute, TimelinePhase::Fetch, TimelinePhase::Waiting,
               TimelinePhase::FailedWork, TimelinePhase::Backoff};
    const char *colors[] = {Compute, Fetch, Waiting, Failed, Retry};
    for (int i = 0; i < r.lanes.size(); ++i) {
        const int top = i * (LaneH + 2);
        const int bottom = top + LaneH;
        svg += QStringLiteral("<text x=%1 y=%2 text-anchor=end>%3</text><rect x=%4 y=%5 width=%6 "
                              "height=%7 fill=\"#f3f4f6\"/>\n")
                       .arg(Gutter - 6)
                       .arg(bottom - 4)
                       .arg(esc(labels[i]))
                       .arg(Gutter)
                       .arg(top)
                       .arg(plotW)
                       .arg(LaneH);
        // Each phase one path: the band between the phases under it and itself, stepped.
        QVector<double> base(columns, 0.0);
        for (int k = 0; k < int(std::size(order)); ++k) {
            QString lower;
            QString upper;
            bool any = false;
            for (int c = 0; c < columns; ++c) {
                const double v = bins.value(i, order[k], c);
                const double y0 = bottom - LaneH * base[c] / scale;
                const double y1 = bottom - LaneH * (base[c] + v) / scale;
                any = any || v > 0;
                const double x0 = Gutter + 2.0 * c;
                upper += QStringLiteral("L%1 %2L%3 %2").arg(f1(x0), f1(y1), f1(x0 + 2));
                lower.prepend(QStringLiteral("L%1 %2L%3 %2").arg(f1(x0 + 2), f1(y0), f1(x0)));
                base[c] += v;
            }
            if (!any)
                continue;
            svg += QStringLiteral("<path fill=\"%1\" d=\"M%2 %3%4%5Z\"/>\n")
                           .arg(QLatin1String(colors[k]), QString::number(Gutter),
                                QString::number(bottom), upper, lower);
        }
    }
    const int axisY = r.lanes.size() * (LaneH + 2) + 14;
    svg += QStringLiteral("<text x=%1 y=%2>0 s</text><text x=%3 y=%2 text-anchor=end>%4</text>")
                   .arg(Gutter)
                   .arg(axisY)
                   .arg(Gutter + plotW)
                   .arg(duration(double(to - from)));
    svg += QStringLiteral("</svg>");
    return svg;
}

} // namespace

QString RunReport::sparkline(const QVector<int> &counts, int width, int height,
                             const QString &color)
{
    int peak = 0;
    for (int v : counts)
        peak = qMax(peak, v);
    QString svg = QStringLiteral("<svg class=spark viewBox=\"0 0 %1 %2\" width=\"%1\" "
                                 "height=\"%2\">")
                          .arg(width)
                          .arg(height);
    if (peak > 0 && !counts.isEmpty()) {
        const double w = double(width) / counts.size();
        for (int i = 0; i < counts.size(); ++i) {
            if (counts[i] <= 0)
                continue;
            const double h = qMax(1.0, double(height) * counts[i] / peak);
            svg += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" "
                                  "fill=\"%5\"/>")
                           .arg(f1(i * w), f1(height - h), f1(qMax(1.0, w - 0.5)), f1(h),
                                esc(color));
        }
    }
    return svg + QStringLiteral("</svg>");
}

QString RunReport::html(const TaskStore &store, const Options &o)
{
    const AttemptLog &log = store.attemptLog();
    const StatusCounts counts = store.counts();
    const TimeBreakdown breakdown = TimeBreakdown::compute(log);
    const QVector<CountSample> samples = log.samples();
    const QVector<qint64> starts = log.runStarts();
    const qint64 from = starts.isEmpty() ? 0 : starts.first();
    qint64 to = log.lastEndUs();
    if (!samples.isEmpty())
        to = qMax(to, samples.last().atUs);
    to = qMax(to, from + 1000);

    QString h;
    h += QStringLiteral("<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=\"utf-8\">\n"
                        "<meta name=\"viewport\" content=\"width=device-width\">\n"
                        "<title>Brigade run report: %1</title>\n")
                 .arg(esc(o.title));
    h += QStringLiteral(
            "<style>\nbody{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1f2328}"
            "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.8em;"
            "border-bottom:1px solid #d0d7de}table{border-collapse:collapse}"
            "td,th{padding:3px 8px;border-bottom:1px solid #eaeef2;text-align:left;"
            "vertical-align:top}td.n,th.n{text-align:right;white-space:nowrap}"
            "tr.total td{font-weight:600}tr.host td:first-child{font-weight:600}"
            "tr.lane td:first-child{padding-left:2em}"
            ".bar{display:flex;width:220px;height:12px;background:#eee}.bar span{display:block;"
            "height:100%}.counts td{font-size:1.1em}.meta{color:#59636e}.note{color:#59636e}"
            ".legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}"
            "svg text{font:11px system-ui,sans-serif;fill:#444}code{font-size:.92em}"
            ".example{max-width:40em;word-break:break-word}\n</style>\n</head>\n<body>\n");
    h += QStringLiteral("<h1>%1</h1>\n<p class=meta>Brigade run report, made %2.")
                 .arg(esc(o.title), esc(o.generatedAt.toString(Qt::ISODate)));
    if (!o.batchPath.isEmpty())
        h += QStringLiteral(" Batch <code>%1</code>.").arg(esc(o.batchPath));
    if (!o.journalPath.isEmpty())
        h += QStringLiteral(" Journal <code>%1</code>.").arg(esc(o.journalPath));
    h += QStringLiteral("</p>\n");

    // Counts
    const qint64 attempts = log.size();
    const double seconds = double(to - from) / 1e6;
    h += QStringLiteral("<h2>Counts</h2>\n<table class=counts><tr>");
    const std::pair<const char *, qint64> cells[]
            = {{"tasks", counts.total()},
               {"succeeded", counts[TaskStatus::Succeeded]},
               {"failed", counts[TaskStatus::Failed]},
               {"cancelled", counts[TaskStatus::Cancelled]},
               {"skipped", counts[TaskStatus::Skipped]},
               {"not finished", counts[TaskStatus::Queued] + counts[TaskStatus::Running]
                                        + counts[TaskStatus::Retrying]},
               {"attempts", attempts}};
    for (const auto &[name, n] : cells)
        h += QStringLiteral("<td><b>%1</b> %2</td>").arg(num(n), QLatin1String(name));
    h += QStringLiteral("</tr></table>\n");
    if (attempts > 0 && seconds > 0)
        h += QStringLiteral("<p>%1 of runs from first start to last attempt; %2 attempts per "
                            "second.</p>\n")
                     .arg(duration(double(to - from)), num(qRound64(double(attempts) / seconds)));

    h += QStringLiteral("<h2>Rates over time</h2>\n") + ratesChart(samples, from, to);

    h += QStringLiteral("<h2>Timeline</h2>\n<p class=legend>Per worker, the attempts in each "
                        "phase over time:<i style=\"background:%1\"></i>computing"
                        "<i style=\"background:%2\"></i>fetching<i style=\"background:%3\"></i>"
                        "waiting on the worker<i style=\"background:%4\"></i>failed attempts"
                        "<i style=\"background:%5\"></i>waiting to retry</p>\n")
                 .arg(QLatin1String(Compute), QLatin1String(Fetch), QLatin1String(Waiting),
                      QLatin1String(Failed), QLatin1String(Retry));
    const int lanes = qMax(1, int(breakdown.lanes().size()));
    const int columns = qBound(120, 36000 / lanes, qMax(120, o.timelineColumns));
    h += timelineSvg(log, breakdown, from, to, columns);

    h += QStringLiteral("<h2>Where the time went</h2>\n<p>%1</p>\n")
                 .arg(esc(breakdown.total().summary()));
    h += QStringLiteral("<p class=legend><i style=\"background:%1\"></i>queued"
                        "<i style=\"background:%2\"></i>waiting on a worker"
                        "<i style=\"background:%3\"></i>fetching<i style=\"background:%4\"></i>"
                        "computing<i style=\"background:%5\"></i>waiting to retry</p>\n")
                 .arg(QLatin1String(Queued), QLatin1String(Waiting), QLatin1String(Fetch),
                      QLatin1String(Compute), QLatin1String(Retry));
    h += QStringLiteral("<table><tr><th>where</th><th class=n>attempts</th><th class=n>queued</th>"
                        "<th class=n>fetching</th><th class=n>computing</th><th class=n>waiting "
                        "to retry</th><th>share</th></tr>\n");
    h += breakdownRow(QStringLiteral("all workers"), breakdown.total(), QStringLiteral("total"));
    for (const TimeBreakdown::Host &host : breakdown.hosts()) {
        h += breakdownRow(host.name, host.totals, QStringLiteral("host"));
        for (int lane : host.lanes)
            h += breakdownRow(QStringLiteral("worker %1").arg(breakdown.lanes()[lane].slot),
                              breakdown.lane(lane), QStringLiteral("lane"));
    }
    h += QStringLiteral("</table>\n");

    h += QStringLiteral("<h2>Failures</h2>\n");
    if (!o.failuresHtml.isEmpty())
        h += o.failuresHtml;
    else if (counts[TaskStatus::Failed] == 0)
        h += QStringLiteral("<p>No task failed.</p>\n");
    else
        h += QStringLiteral("<p>%1 tasks failed.</p>\n").arg(num(counts[TaskStatus::Failed]));
    h += QStringLiteral("</body>\n</html>\n");
    return h;
}

} // namespace Brigade
