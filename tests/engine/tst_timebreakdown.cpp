// Where the time went: attempts' phases summed per worker, per host and in all, for the
// whole run, some tasks, or a time range.
#include "timeline/TimeBreakdown.h"

#include <QTest>

#include <memory>
#include <vector>

using namespace Brigade;

class tst_TimeBreakdown : public QObject
{
    Q_OBJECT
private slots:
    void sumsPerLaneAndHost();
    void onlyTheChosenTasks();
    void clippedToATimeRange();
    void summaryWords();
};

// ready at dispatch - queuedMs; on the worker dispatch..end with fetch and compute.
static AttemptSpan span(int row, quint16 lane, qint64 dispatchUs, qint64 endUs, quint32 fetchUs,
                        quint32 computeUs, quint32 queuedMs = 0, quint32 backoffMs = 0)
{
    AttemptSpan s;
    s.row = row;
    s.lane = lane;
    s.setDispatchUs(dispatchUs);
    s.setEndUs(endUs);
    s.fetchUs = fetchUs;
    s.computeUs = computeUs;
    s.queuedMs = queuedMs;
    s.backoffMs = backoffMs;
    s.attempt = 1;
    s.outcome = backoffMs ? AttemptOutcome::Retried : AttemptOutcome::Succeeded;
    return s;
}

static AttemptLog *makeLog()
{
    auto *log = new AttemptLog;
    log->laneFor(0, QStringLiteral("vm"), QStringLiteral("local"));
    log->laneFor(1, QStringLiteral("vm"), QStringLiteral("local"));
    log->laneFor(0, QStringLiteral("node2"), QStringLiteral("ssh node2"));
    // vm/0: a fetch-heavy task, queued 1 ms first; then it fails once and backs off 2 ms.
    log->append(span(0, 0, 10000, 20000, 8000, 1000, 1));
    log->append(span(1, 0, 20000, 21000, 1000, 0, 0, 2));
    // vm/1: compute only.
    log->append(span(2, 1, 10000, 15000, 0, 5000));
    // node2: fetch, then a wait for a compute thread, then compute.
    log->append(span(3, 2, 10000, 30000, 10000, 4000));
    return log;
}

void tst_TimeBreakdown::sumsPerLaneAndHost()
{
    std::unique_ptr<AttemptLog> log(makeLog());
    const TimeBreakdown b = TimeBreakdown::compute(*log);
    QCOMPARE(b.lanes().size(), 3);
    const PhaseTotals &vm0 = b.lane(0);
    QCOMPARE(vm0.attempts, qint64(2));
    QCOMPARE(vm0.failedAttempts, qint64(1));
    QCOMPARE(vm0.queuedUs, 1000.0);
    QCOMPARE(vm0.fetchUs, 9000.0);
    QCOMPARE(vm0.computeUs, 1000.0);
    QCOMPARE(vm0.workerWaitUs, 1000.0); // 10 ms on the worker, 9 fetching and computing
    QCOMPARE(vm0.backoffUs, 2000.0);
    QCOMPARE(b.lane(2).workerWaitUs, 6000.0);
    // Hosts in the order their first lane appeared, with their lanes.
    QCOMPARE(b.hosts().size(), 2);
    QCOMPARE(b.hosts()[0].name, QStringLiteral("vm"));
    QCOMPARE(b.hosts()[0].lanes, (QVector<int>{0, 1}));
    QCOMPARE(b.hosts()[0].totals.computeUs, 6000.0);
    QCOMPARE(b.hosts()[1].name, QStringLiteral("node2"));
    QCOMPARE(b.total().attempts, qint64(4));
    QCOMPARE(b.total().totalUs(), 1000.0 + 9000 + 1000 + 1000 + 2000 + 5000 + 20000);
    QCOMPARE(b.total().share(b.total().fetchUs), 19000.0 / 39000.0);
}

void tst_TimeBreakdown::onlyTheChosenTasks()
{
    std::unique_ptr<AttemptLog> log(makeLog());
    TimeBreakdown::Scope scope;
    auto rows = std::make_shared<std::vector<bool>>(4, false);
    (*rows)[2] = true;
    (*rows)[3] = true;
    scope.rows = rows;
    const TimeBreakdown b = TimeBreakdown::compute(*log, scope);
    QCOMPARE(b.total().attempts, qint64(2));
    QCOMPARE(b.lane(0).attempts, qint64(0));
    QCOMPARE(b.total().computeUs, 9000.0);
    QCOMPARE(b.total().backoffUs, 0.0);
}

void tst_TimeBreakdown::clippedToATimeRange()
{
    std::unique_ptr<AttemptLog> log(makeLog());
    TimeBreakdown::Scope scope;
    scope.fromUs = 12000;
    scope.toUs = 22000;
    const TimeBreakdown b = TimeBreakdown::compute(*log, scope);
    // vm/0's first attempt: fetch 10..18 ms (6 in range), wait 18..19, compute 19..20.
    // Its second: fetch 20..21, backoff 21..23 (1 in range).
    const PhaseTotals &vm0 = b.lane(0);
    QCOMPARE(vm0.fetchUs, 6000.0 + 1000.0);
    QCOMPARE(vm0.workerWaitUs, 1000.0);
    QCOMPARE(vm0.computeUs, 1000.0);
    QCOMPARE(vm0.backoffUs, 1000.0);
    QCOMPARE(vm0.queuedUs, 0.0); // 9..10 ms: before the range
    // vm/1 computes 10..15 ms: 3 in range (the drawn order: its compute ends at its end).
    QCOMPARE(b.lane(1).computeUs, 3000.0);
    // node2: fetch 10..20 (8 in range), wait 20..26 (2 in range).
    QCOMPARE(b.lane(2).fetchUs, 8000.0);
    QCOMPARE(b.lane(2).workerWaitUs, 2000.0);
    QCOMPARE(b.lane(2).computeUs, 0.0);
    // Nothing in range, nothing counted.
    scope.fromUs = 40000;
    scope.toUs = 50000;
    QCOMPARE(TimeBreakdown::compute(*log, scope).total().attempts, qint64(0));
}

void tst_TimeBreakdown::summaryWords()
{
    PhaseTotals t;
    QCOMPARE(t.summary(), QStringLiteral("no attempts recorded"));
    t.queuedUs = 10;
    t.fetchUs = 60;
    t.computeUs = 30;
    QCOMPARE(t.summary(), QStringLiteral("queued 10% · waiting on a worker 0% · fetching 60% · "
                                         "computing 30% · waiting to retry 0%"));
}

QTEST_GUILESS_MAIN(tst_TimeBreakdown)
#include "tst_timebreakdown.moc"
