#include "TimelineView.h"

#include "TimelineRenderer.h"
#include "TimelineStyle.h"
#include "core/TaskStore.h"
#include "window/shared/Formatting.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace Brigade {

namespace {

constexpr qint64 MinRangeUs = 20;
constexpr int LiveIntervalMs = 250;
constexpr qint64 HoverScanLimit = 200000; // attempts looked at for one hover, at most

QString outcomeText(AttemptOutcome o)
{
    switch (o) {
    case AttemptOutcome::Succeeded:
        return TimelineView::tr("succeeded");
    case AttemptOutcome::Failed:
        return TimelineView::tr("failed");
    case AttemptOutcome::Retried:
        return TimelineView::tr("failed, retried");
    case AttemptOutcome::Cancelled:
        return TimelineView::tr("cancelled");
    case AttemptOutcome::Lost:
        return TimelineView::tr("worker lost");
    }
    return {};
}

// A round step (1, 2 or 5 times a power of ten µs) near raw.
qint64 niceStep(double raw)
{
    const double p = std::pow(10.0, std::floor(std::log10(qMax(1.0, raw))));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * p >= raw)
            return qMax<qint64>(1, qint64(m * p));
    }
    return qint64(10 * p);
}

// An axis label for t µs after the run began, as precise as the step needs.
QString tickLabel(qint64 us, qint64 stepUs)
{
    const QLocale locale;
    if (stepUs < 1000)
        return locale.toString(us / 1000.0, 'f', stepUs < 10 ? 3 : (stepUs < 100 ? 2 : 1))
               + QStringLiteral(" ms");
    if (stepUs < 1000000 && us < 1000000)
        return locale.toString(us / 1000) + QStringLiteral(" ms");
    if (us < 60000000) {
        const int decimals
                = stepUs < 10000 ? 3 : (stepUs < 100000 ? 2 : (stepUs < 1000000 ? 1 : 0));
        return locale.toString(us / 1e6, 'f', decimals) + QStringLiteral(" s");
    }
    return Formatting::clock(us / 1000);
}

} // namespace

TimelineView::TimelineView(QWidget *parent)
    : QWidget(parent)
    , m_scroll(new QScrollBar(Qt::Vertical, this))
    , m_cancel(std::make_shared<std::atomic_bool>(false))
{
    setObjectName(QStringLiteral("timelineView"));
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_pool.setMaxThreadCount(1);
    m_pool.setObjectName(QStringLiteral("brigade-timeline"));
    m_scroll->hide();
    connect(m_scroll, &QScrollBar::valueChanged, this, [this] {
        update();
        scheduleRender(true);
    });
    connect(&m_watcher, &QFutureWatcher<TimelineFrame>::finished, this, &TimelineView::onRendered);
    m_liveTimer.setInterval(LiveIntervalMs);
    connect(&m_liveTimer, &QTimer::timeout, this, &TimelineView::onLiveTick);
}

TimelineView::~TimelineView()
{
    m_cancel->store(true);
    m_watcher.waitForFinished();
    m_pool.waitForDone();
}

QSize TimelineView::sizeHint() const
{
    return QSize(fontMetrics().averageCharWidth() * 120, fontMetrics().height() * 14);
}

QSize TimelineView::minimumSizeHint() const
{
    return QSize(fontMetrics().averageCharWidth() * 40, fontMetrics().height() * 6);
}

void TimelineView::setStore(std::shared_ptr<const TaskStore> store)
{
    m_cancel->store(true);
    m_store = std::move(store);
    m_frame = TimelineFrame{};
    m_seenLogSize = -1;
    m_hoverSpan = -1;
    m_hoverRunning = -1;
    m_selFrom = m_selTo = -1;
    m_follow = true;
    m_lanes.clear();
    relayout();
    followExtent();
    scheduleRender(true);
    update();
}

void TimelineView::setRunning(bool running)
{
    m_running = running;
    if (running) {
        m_liveTimer.start();
    } else {
        m_liveTimer.stop();
        onLiveTick(); // the final picture
    }
}

