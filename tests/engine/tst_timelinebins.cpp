// A time range of the attempt log summed into columns per lane and phase: what the
// timeline draws when a pixel holds more attempts than can be told apart.
#include "timeline/TimelineBins.h"

#include <QTest>

#include <random>

using namespace Brigade;

class tst_TimelineBins : public QObject
{
    Q_OBJECT
private slots:
    void phasesLandInTheirColumns();
    void failuresAndBackoff();
    void onlyTheAskedLanesInTheirOrder();
    void individualSpansBelowTheLimit();
    void coverageIsConservedAtAnyZoom();
    void prefixAndCancel();
    void runningAttemptsUpToNow();
};

static AttemptSpan span(qint64 dispatchUs, qint64 endUs, quint16 lane, quint32 fetchUs = 0,
                        quint32 computeUs = 0)
{
    AttemptSpan s;
    s.setDispatchUs(dispatchUs);
    s.setEndUs(endUs);
    s.lane = lane;
    s.fetchUs = fetchUs;
    s.computeUs = computeUs;
    s.row = 0;
    s.attempt = 1;
    return s;
}

static float total(const TimelineBins &b, int lane, int column)
{
    float t = 0;
    for (int p = 0; p < TimelinePhaseCount; ++p)
        t += b.value(lane, TimelinePhase(p), column);
    return t;
}

void tst_TimelineBins::phasesLandInTheirColumns()
{
    AttemptLog log;
    log.laneFor(0, QStringLiteral("h"), QStringLiteral("local"));
    // 0..400 µs fetch, 400..600 waiting, 600..1000 compute: ten columns of 100 µs.
    log.append(span(0, 1000, 0, 400, 400));
    TimelineBins::Request r;
    r.fromUs = 0;
    r.toUs = 1000;
    r.columns = 10;
    r.lanes = {0};
    const TimelineBins b = TimelineBins::compute(log, r);
    for (int c = 0; c < 4; ++c) {
        QCOMPARE(b.value(0, TimelinePhase::Fetch, c), 1.f);
        QCOMPARE(b.value(0, TimelinePhase::Compute, c), 0.f);
    }
    QCOMPARE(b.value(0, TimelinePhase::Waiting, 4), 1.f);
    QCOMPARE(b.value(0, TimelinePhase::Waiting, 5), 1.f);
    for (int c = 6; c < 10; ++c)
        QCOMPARE(b.value(0, TimelinePhase::Compute, c), 1.f);
    QCOMPARE(b.laneMax(0), 1.f);
    QCOMPARE(b.spansConsidered(), qint64(1));

    // Half a column covered counts half; two attempts side by side count two.
    log.append(span(1050, 1100, 0, 0, 50));
    log.append(span(1050, 1100, 0, 0, 50));
    r.fromUs = 1000;
    r.toUs = 1200;
    r.columns = 2;
    const TimelineBins b2 = TimelineBins::compute(log, r);
    QCOMPARE(b2.value(0, TimelinePhase::Compute, 0), 1.f); // 2 × 50/100
    QCOMPARE(b2.value(0, TimelinePhase::Compute, 1), 0.f);
}

void tst_TimelineBins::failuresAndBackoff()
{
    AttemptLog log;
    AttemptSpan s = span(0, 100, 0, 100, 0);
    s.outcome = AttemptOutcome::Retried;
    s.backoffMs = 1; // 100..1100 µs
    log.append(s);
    TimelineBins::Request r;
    r.fromUs = 0;
    r.toUs = 1200;
    r.columns = 12;
    r.lanes = {0};
    const TimelineBins b = TimelineBins::compute(log, r);
    QCOMPARE(b.value(0, TimelinePhase::FailedWork, 0), 1.f); // a failed fetch is failed work
    QCOMPARE(b.value(0, TimelinePhase::Fetch, 0), 0.f);
    for (int c = 1; c < 11; ++c)
        QCOMPARE(b.value(0, TimelinePhase::Backoff, c), 1.f);
    QCOMPARE(b.value(0, TimelinePhase::Backoff, 11), 0.f);
    // A range after the attempt's end still sees its backoff.
    r.fromUs = 500;
    r.toUs = 600;
    r.columns = 1;
    QCOMPARE(TimelineBins::compute(log, r).value(0, TimelinePhase::Backoff, 0), 1.f);
}

void tst_TimelineBins::onlyTheAskedLanesInTheirOrder()
{
    AttemptLog log;
    log.append(span(0, 100, 0, 100));
    log.append(span(0, 100, 2, 0, 100));
    log.append(span(0, 100, 2, 0, 100));
    TimelineBins::Request r;
    r.toUs = 100;
    r.columns = 1;
    r.lanes = {2, 0};
    const TimelineBins b = TimelineBins::compute(log, r);
    QCOMPARE(b.value(0, TimelinePhase::Compute, 0), 2.f);
    QCOMPARE(b.value(1, TimelinePhase::Fetch, 0), 1.f);
    QCOMPARE(b.laneMax(0), 2.f);
    QCOMPARE(b.laneMax(1), 1.f);
}

void tst_TimelineBins::individualSpansBelowTheLimit()
{
    AttemptLog log;
    for (int i = 0; i < 100; ++i)
        log.append(span(i * 10, i * 10 + 10, 0, 10));
    TimelineBins::Request r;
    r.fromUs = 200;
    r.toUs = 300;
    r.columns = 50;
    r.lanes = {0};
    r.individualLimit = 20;
    TimelineBins b = TimelineBins::compute(log, r);
    QVERIFY(b.individual());
    // Spans 19 (ends at 200: outside) to 29, and 30 starts at 300 (outside): 20..29.
    QCOMPARE(b.spans().size(), size_t(10));
    QCOMPARE(b.spans().front(), qint64(20));
    QCOMPARE(b.spans().back(), qint64(29));
    r.fromUs = 0;
    r.toUs = 1000;
    b = TimelineBins::compute(log, r);
    QVERIFY(!b.individual()); // 100 reach in: columns only
    QVERIFY(b.spans().empty());
    QCOMPARE(b.spansConsidered(), qint64(100));
}

