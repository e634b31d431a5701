#include "TimelineRenderer.h"

#include "core/TaskStore.h"
#include "timeline/TimelineBins.h"

#include <QElapsedTimer>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace Brigade {

namespace {

constexpr int MinSubRowHeight = 4; // px; a lane whose attempts need thinner rows aggregates

QRgb outcomeColor(const TimelineColors &c, AttemptOutcome o)
{
    switch (o) {
    case AttemptOutcome::Succeeded:
        return c.compute;
    case AttemptOutcome::Failed:
        return c.failed;
    case AttemptOutcome::Retried:
        return c.retried;
    case AttemptOutcome::Cancelled:
        return c.cancelled;
    case AttemptOutcome::Lost:
        return c.lost;
    }
    return c.failed;
}

// Writes one lane's columns: stacked phases, bottom up, heights in device pixels.
void drawColumns(QImage &image, const TimelineBins &bins, int laneIndex, int y0, int height,
                 float scaleMax, const TimelineColors &c, qreal dpr)
{
    const TimelinePhase order[]
            = {TimelinePhase::Compute,    TimelinePhase::Fetch,   TimelinePhase::Waiting,
               TimelinePhase::FailedWork, TimelinePhase::Backoff, TimelinePhase::Running};
    const QRgb colors[] = {c.compute, c.fetch, c.waiting, c.failed, c.retried, c.inFlight};
    static_assert(std::size(order) == TimelinePhaseCount, "every phase drawn");
    const int columns = bins.request().columns;
    const int devTop = int(std::lround(y0 * dpr));
    const int devHeight = qMax(1, int(std::lround(height * dpr)));
    const int devBottom = devTop + devHeight; // exclusive
    const int imageWidth = image.width();
    const double pxPerColumn = double(imageWidth) / columns;
    for (int col = 0; col < columns; ++col) {
        float v[TimelinePhaseCount];
        float total = 0;
        for (int k = 0; k < TimelinePhaseCount; ++k) {
            v[k] = bins.value(laneIndex, order[k], col);
            total += v[k];
        }
        if (total <= 0)
            continue;
        const int x0 = int(col * pxPerColumn);
        const int x1 = qMax(x0 + 1, int((col + 1) * pxPerColumn));
        // Something happened here: at least one pixel says so.
        const double scale = devHeight / double(scaleMax > 0 ? scaleMax : total);
        double cumulative = 0;
        int drawnTop = devBottom;
        for (int k = 0; k < TimelinePhaseCount; ++k) {
            if (v[k] <= 0)
                continue;
            cumulative += v[k];
            int top = devBottom - int(std::lround(cumulative * scale));
            if (top >= drawnTop)
                top = drawnTop - 1; // a phase present shows as a pixel at least
            top = qMax(devTop, top);
            // A lane scrolled partly out of the plot is drawn up to its edge only.
            for (int y = qMax(0, top); y < qMin(drawnTop, image.height()); ++y) {
                auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
                for (int x = x0; x < x1 && x < imageWidth; ++x) {
                    // Backoff is hatched: waiting, not working.
                    line[x] = (order[k] == TimelinePhase::Backoff && ((x + y) & 3) == 0)
                                      ? c.laneBase
                                      : colors[k];
                }
            }
            drawnTop = top;
            if (drawnTop <= devTop)
                break;
        }
    }
}

// Each attempt a bar, in sub-rows so that overlapping attempts do not hide each other.
// Returns false (drawing nothing) when the lane would need rows thinner than a few pixels.
bool drawBars(QPainter &p, const AttemptLog &log, const std::vector<qint64> &spans,
              const RunningAttempts *running, const std::vector<int> &runningSpans,
              qint64 runningUntilUs, const TimelineFrameRequest::LaneBand &band,
              const TimelineFrameRequest &r, std::vector<TimelineFrame::Bar> *bars)
{
    const double scale = double(r.size.width()) / double(r.toUs - r.fromUs);
    const auto x = [&](qint64 us) {
        return double(us - r.fromUs) * scale;
    };
    struct Item
    {
        qint64 span;   // -1: running
        int running;   // index in the running list, -1: logged
        double x0, x1; // dispatch .. end of backoff (running: now)
    };
    std::vector<Item> items;
    for (qint64 i : spans) {
        const AttemptSpan &s = log.at(i);
        if (s.lane != band.lane)
            continue;
        items.push_back(Item{i, -1, x(s.dispatchUs()), x(s.endUs() + qint64(s.backoffMs) * 1000)});
    }
    for (int i : runningSpans) {
        const RunningAttempt &a = running->attempts[i];
        if (a.lane == band.lane)
            items.push_back(Item{-1, i, x(a.dispatchUs), x(qMax(a.dispatchUs, runningUntilUs))});
    }
    if (items.empty())
        return true;
    std::sort(items.begin(), items.end(), [](const Item &a, const Item &b) { return a.x0 < b.x0; });
    // Greedy interval packing: each bar in the first row free at its start.
    std::vector<double> rowEnd;
    std::vector<int> rowOf(items.size());
    const int maxRows = qMax(1, band.height / MinSubRowHeight);
    for (size_t k = 0; k < items.size(); ++k) {
        int row = -1;
        for (size_t j = 0; j < rowEnd.size(); ++j) {
            if (rowEnd[j] <= items[k].x0) {
                row = int(j);
                break;
            }
        }
        if (row < 0) {
            if (int(rowEnd.size()) >= maxRows)
                return false;
            rowEnd.push_back(0);
            row = int(rowEnd.size()) - 1;
        }
        // The whisker of its queue time may use the free space before it in its row.
        items[k].x1 = qMax(items[k].x1, items[k].x0 + 1.0);
        rowOf[k] = row;
        rowEnd[size_t(row)] = items[k].x1 + 1.0;
    }
    const double rowHeight = double(band.height) / double(rowEnd.size());
    std::vector<double> rowFree(rowEnd.size(), -1e9);
    const TimelineColors &c = r.colors;
    p.setPen(Qt::NoPen);
    for (size_t k = 0; k < items.size(); ++k) {
        const double top = band.y + rowOf[k] * rowHeight + (rowHeight >= 6 ? 1 : 0);
        const double h = rowHeight - (rowHeight >= 6 ? 2 : 0);
        double &free = rowFree[size_t(rowOf[k])];
        if (items[k].running >= 0) {
            // Running: its phases are known when it ends; until then, one growing bar.
            const RunningAttempt &a = running->attempts[items[k].running];
            const double d = items[k].x0;
            const double e = qMax(items[k].x1, d + 1.0);
            const double ready = x(a.readyUs());
            if (ready < d - 1 && qMax(ready, free) < d) {
                const double from = qMax(ready, free);
                p.fillRect(QRectF(from, top + h / 2 - 0.5, d - from, 1.0), QColor(c.queued));
            }
            p.fillRect(QRectF(d, top, e - d, h), QColor(c.inFlight));
            p.fillRect(QRectF(qMax(d, e - 2), top, qMin(2.0, e - d), h), QColor(c.running));
            free = e + 1;
            bars->push_back(
                    TimelineFrame::Bar{QRectF(d, top, qMax(3.0, e - d), h), -1, items[k].running});
            continue;
        }
        const AttemptSpan &s = log.at(items[k].span);
        const double d = x(s.dispatchUs());
        const double e = x(s.endUs());
        const double fetchEnd = qMin(e, x(s.dispatchUs() + s.fetchUs));
        const double computeStart = qMax(fetchEnd, x(s.endUs() - s.computeUs));
        const double ready = x(s.readyUs());
        if (ready < d - 1) { // queued in the engine: a whisker in the free space
            const double from = qMax(ready, free);
            if (from < d) {
                p.fillRect(QRectF(from, top + h / 2 - 0.5, d - from, 1.0), QColor(c.queued));
            }
        }
        const QRgb work = s.failed() ? outcomeColor(c, s.outcome) : c.compute;
        const double minWidth = qMax(1.0, e - d);
        p.fillRect(QRectF(d, top, minWidth, h), QColor(c.waiting));
        if (fetchEnd > d)
            p.fillRect(QRectF(d, top, fetchEnd - d, h),
                       QColor(s.failed() ? QColor(work).lighter(125).rgb() : c.fetch));
        if (e > computeStart)
            p.fillRect(QRectF(computeStart, top, e - computeStart, h), QColor(work));
        else if (s.failed() || e - d < 1) // too short to see: its outcome shows
            p.fillRect(QRectF(d, top, minWidth, h), QColor(work));
        const double backoffEnd = x(s.endUs() + qint64(s.backoffMs) * 1000);
        if (backoffEnd > e) {
            p.fillRect(QRectF(e, top + h * 0.3, backoffEnd - e, h * 0.4),
                       QBrush(QColor(c.retried), Qt::BDiagPattern));
        }
        free = qMax(e, backoffEnd) + 1;
        bars->push_back(
                TimelineFrame::Bar{QRectF(d, top, qMax(e, backoffEnd) - d, h), items[k].span, -1});
        bars->back().rect.setWidth(qMax(3.0, bars->back().rect.width()));
    }
    return true;
}

// The row of waiting tasks (queued and waiting to retry) as columns; the running count as
// a line, returned for a painter to draw.
QPolygonF drawQueue(QImage &image, const QVector<CountSample> &samples,
                    const TimelineFrameRequest &r, qint32 *queueMax)
{
    if (r.queueY < 0 || r.queueHeight <= 0 || samples.isEmpty())
        return {};
    const int width = r.size.width();
    std::vector<qint32> queued(size_t(width), 0), retrying(size_t(width), 0),
            running(size_t(width), 0);
    qint32 maxWaiting = 0;
    qint32 maxRunning = 0;
    const double usPerPx = double(r.toUs - r.fromUs) / width;
    for (int col = 0; col < width; ++col) {
        const qint64 t = r.fromUs + qint64((col + 0.5) * usPerPx);
        // The last sample at or before t; nothing before the first.
        auto it = std::upper_bound(samples.cbegin(), samples.cend(), t,
                                   [](qint64 v, const CountSample &s) { return v < s.atUs; });
        if (it == samples.cbegin())
            continue;
        const CountSample &s = *(it - 1);
        if (it == samples.cend() && t > s.atUs + 1000000 && s.running == 0 && s.queued == 0)
            continue;
        queued[size_t(col)] = s.queued;
        retrying[size_t(col)] = s.retrying;
        running[size_t(col)] = s.running;
        maxWaiting = qMax(maxWaiting, s.queued + s.retrying);
        maxRunning = qMax(maxRunning, s.running);
    }
    *queueMax = maxWaiting;
    const qreal dpr = r.devicePixelRatio;
    const int devTop = int(std::lround(r.queueY * dpr));
    const int devHeight = int(std::lround(r.queueHeight * dpr));
    const int devBottom = devTop + devHeight;
    const double pxPerCol = double(image.width()) / width;
    if (maxWaiting > 0) {
        for (int col = 0; col < width; ++col) {
            const qint32 q = queued[size_t(col)];
            const qint32 rt = retrying[size_t(col)];
            if (q + rt == 0)
                continue;
            const int qTop
                    = devBottom - qMax(1, int(std::lround(double(q) * devHeight / maxWaiting)));
            const int rTop = qTop - int(std::lround(double(rt) * devHeight / maxWaiting));
            const int x0 = int(col * pxPerCol);
            const int x1 = qMax(x0 + 1, int((col + 1) * pxPerCol));
            for (int y = qMax(0, qMax(devTop, rTop)); y < qMin(devBottom, image.height()); ++y) {
                auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
                const QRgb color = y < qTop ? r.colors.retried : r.colors.queued;
                for (int x = x0; x < x1 && x < image.width(); ++x)
                    line[x] = color;
            }
        }
    }
    QPolygonF line;
    if (maxRunning > 0) {
        for (int col = 0; col < width; ++col) {
            const double y = r.queueY + r.queueHeight
                             - double(running[size_t(col)]) * (r.queueHeight - 1) / maxRunning;
            line << QPointF(col + 0.5, y);
        }
    }
    return line;
}

} // namespace