void TimelineView::refresh()
{
    if (!m_running)
        onLiveTick();
}

void TimelineView::onLiveTick()
{
    if (!m_store)
        return;
    const AttemptLog &log = m_store->attemptLog();
    if (log.lanes().size() != m_lanes.size())
        relayout();
    const qint64 size = log.size();
    if (m_follow) {
        followExtent();
        scheduleRender(true);
    } else if (size != m_seenLogSize || !log.running()->attempts.isEmpty()) {
        scheduleRender(false); // running attempts grow even when none ended
    }
    m_seenLogSize = size;
}

std::pair<qint64, qint64> TimelineView::extent() const
{
    if (!m_store)
        return {0, 1000000};
    const AttemptLog &log = m_store->attemptLog();
    const QVector<qint64> starts = log.runStarts();
    const qint64 from = starts.isEmpty() ? 0 : starts.first();
    qint64 to = log.lastEndUs();
    const QVector<CountSample> samples = log.samples();
    if (!samples.isEmpty())
        to = qMax(to, samples.last().atUs);
    if (m_running)
        to = qMax(to, log.nowUs());
    return {from, qMax(from + 1000, to)};
}

void TimelineView::followExtent()
{
    const auto [from, to] = extent();
    // A little room on the right, so the latest attempts are not on the edge.
    const qint64 to2 = to + (to - from) / 50;
    if (from == m_fromUs && to2 == m_toUs)
        return;
    m_fromUs = from;
    m_toUs = to2;
    emit rangeChanged(m_fromUs, m_toUs);
    update();
}

void TimelineView::showAll()
{
    m_follow = true;
    followExtent();
    scheduleRender(true);
}

void TimelineView::clampRange(qint64 *from, qint64 *to) const
{
    const auto [first, last] = extent();
    qint64 width = qMax(MinRangeUs, *to - *from);
    width = qMin(width, qMax<qint64>(4 * (last - first), 1000000));
    if (*to - *from != width) {
        const qint64 mid = *from + (*to - *from) / 2;
        *from = mid - width / 2;
    }
    // Some room either side, but the run stays in sight.
    *from = qBound(first - width / 2, *from, qMax(first - width / 2, last - width / 2));
    *to = *from + width;
}

void TimelineView::setRange(qint64 fromUs, qint64 toUs)
{
    clampRange(&fromUs, &toUs);
    m_follow = false;
    if (fromUs == m_fromUs && toUs == m_toUs)
        return;
    m_fromUs = fromUs;
    m_toUs = toUs;
    emit rangeChanged(m_fromUs, m_toUs);
    update();
    scheduleRender(true);
}

void TimelineView::zoom(double factor, qint64 aroundUs)
{
    const double from = double(aroundUs) - double(aroundUs - m_fromUs) * factor;
    const double to = double(aroundUs) + double(m_toUs - aroundUs) * factor;
    const auto [first, last] = extent();
    // Zoomed out past the whole run: show all of it, and follow it again.
    if (factor > 1 && qint64(from) <= first && qint64(to) >= last) {
        showAll();
        return;
    }
    setRange(qint64(std::floor(from)), qint64(std::ceil(to)));
}

void TimelineView::setSelection(qint64 fromUs, qint64 toUs)
{
    if (fromUs > toUs)
        std::swap(fromUs, toUs);
    m_selFrom = fromUs;
    m_selTo = toUs;
    update();
    emit selectionChanged(m_selFrom, m_selTo);
}

void TimelineView::clearSelection()
{
    if (m_selFrom < 0)
        return;
    m_selFrom = m_selTo = -1;
    update();
    emit selectionChanged(-1, -1);
}

// ---- Layout -------------------------------------------------------------------------

int TimelineView::gutterWidth() const
{
    return fontMetrics().averageCharWidth() * 16;
}

int TimelineView::axisHeight() const
{
    return fontMetrics().height() + 8;
}

QRect TimelineView::plotRect() const
{
    const int right = width() - (m_scroll->isVisible() ? m_scroll->width() : 0);
    return QRect(QPoint(gutterWidth(), axisHeight()), QPoint(right - 1, height() - 1));
}