void tst_TimelineBins::coverageIsConservedAtAnyZoom()
{
    // However many columns, the attempt-time summed over them is the attempts' time in
    // range: nothing is lost or counted twice at the edges of columns or of the range.
    AttemptLog log;
    std::mt19937 rng(7);
    qint64 end = 0;
    double inRange = 0;
    const qint64 from = 30000, to = 170000;
    std::vector<std::pair<qint64, qint64>> spans;
    for (int i = 0; i < 5000; ++i) {
        end += qint64(rng() % 40);
        const qint64 length = 1 + qint64(rng() % 3000);
        log.append(span(end - length, end, quint16(rng() % 3), quint32(length / 2),
                        quint32(length / 3)));
        inRange += double(qMax<qint64>(0, qMin(end, to) - qMax(end - length, from)));
    }
    for (int columns : {1, 7, 640, 5000}) {
        TimelineBins::Request r;
        r.fromUs = from;
        r.toUs = to;
        r.columns = columns;
        r.lanes = {0, 1, 2};
        const TimelineBins b = TimelineBins::compute(log, r);
        double sum = 0;
        for (int l = 0; l < 3; ++l) {
            for (int c = 0; c < columns; ++c)
                sum += total(b, l, c);
        }
        const double usPerColumn = double(to - from) / columns;
        QVERIFY2(qAbs(sum * usPerColumn - inRange) < inRange * 1e-4,
                 qPrintable(QStringLiteral("%1 columns: %2 vs %3")
                                    .arg(columns)
                                    .arg(sum * usPerColumn)
                                    .arg(inRange)));
    }
}

void tst_TimelineBins::prefixAndCancel()
{
    AttemptLog log;
    for (int i = 0; i < 100000; ++i)
        log.append(span(i, i + 1, 0, 1));
    TimelineBins::Request r;
    r.toUs = 100000;
    r.columns = 100;
    r.lanes = {0};
    r.logSize = 1000;
    TimelineBins b = TimelineBins::compute(log, r);
    QCOMPARE(b.logSize(), qint64(1000));
    QCOMPARE(b.spansConsidered(), qint64(1000));
    std::atomic_bool cancel{true};
    r.logSize = -1;
    b = TimelineBins::compute(log, r, &cancel);
    QVERIFY(b.cancelled());
}

void tst_TimelineBins::runningAttemptsUpToNow()
{
    AttemptLog log;
    log.laneFor(0, QStringLiteral("h"), QStringLiteral("local"));
    log.laneFor(1, QStringLiteral("h"), QStringLiteral("local"));
    log.append(span(0, 200, 0, 200));
    // Two running on lane 1 from 300 and 500 µs, one on lane 0 from 600 µs.
    auto running = std::make_shared<RunningAttempts>();
    running->atUs = 800;
    running->attempts = {RunningAttempt{300, 1, 0, 1, 1}, RunningAttempt{500, 2, 0, 1, 2},
                         RunningAttempt{600, 3, 0, 0, 1}};
    TimelineBins::Request r;
    r.fromUs = 0;
    r.toUs = 1000;
    r.columns = 10;
    r.lanes = {0, 1};
    r.running = running;
    r.individualLimit = 10;
    TimelineBins b = TimelineBins::compute(log, r);
    // Up to the list's time, in the running phase of their lane only.
    QCOMPARE(b.value(1, TimelinePhase::Running, 2), 0.f);
    QCOMPARE(b.value(1, TimelinePhase::Running, 3), 1.f);
    QCOMPARE(b.value(1, TimelinePhase::Running, 5), 2.f);
    QCOMPARE(b.value(1, TimelinePhase::Running, 7), 2.f);
    QCOMPARE(b.value(1, TimelinePhase::Running, 8), 0.f);
    QCOMPARE(b.value(0, TimelinePhase::Running, 6), 1.f);
    QCOMPARE(b.value(0, TimelinePhase::Fetch, 1), 1.f);
    QCOMPARE(b.value(0, TimelinePhase::Running, 1), 0.f);
    QCOMPARE(b.laneMax(1), 2.f);
    // Below the limit each is kept, by its index in the list.
    QVERIFY(b.individual());
    QCOMPARE(b.spans().size(), size_t(1));
    QCOMPARE(b.runningSpans(), (std::vector<int>{0, 1, 2}));
    // Drawn later than the list was made: they reach to then.
    r.runningUntilUs = 1000;
    b = TimelineBins::compute(log, r);
    QCOMPARE(b.value(1, TimelinePhase::Running, 9), 2.f);
    // Over the limit: aggregated, no indexes.
    r.individualLimit = 3;
    b = TimelineBins::compute(log, r);
    QVERIFY(!b.individual());
    QVERIFY(b.runningSpans().empty());
    QCOMPARE(b.value(1, TimelinePhase::Running, 9), 2.f);
    // An attempt that began after the range is not in it.
    r.toUs = 400;
    r.columns = 4;
    b = TimelineBins::compute(log, r);
    QCOMPARE(b.value(1, TimelinePhase::Running, 3), 1.f);
    QCOMPARE(b.value(0, TimelinePhase::Running, 3), 0.f);
}

QTEST_GUILESS_MAIN(tst_TimelineBins)
#include "tst_timelinebins.moc"
