#include "TimeBreakdown.h"

#include <algorithm>
#include <limits>

namespace Brigade {

namespace {

// The length of [a, b) inside [from, to).
double clipped(qint64 a, qint64 b, qint64 from, qint64 to)
{
    return double(qMax<qint64>(0, qMin(b, to) - qMax(a, from)));
}

} // namespace

void PhaseTotals::add(const PhaseTotals &o)
{
    attempts += o.attempts;
    failedAttempts += o.failedAttempts;
    queuedUs += o.queuedUs;
    workerWaitUs += o.workerWaitUs;
    fetchUs += o.fetchUs;
    computeUs += o.computeUs;
    backoffUs += o.backoffUs;
}

QString PhaseTotals::summary() const
{
    if (totalUs() <= 0)
        return QStringLiteral("no attempts recorded");
    const auto pct = [this](double us) {
        return qRound(100 * share(us));
    };
    return QStringLiteral("queued %1% · waiting on a worker %2% · fetching %3% · computing %4% · "
                          "waiting to retry %5%")
            .arg(pct(queuedUs))
            .arg(pct(workerWaitUs))
            .arg(pct(fetchUs))
            .arg(pct(computeUs))
            .arg(pct(backoffUs));
}

TimeBreakdown TimeBreakdown::compute(const AttemptLog &log, const Scope &scope,
                                     const std::atomic_bool *cancel)
{
    TimeBreakdown b;
    b.m_scope = scope;
    b.m_lanes = log.lanes();
    b.m_perLane = QVector<PhaseTotals>(b.m_lanes.size());
    const qint64 n = log.size();
    const bool ranged = scope.fromUs >= 0 || scope.toUs >= 0;
    const qint64 from = scope.fromUs >= 0 ? scope.fromUs : 0;
    const qint64 to = scope.toUs >= 0 ? scope.toUs : std::numeric_limits<qint64>::max();
    const std::vector<bool> *rows = scope.rows.get();
    // Nothing that ended before the range (its backoff included) reaches into it.
    const qint64 first = ranged ? log.lowerBoundEnd(from - log.maxBackoffUs(), n) : 0;
    for (qint64 i = first; i < n; ++i) {
        if (cancel && (i & 0xffff) == 0 && cancel->load(std::memory_order_relaxed))
            break;
        const AttemptSpan &s = log.at(i);
        if (rows && (s.row < 0 || size_t(s.row) >= rows->size() || !(*rows)[size_t(s.row)]))
            continue;
        if (s.lane >= b.m_perLane.size())
            continue; // a lane made after lanes() was read
        PhaseTotals &t = b.m_perLane[s.lane];
        const qint64 ready = s.readyUs();
        const qint64 dispatch = s.dispatchUs();
        const qint64 end = s.endUs();
        const qint64 backoffEnd = end + qint64(s.backoffMs) * 1000;
        if (!ranged) {
            t.queuedUs += double(dispatch - ready);
            t.fetchUs += double(s.fetchUs);
            t.computeUs += double(s.computeUs);
            t.workerWaitUs += double(s.waitUs());
            t.backoffUs += double(backoffEnd - end);
        } else {
            if (ready >= to || backoffEnd <= from)
                continue;
            // The worker's phases as the timeline draws them: fetch from the dispatch,
            // compute up to the end, the wait in between.
            const qint64 fetchEnd = qMin(end, dispatch + qint64(s.fetchUs));
            const qint64 computeStart = qMax(fetchEnd, end - qint64(s.computeUs));
            t.queuedUs += clipped(ready, dispatch, from, to);
            t.fetchUs += clipped(dispatch, fetchEnd, from, to);
            t.workerWaitUs += clipped(fetchEnd, computeStart, from, to);
            t.computeUs += clipped(computeStart, end, from, to);
            t.backoffUs += clipped(end, backoffEnd, from, to);
        }
        ++t.attempts;
        if (s.failed())
            ++t.failedAttempts;
    }
    for (int i = 0; i < b.m_lanes.size(); ++i) {
        b.m_total.add(b.m_perLane[i]);
        const TimelineLane &lane = b.m_lanes[i];
        const QString host = lane.host.isEmpty() ? lane.group : lane.host;
        auto it = std::find_if(b.m_hosts.begin(), b.m_hosts.end(),
                               [&](const Host &h) { return h.name == host; });
        if (it == b.m_hosts.end()) {
            b.m_hosts.append(Host{host, {}, {}});
            it = b.m_hosts.end() - 1;
        }
        it->totals.add(b.m_perLane[i]);
        it->lanes.append(i);
    }
    return b;
}

} // namespace Brigade