void TimelineView::relayout()
{
    m_rows.clear();
    m_lanes = m_store ? m_store->attemptLog().lanes() : QVector<TimelineLane>();
    const int fh = fontMetrics().height();
    int y = 0;
    m_rows.append(Row{Row::Queue, -1, tr("Waiting"),
                      tr("Tasks waiting: queued for a worker (grey) and waiting to retry "
                         "(orange); the line is the tasks running"),
                      y, fh * 2 + 4});
    y += m_rows.last().height + 2;
    // Hosts in the order their first worker appeared; a host's workers by slot.
    QStringList hosts;
    for (const TimelineLane &l : std::as_const(m_lanes)) {
        const QString host = l.host.isEmpty() ? l.group : l.host;
        if (!hosts.contains(host))
            hosts.append(host);
    }
    // Lanes share the height there is (a few workers get tall lanes that show how many
    // attempts each had in flight), down to a line of text each, then the view scrolls.
    const int fixed = y + hosts.size() * (fh + 4);
    const int perLane
            = m_lanes.isEmpty() ? 0 : (height() - axisHeight() - fixed) / int(m_lanes.size()) - 1;
    const int laneHeight = qBound(qMax(16, fh + 6), perLane, fh * 4);
    for (const QString &host : std::as_const(hosts)) {
        QVector<int> lanes;
        for (int i = 0; i < m_lanes.size(); ++i) {
            const QString h = m_lanes[i].host.isEmpty() ? m_lanes[i].group : m_lanes[i].host;
            if (h == host)
                lanes.append(i);
        }
        std::sort(lanes.begin(), lanes.end(),
                  [this](int a, int b) { return m_lanes[a].slot < m_lanes[b].slot; });
        m_rows.append(Row{Row::Host, -1, host,
                          Formatting::counted(lanes.size(), tr("%1 worker on this host"),
                                              tr("%1 workers on this host")),
                          y, fh + 4});
        y += m_rows.last().height;
        for (int lane : std::as_const(lanes)) {
            const TimelineLane &l = m_lanes[lane];
            m_rows.append(Row{Row::Lane, lane, tr("worker %1").arg(l.slot),
                              tr("Worker %1 (%2) on %3").arg(l.slot).arg(l.group, host), y,
                              laneHeight});
            y += laneHeight + 1;
        }
    }
    m_contentHeight = y;
    updateScrollBar();
    update();
}

void TimelineView::updateScrollBar()
{
    const int available = height() - axisHeight();
    const bool needed = m_contentHeight > available;
    m_scroll->setVisible(needed);
    if (needed) {
        m_scroll->setGeometry(width() - m_scroll->sizeHint().width(), axisHeight(),
                              m_scroll->sizeHint().width(), available);
        m_scroll->setRange(0, m_contentHeight - available);
        m_scroll->setPageStep(available);
        m_scroll->setSingleStep(fontMetrics().height());
    } else {
        m_scroll->setValue(0);
    }
}

int TimelineView::laneCount() const
{
    return m_lanes.size();
}

int TimelineView::laneY(int lane) const
{
    for (const Row &r : m_rows) {
        if (r.kind == Row::Lane && r.lane == lane) {
            const int y = plotRect().top() + r.y - m_scroll->value() + r.height / 2;
            return y < plotRect().top() || y > plotRect().bottom() ? -1 : y;
        }
    }
    return -1;
}

int TimelineView::xOf(qint64 us) const
{
    const QRect plot = plotRect();
    return plot.left()
           + int(std::floor(double(us - m_fromUs) * plot.width() / double(m_toUs - m_fromUs)));
}

qint64 TimelineView::timeAt(int x) const
{
    const QRect plot = plotRect();
    return m_fromUs
           + qint64(double(x - plot.left()) * double(m_toUs - m_fromUs) / qMax(1, plot.width()));
}

const TimelineView::Row *TimelineView::rowAt(int y) const
{
    const int contentY = y - plotRect().top() + m_scroll->value();
    for (const Row &r : m_rows) {
        if (contentY >= r.y && contentY < r.y + r.height)
            return &r;
    }
    return nullptr;
}