TimelineFrame TimelineRenderer::render(const TimelineFrameRequest &request,
                                       const std::atomic_bool *cancel)
{
    QElapsedTimer clock;
    clock.start();
    TimelineFrame frame;
    frame.request = request;
    if (!request.store || request.size.isEmpty())
        return frame;
    const AttemptLog &log = request.store->attemptLog();
    const qreal dpr = request.devicePixelRatio;
    frame.image = QImage(request.size * dpr, QImage::Format_ARGB32_Premultiplied);
    frame.image.setDevicePixelRatio(dpr);
    frame.image.fill(Qt::transparent);

    TimelineBins::Request binsRequest;
    binsRequest.fromUs = request.fromUs;
    binsRequest.toUs = request.toUs;
    binsRequest.columns = request.size.width();
    for (const auto &band : request.lanes)
        binsRequest.lanes.append(band.lane);
    binsRequest.individualLimit = request.individualLimit;
    binsRequest.running = log.running();
    // A list the engine has not replaced (nothing started or ended since) is still true now.
    binsRequest.runningUntilUs = qMax(binsRequest.running->atUs, log.nowUs());
    frame.running = binsRequest.running;
    frame.runningUntilUs = binsRequest.runningUntilUs;
    const TimelineBins bins = TimelineBins::compute(log, binsRequest, cancel);
    if (bins.cancelled()) {
        frame.cancelled = true;
        return frame;
    }
    frame.logSize = bins.logSize();
    frame.spansInRange = bins.spansConsidered();
    float scaleMax = 0;
    for (int i = 0; i < request.lanes.size(); ++i)
        scaleMax = qMax(scaleMax, bins.laneMax(i));
    frame.scaleMax = scaleMax;

    QPainter painter(&frame.image);
    painter.setRenderHint(QPainter::Antialiasing, false);
    for (int i = 0; i < request.lanes.size(); ++i) {
        const auto &band = request.lanes[i];
        painter.fillRect(QRect(0, band.y, request.size.width(), band.height),
                         QColor(request.colors.laneBase));
    }
    // Straight pixel writes for the columns: the painter must not hold the image meanwhile.
    painter.end();
    std::vector<bool> asBars(size_t(request.lanes.size()), false);
    if (bins.individual()) {
        QPainter barPainter(&frame.image);
        for (int i = 0; i < request.lanes.size(); ++i) {
            const size_t before = frame.bars.size();
            if (drawBars(barPainter, log, bins.spans(), frame.running.get(), bins.runningSpans(),
                         frame.runningUntilUs, request.lanes[i], request, &frame.bars)) {
                asBars[size_t(i)] = true;
                frame.individual = true;
            } else {
                frame.bars.resize(before);
            }
        }
    }
    for (int i = 0; i < request.lanes.size(); ++i) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            frame.cancelled = true;
            return frame;
        }
        if (!asBars[size_t(i)])
            drawColumns(frame.image, bins, i, request.lanes[i].y, request.lanes[i].height, scaleMax,
                        request.colors, dpr);
    }
    if (request.queueY >= 0) {
        const QPolygonF running = drawQueue(frame.image, log.samples(), request, &frame.queueMax);
        if (!running.isEmpty()) {
            QPainter linePainter(&frame.image);
            linePainter.setRenderHint(QPainter::Antialiasing, true);
            linePainter.setPen(QPen(QColor(request.colors.running), 1.5));
            linePainter.drawPolyline(running);
        }
    }
    frame.renderMs = clock.nsecsElapsed() / 1e6;
    return frame;
}

} // namespace Brigade
