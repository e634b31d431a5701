#include "TimelineBins.h"

#include <cmath>

namespace Brigade {

namespace {

// Adds an interval's coverage to one row of columns: partial columns at its ends go into
// acc, whole columns in between into the difference array diff (summed once at the end),
// so a span costs the same however many columns it covers.
struct Row
{
    double *acc;
    qint32 *diff;
    int columns;

    void add(double a, double b) const
    {
        a = qMax(0.0, a);
        b = qMin(double(columns), b);
        if (b <= a)
            return;
        const int ia = int(a); // < columns, as a < b <= columns
        const int ib = int(b); // columns when b is the very end
        if (ia == ib) {
            acc[ia] += b - a;
            return;
        }
        acc[ia] += (ia + 1) - a;
        if (ib > ia + 1) {
            diff[ia + 1] += 1;
            diff[ib] -= 1; // diff has columns + 1 entries
        }
        if (ib < columns)
            acc[ib] += b - ib;
    }
};

} // namespace

TimelineBins TimelineBins::compute(const AttemptLog &log, const Request &request,
                                   const std::atomic_bool *cancel)
{
    TimelineBins bins;
    bins.m_request = request;
    Request &r = bins.m_request;
    r.columns = qMax(1, r.columns);
    r.toUs = qMax(r.fromUs + 1, r.toUs);
    const int nLanes = r.lanes.size();
    const size_t rowCount = size_t(nLanes) * TimelinePhaseCount;
    const size_t cols = size_t(r.columns);
    std::vector<double> acc(rowCount * cols, 0.0);
    std::vector<qint32> diff(rowCount * (cols + 1), 0);
    bins.m_laneMax = QVector<float>(nLanes, 0.f);

    int maxLane = 0;
    for (int lane : std::as_const(r.lanes))
        maxLane = qMax(maxLane, lane);
    std::vector<int> laneIndex(size_t(maxLane) + 1, -1);
    for (int i = 0; i < nLanes; ++i) {
        if (r.lanes[i] >= 0)
            laneIndex[size_t(r.lanes[i])] = i;
    }

    const qint64 n = r.logSize >= 0 ? qMin(r.logSize, log.size()) : log.size();
    bins.m_logSize = n;
    const double scale = double(r.columns) / double(r.toUs - r.fromUs);
    const auto x = [&](qint64 us) {
        return double(us - r.fromUs) * scale;
    };
    // Spans that end before the range (with their backoff) or start after it are out; the
    // ends are sorted, so both bounds are searches, not scans.
    const qint64 first = log.lowerBoundEnd(r.fromUs - log.maxBackoffUs(), n);
    const qint64 stopAfterEnd = r.toUs + log.maxOnWorkerUs();
    bool keepSpans = r.individualLimit > 0;
    for (qint64 i = first; i < n; ++i) {
        if (cancel && (i & 0x3fff) == 0 && cancel->load(std::memory_order_relaxed)) {
            bins.m_cancelled = true;
            return bins;
        }
        const AttemptSpan &s = log.at(i);
        const qint64 end = s.endUs();
        if (end > stopAfterEnd)
            break;
        const qint64 dispatch = s.dispatchUs();
        const qint64 backoffEnd = end + qint64(s.backoffMs) * 1000;
        if (dispatch >= r.toUs || backoffEnd <= r.fromUs)
            continue;
        ++bins.m_considered;
        if (keepSpans) {
            if (qint64(bins.m_spans.size()) < r.individualLimit) {
                bins.m_spans.push_back(i);
            } else {
                keepSpans = false;
                bins.m_spans.clear();
                bins.m_spans.shrink_to_fit();
            }
        }
        if (s.lane >= laneIndex.size() || laneIndex[s.lane] < 0)
            continue;
        const size_t base = size_t(laneIndex[s.lane]) * TimelinePhaseCount;
        const auto row = [&](TimelinePhase p) {
            const size_t k = base + size_t(p);
            return Row{acc.data() + k * cols, diff.data() + k * (cols + 1), r.columns};
        };
        const qint64 fetchEnd = qMin(end, dispatch + qint64(s.fetchUs));
        const qint64 computeStart = qMax(fetchEnd, end - qint64(s.computeUs));
        if (s.failed()) {
            row(TimelinePhase::FailedWork).add(x(dispatch), x(fetchEnd));
            row(TimelinePhase::FailedWork).add(x(computeStart), x(end));
        } else {
            row(TimelinePhase::Fetch).add(x(dispatch), x(fetchEnd));
            row(TimelinePhase::Compute).add(x(computeStart), x(end));
        }
        row(TimelinePhase::Waiting).add(x(fetchEnd), x(computeStart));
        if (s.backoffMs)
            row(TimelinePhase::Backoff).add(x(end), x(backoffEnd));
    }
    // Attempts still running: a bar from dispatch to when the list was made, however long.
    if (r.running) {
        const qint64 at = r.runningUntilUs >= 0 ? r.runningUntilUs : r.running->atUs;
        const QVector<RunningAttempt> &running = r.running->attempts;
        for (int i = 0; i < running.size(); ++i) {
            const RunningAttempt &a = running[i];
            if (a.dispatchUs >= r.toUs || at <= r.fromUs)
                continue;
            ++bins.m_considered;
            if (keepSpans) {
                if (qint64(bins.m_spans.size() + bins.m_running.size()) < r.individualLimit) {
                    bins.m_running.push_back(i);
                } else {
                    keepSpans = false;
                    bins.m_spans.clear();
                    bins.m_spans.shrink_to_fit();
                    bins.m_running.clear();
                    bins.m_running.shrink_to_fit();
                }
            }
            if (a.lane >= laneIndex.size() || laneIndex[a.lane] < 0)
                continue;
            const size_t k = size_t(laneIndex[a.lane]) * TimelinePhaseCount
                             + size_t(TimelinePhase::Running);
            Row{acc.data() + k * cols, diff.data() + k * (cols + 1), r.columns}.add(
                    x(a.dispatchUs), x(qMax(a.dispatchUs, at)));
        }
    }
    bins.m_individual = keepSpans;

    bins.m_values.resize(rowCount * cols);
    for (size_t k = 0; k < rowCount; ++k) {
        qint64 running = 0;
        const double *a = acc.data() + k * cols;
        const qint32 *d = diff.data() + k * (cols + 1);
        float *out = bins.m_values.data() + k * cols;
        for (size_t c = 0; c < cols; ++c) {
            running += d[c];
            out[c] = float(a[c] + double(running));
        }
    }
    for (int l = 0; l < nLanes; ++l) {
        float maxTotal = 0;
        for (size_t c = 0; c < cols; ++c) {
            float total = 0;
            for (int p = 0; p < TimelinePhaseCount; ++p)
                total += bins.value(l, TimelinePhase(p), int(c));
            maxTotal = qMax(maxTotal, total);
        }
        bins.m_laneMax[l] = maxTotal;
    }
    return bins;
}

} // namespace Brigade