// ---- Drawing ------------------------------------------------------------------------

TimelineColors TimelineView::colors() const
{
    return TimelineStyle::colors(palette());
}

void TimelineView::scheduleRender(bool rangeChanged)
{
    if (m_watcher.isRunning()) {
        m_dirty = true;
        if (rangeChanged)
            m_cancel->store(true); // what it draws is stale already
        return;
    }
    startRender();
}

void TimelineView::startRender()
{
    const QRect plot = plotRect();
    if (!m_store || plot.width() < 8 || plot.height() < 8 || !isVisible()) {
        m_dirty = !isVisible() && m_store; // drawn when shown
        return;
    }
    TimelineFrameRequest r;
    r.store = m_store;
    r.fromUs = m_fromUs;
    r.toUs = m_toUs;
    r.size = plot.size();
    r.devicePixelRatio = devicePixelRatioF();
    r.colors = colors();
    r.generation = ++m_generation;
    const int scroll = m_scroll->value();
    for (const Row &row : std::as_const(m_rows)) {
        const int y = row.y - scroll;
        if (y + row.height <= 0 || y >= plot.height())
            continue;
        if (row.kind == Row::Lane)
            r.lanes.append(TimelineFrameRequest::LaneBand{row.lane, y, row.height});
        else if (row.kind == Row::Queue) {
            r.queueY = y;
            r.queueHeight = row.height;
        }
    }
    m_cancel = std::make_shared<std::atomic_bool>(false);
    m_dirty = false;
    m_frameScrollPending = scroll;
    m_watcher.setFuture(QtConcurrent::run(
            &m_pool, [r, cancel = m_cancel] { return TimelineRenderer::render(r, cancel.get()); }));
}

void TimelineView::onRendered()
{
    TimelineFrame frame = m_watcher.result();
    if (!frame.cancelled && frame.request.store == m_store) {
        m_frame = std::move(frame);
        m_hoverRunning = -1; // an index into the frame before
        m_frameScroll = m_frameScrollPending;
        ++m_framesRendered;
        // Slow frames make live redraws rarer, so drawing never takes over a busy machine.
        m_liveTimer.setInterval(qBound(LiveIntervalMs, int(4 * m_frame.renderMs), 2000));
        update();
        emit frameRendered();
    }
    if (m_dirty)
        startRender();
}

void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette &pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const QRect plot = plotRect();
    if (!m_store || m_lanes.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(plot, Qt::AlignCenter | Qt::TextWordWrap,
                   m_store ? tr("Each worker's attempts show here as they run.")
                           : tr("Run a batch to see what every worker did, and when."));
        paintAxis(p, plot);
        return;
    }
    p.save();
    p.setClipRect(plot);
    if (!m_frame.image.isNull()) {
        // The latest frame, stretched to the range shown now until the next one is ready.
        const TimelineFrameRequest &f = m_frame.request;
        const double scale = double(plot.width()) / double(m_toUs - m_fromUs);
        const double x0 = double(f.fromUs - m_fromUs) * scale;
        const double x1 = double(f.toUs - m_fromUs) * scale;
        const QRectF target(plot.left() + x0, plot.top() + m_frameScroll - m_scroll->value(),
                            x1 - x0, f.size.height());
        p.drawImage(target, m_frame.image);
    }
    // Where each run began (a retry is a run too).
    QPen runPen(pal.color(QPalette::Text), 1, Qt::DashLine);
    p.setPen(runPen);
    for (qint64 start : m_store->attemptLog().runStarts()) {
        const int x = xOf(start);
        if (x >= plot.left() && x <= plot.right())
            p.drawLine(x, plot.top(), x, plot.bottom());
    }
    if (m_selFrom >= 0) {
        QColor sel = pal.color(QPalette::Highlight);
        sel.setAlpha(60);
        const int a = qMax(plot.left(), xOf(m_selFrom));
        const int b = qMin(plot.right(), xOf(m_selTo));
        p.fillRect(QRect(QPoint(a, plot.top()), QPoint(qMax(a, b), plot.bottom())), sel);
    }
    if (m_hoverSpan >= 0 && m_hoverSpan < m_store->attemptLog().size()) {
        const AttemptSpan &s = m_store->attemptLog().at(m_hoverSpan);
        const int y = laneY(s.lane);
        if (y >= 0) {
            const auto row = std::find_if(m_rows.cbegin(), m_rows.cend(), [&](const Row &r) {
                return r.kind == Row::Lane && r.lane == s.lane;
            });
            const int h = row->height;
            const int a = xOf(s.dispatchUs());
            const int b = qMax(a + 2, xOf(s.endUs() + qint64(s.backoffMs) * 1000));
            p.setPen(QPen(pal.color(QPalette::Highlight), 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRect(a - 1, y - h / 2, b - a + 2, h));
        }
    }
    if (m_frame.running && m_hoverRunning >= 0
        && m_hoverRunning < m_frame.running->attempts.size()) {
        const RunningAttempt &a = m_frame.running->attempts[m_hoverRunning];
        const auto row = std::find_if(m_rows.cbegin(), m_rows.cend(), [&](const Row &r) {
            return r.kind == Row::Lane && r.lane == a.lane;
        });
        const int y = laneY(a.lane);
        if (y >= 0 && row != m_rows.cend()) {
            const int x0 = xOf(a.dispatchUs);
            const int x1 = qMax(x0 + 2, xOf(m_frame.runningUntilUs));
            p.setPen(QPen(pal.color(QPalette::Highlight), 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRect(x0 - 1, y - row->height / 2, x1 - x0 + 2, row->height));
        }
    }
    p.restore();
    paintGutter(p, plot);
    paintAxis(p, plot);
}

void TimelineView::paintGutter(QPainter &p, const QRect &plot)
{
    const QPalette &pal = palette();
    const QRect gutter(0, plot.top(), plot.left(), plot.height());
    p.fillRect(gutter, pal.color(QPalette::Window));
    p.save();
    p.setClipRect(gutter);
    const int scroll = m_scroll->value();
    QFont bold = font();
    bold.setBold(true);
    for (const Row &r : std::as_const(m_rows)) {
        const QRect rr(4, plot.top() + r.y - scroll, plot.left() - 8, r.height);
        if (rr.bottom() < plot.top() || rr.top() > plot.bottom())
            continue;
        p.setFont(r.kind == Row::Lane ? font() : bold);
        p.setPen(pal.color(r.kind == Row::Lane ? QPalette::Text : QPalette::WindowText));
        QString text = r.label;
        if (r.kind == Row::Queue && m_frame.queueMax > 0)
            text += QStringLiteral("\n") + tr("≤ %1").arg(Formatting::count(m_frame.queueMax));
        p.drawText(rr, Qt::AlignVCenter | Qt::AlignLeft,
                   fontMetrics().elidedText(text, Qt::ElideMiddle, rr.width() * 2));
        if (r.kind == Row::Host) {
            p.setPen(pal.color(QPalette::Mid));
            const int y = plot.top() + r.y - scroll + r.height - 1;
            p.drawLine(0, y, width(), y);
        }
    }
    p.restore();
    p.setFont(font());
}

void TimelineView::paintAxis(QPainter &p, const QRect &plot)
{
    const QPalette &pal = palette();
    const QRect axis(0, 0, width(), plot.top());
    p.fillRect(axis, pal.color(QPalette::Window));
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(plot.left(), plot.top() - 1, plot.right(), plot.top() - 1);
    const qint64 span = m_toUs - m_fromUs;
    if (span <= 0 || plot.width() <= 0)
        return;
    const QVector<qint64> starts = m_store ? m_store->attemptLog().runStarts() : QVector<qint64>();
    const qint64 origin = starts.isEmpty() ? 0 : starts.first();
    const int labelWidth = fontMetrics().horizontalAdvance(QStringLiteral("00:00:00 ms")) + 12;
    const qint64 step = niceStep(double(span) * labelWidth / plot.width());
    qint64 t = origin + ((m_fromUs - origin) / step) * step;
    if (t < m_fromUs)
        t += step;
    p.setPen(pal.color(QPalette::WindowText));
    for (; t <= m_toUs; t += step) {
        const int x = xOf(t);
        if (x < plot.left() || x > plot.right())
            continue;
        p.drawLine(x, plot.top() - 5, x, plot.top() - 1);
        const QString label = tickLabel(t - origin, step);
        const int w = fontMetrics().horizontalAdvance(label);
        p.drawText(QRect(x - w / 2, 2, w, plot.top() - 7), Qt::AlignCenter, label);
    }
}

// ---- Interaction --------------------------------------------------------------------

bool TimelineView::frameFitsView() const
{
    return m_frame.request.fromUs == m_fromUs && m_frame.request.toUs == m_toUs
           && m_frameScroll == m_scroll->value() && m_frame.request.size == plotRect().size();
}

bool TimelineView::barsAreWhereShown() const
{
    // Bars drawn one by one, in a frame of this very range: the frame knows where they are.
    return m_frame.individual && frameFitsView();
}

bool TimelineView::isFrameCurrent() const
{
    return !m_dirty && !isRendering() && m_frame.request.store == m_store && frameFitsView();
}

const TimelineFrame::Bar *TimelineView::barAt(const QPoint &pos) const
{
    const QPointF local = pos - plotRect().topLeft();
    for (const TimelineFrame::Bar &bar : m_frame.bars) {
        if (bar.rect.adjusted(-1, 0, 1, 0).contains(local))
            return &bar;
    }
    return nullptr;
}

qint64 TimelineView::spanAt(const QPoint &pos) const
{
    if (!m_store)
        return -1;
    const QRect plot = plotRect();
    if (!plot.contains(pos))
        return -1;
    if (barsAreWhereShown()) {
        if (const TimelineFrame::Bar *bar = barAt(pos))
            return bar->span; // -1 for a running attempt: runningAt() has it
    }
    const Row *row = rowAt(pos.y());
    if (!row || row->kind != Row::Lane)
        return -1;
    // Else the attempts of that lane around that time: ends are sorted, so the search
    // starts at the first that ends at the pointer and stops where none can reach it.
    const AttemptLog &log = m_store->attemptLog();
    const qint64 n = log.size();
    const qint64 t = timeAt(pos.x());
    const qint64 tolerance = qMax<qint64>(1, (m_toUs - m_fromUs) * 2 / qMax(1, plot.width()));
    const qint64 first = log.lowerBoundEnd(t - tolerance, n);
    const qint64 last = t + tolerance + log.maxOnWorkerUs();
    qint64 best = -1;
    qint64 bestLength = std::numeric_limits<qint64>::max();
    for (qint64 i = first; i < n && i < first + HoverScanLimit; ++i) {
        const AttemptSpan &s = log.at(i);
        if (s.endUs() > last)
            break;
        if (s.lane != row->lane || s.dispatchUs() > t + tolerance)
            continue;
        const qint64 length = s.endUs() - s.dispatchUs();
        if (length < bestLength) {
            best = i;
            bestLength = length;
        }
    }
    return best;
}

int TimelineView::runningAt(const QPoint &pos) const
{
    const RunningAttempts *running = m_frame.running.get();
    if (!m_store || !running || running->attempts.isEmpty())
        return -1;
    const QRect plot = plotRect();
    if (!plot.contains(pos))
        return -1;
    if (barsAreWhereShown()) {
        const TimelineFrame::Bar *bar = barAt(pos);
        return bar ? bar->running : -1;
    }
    // Drawn aggregated: the running attempt of that lane under the pointer, the latest begun
    // (a few thousand at most: what workers hold in flight).
    const Row *row = rowAt(pos.y());
    if (!row || row->kind != Row::Lane)
        return -1;
    const qint64 t = timeAt(pos.x());
    const qint64 tolerance = qMax<qint64>(1, (m_toUs - m_fromUs) * 2 / qMax(1, plot.width()));
    int best = -1;
    for (int i = 0; i < running->attempts.size(); ++i) {
        const RunningAttempt &a = running->attempts[i];
        if (a.lane != row->lane || a.dispatchUs > t + tolerance
            || m_frame.runningUntilUs < t - tolerance)
            continue;
        if (best < 0 || a.dispatchUs > running->attempts[best].dispatchUs)
            best = i;
    }
    return best;
}

QString TimelineView::describeRunning(int index) const
{
    const RunningAttempts *running = m_frame.running.get();
    if (!m_store || !running || index < 0 || index >= running->attempts.size())
        return {};
    const RunningAttempt &a = running->attempts[index];
    if (a.row < 0 || a.row >= m_store->size())
        return {};
    QStringList lines;
    lines << tr("Task %1 · attempt %2 · running").arg(m_store->spec(a.row).id).arg(a.attempt);
    if (a.lane < m_lanes.size()) {
        const TimelineLane &l = m_lanes[a.lane];
        lines << tr("Worker %1 on %2").arg(l.slot).arg(l.host.isEmpty() ? l.group : l.host);
    }
    lines << tr("queued %1 · on the worker for %2 so far")
                     .arg(Formatting::milliseconds(double(a.queuedMs)),
                          Formatting::milliseconds(
                                  double(qMax<qint64>(0, m_frame.runningUntilUs - a.dispatchUs))
                                  / 1000.0));
    return lines.join(QLatin1Char('\n'));
}

QString TimelineView::describeSpan(qint64 index) const
{
    if (!m_store || index < 0 || index >= m_store->attemptLog().size())
        return {};
    const AttemptLog &log = m_store->attemptLog();
    const AttemptSpan &s = log.at(index);
    if (s.row < 0 || s.row >= m_store->size())
        return {};
    const QVector<qint64> starts = log.runStarts();
    const qint64 origin = starts.isEmpty() ? 0 : starts.first();
    const TaskSpec &spec = m_store->spec(s.row);
    QStringList lines;
    lines << tr("Task %1 · attempt %2 · %3")
                     .arg(spec.id)
                     .arg(s.attempt)
                     .arg(outcomeText(s.outcome));
    if (s.lane < m_lanes.size()) {
        const TimelineLane &l = m_lanes[s.lane];
        lines << tr("Worker %1 on %2").arg(l.slot).arg(l.host.isEmpty() ? l.group : l.host);
    }
    QStringList phases;
    phases << tr("queued %1").arg(Formatting::milliseconds(double(s.queuedMs)));
    if (s.fetchUs)
        phases << tr("fetch %1").arg(Formatting::microseconds(s.fetchUs));
    if (s.waitUs() > 0)
        phases << tr("waiting on the worker %1").arg(Formatting::milliseconds(s.waitUs() / 1000.0));
    phases << tr("compute %1").arg(Formatting::microseconds(s.computeUs));
    if (s.backoffMs)
        phases << tr("then %1 before its retry").arg(Formatting::milliseconds(s.backoffMs));
    lines << phases.join(QStringLiteral(" · "));
    lines << tr("Ended %1 after the run began").arg(tickLabel(s.endUs() - origin, 1000));
    // The error, when the store still knows this attempt's.
    if (s.failed()) {
        const TaskState st = m_store->state(s.row);
        QString message;
        if (st.attempts == s.attempt)
            message = st.message;
        for (const AttemptRecord &a : m_store->attemptHistory(s.row)) {
            if (a.attempt == s.attempt)
                message = a.message;
        }
        if (!message.isEmpty())
            lines << message;
    }
    return lines.join(QLatin1Char('\n'));
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    relayout();
    scheduleRender(true);
}

void TimelineView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
        relayout();
        scheduleRender(true);
    }
}

bool TimelineView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const qint64 span = spanAt(help->pos());
        const int running = span < 0 ? runningAt(help->pos()) : -1;
        if (span >= 0) {
            QToolTip::showText(help->globalPos(), describeSpan(span), this);
        } else if (running >= 0) {
            QToolTip::showText(help->globalPos(), describeRunning(running), this);
        } else if (const Row *row = rowAt(help->pos().y());
                   row && help->pos().x() < gutterWidth()) {
            QToolTip::showText(help->globalPos(), row->tip, this);
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    if (event->type() == QEvent::Show && m_dirty)
        scheduleRender(true);
    return QWidget::event(event);
}

void TimelineView::wheelEvent(QWheelEvent *event)
{
    const QPoint pos = event->position().toPoint();
    const QPoint delta = event->angleDelta();
    if (pos.x() < gutterWidth() && m_scroll->isVisible()) {
        m_scroll->setValue(m_scroll->value() - delta.y() / 2);
        return;
    }
    if ((event->modifiers() & Qt::ShiftModifier) || delta.x() != 0) {
        const int d = delta.x() != 0 ? delta.x() : delta.y();
        const qint64 shift = qint64(double(m_toUs - m_fromUs) * -d / 1200.0);
        setRange(m_fromUs + shift, m_toUs + shift);
        return;
    }
    if (delta.y() == 0)
        return;
    zoom(std::pow(0.85, delta.y() / 120.0), timeAt(pos.x()));
    event->accept();
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !plotRect().contains(event->position().toPoint())) {
        QWidget::mousePressEvent(event);
        return;
    }
    m_pressed = true;
    m_panning = false;
    m_pressPos = event->position().toPoint();
    m_pressFrom = m_fromUs;
    m_pressTo = m_toUs;
    m_selecting = event->modifiers() & Qt::ShiftModifier;
}

void TimelineView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (!m_pressed) {
        const qint64 hover = spanAt(pos);
        const int hoverRunning = hover < 0 ? runningAt(pos) : -1;
        if (hover != m_hoverSpan || hoverRunning != m_hoverRunning) {
            m_hoverSpan = hover;
            m_hoverRunning = hoverRunning;
            setCursor(hover >= 0 || hoverRunning >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
            update();
        }
        return;
    }
    const int dx = pos.x() - m_pressPos.x();
    if (!m_panning && !m_selecting && qAbs(dx) < 4)
        return;
    if (m_selecting) {
        setSelection(timeAt(m_pressPos.x()), timeAt(pos.x()));
        return;
    }
    m_panning = true;
    setCursor(Qt::ClosedHandCursor);
    const qint64 shift
            = qint64(double(dx) * double(m_pressTo - m_pressFrom) / qMax(1, plotRect().width()));
    setRange(m_pressFrom - shift, m_pressTo - shift);
}

void TimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_pressed) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    m_pressed = false;
    const QPoint pos = event->position().toPoint();
    if (m_selecting) {
        m_selecting = false;
        if (qAbs(pos.x() - m_pressPos.x()) < 3)
            clearSelection();
        return;
    }
    if (m_panning) {
        m_panning = false;
        setCursor(Qt::ArrowCursor);
        return;
    }
    const qint64 span = spanAt(pos);
    if (span >= 0) {
        emit taskActivated(m_store->attemptLog().at(span).row);
    } else if (const int running = runningAt(pos); running >= 0) {
        emit taskActivated(m_frame.running->attempts[running].row);
    }
}

void TimelineView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        showAll();
}

void TimelineView::leaveEvent(QEvent *event)
{
    QWidget::leaveEvent(event);
    if (m_hoverSpan >= 0 || m_hoverRunning >= 0) {
        m_hoverSpan = -1;
        m_hoverRunning = -1;
        update();
    }
}

void TimelineView::keyPressEvent(QKeyEvent *event)
{
    const qint64 mid = m_fromUs + (m_toUs - m_fromUs) / 2;
    const qint64 step = (m_toUs - m_fromUs) / 8;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoom(0.5, mid);
        break;
    case Qt::Key_Minus:
        zoom(2.0, mid);
        break;
    case Qt::Key_Left:
        setRange(m_fromUs - step, m_toUs - step);
        break;
    case Qt::Key_Right:
        setRange(m_fromUs + step, m_toUs + step);
        break;
    case Qt::Key_0:
    case Qt::Key_Home:
        showAll();
        break;
    case Qt::Key_Escape:
        clearSelection();
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

} // namespace Brigade
