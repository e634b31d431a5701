// The attempt log: spans kept compactly and in end order, read while written, and filled
// by a real run of real workers with every attempt, its lane and its phases.
#include "EngineHarness.h"
#include "timeline/AttemptLog.h"

#include <QTest>
#include <QThread>

#include <atomic>

using namespace Brigade;
using namespace Brigade::Test;

class tst_AttemptLog : public QObject
{
    Q_OBJECT
private slots:
    void timesPastThirtyTwoBits();
    void appendAcrossChunksAndSearch();
    void readWhileWritten();
    void lanesAndSamples();
    void realRunLogsEveryAttempt();
    void cancelledAttemptsAreLogged();
};

static AttemptSpan span(qint64 dispatchUs, qint64 endUs, int row, quint16 lane = 0)
{
    AttemptSpan s;
    s.setDispatchUs(dispatchUs);
    s.setEndUs(endUs);
    s.row = row;
    s.lane = lane;
    s.attempt = 1;
    return s;
}

void tst_AttemptLog::timesPastThirtyTwoBits()
{
    AttemptSpan s;
    const qint64 week = qint64(7) * 24 * 3600 * 1000000; // > 2^32 µs
    s.setDispatchUs(week);
    s.setEndUs(week + 1234567);
    QCOMPARE(s.dispatchUs(), week);
    QCOMPARE(s.endUs(), week + 1234567);
    QCOMPARE(s.onWorkerUs(), qint64(1234567));
    s.fetchUs = 1000000;
    s.computeUs = 200000;
    QCOMPARE(s.waitUs(), qint64(34567));
    s.queuedMs = 5;
    QCOMPARE(s.readyUs(), week - 5000);
    s.setEndUs(-7); // clamped, never wrapped
    QCOMPARE(s.endUs(), qint64(0));
}

void tst_AttemptLog::appendAcrossChunksAndSearch()
{
    AttemptLog log;
    const qint64 n = AttemptLog::ChunkSize * 2 + 17;
    for (qint64 i = 0; i < n; ++i)
        log.append(span(i * 10, i * 10 + 5 + (i == 100 ? 995 : 0), int(i)));
    QCOMPARE(log.size(), n);
    QCOMPARE(log.at(n - 1).row, int(n - 1));
    QCOMPARE(log.at(AttemptLog::ChunkSize).endUs(), AttemptLog::ChunkSize * 10 + 5);
    QCOMPARE(log.lastEndUs(), (n - 1) * 10 + 5);
    QCOMPARE(log.maxOnWorkerUs(), qint64(1000));
    // The first span ending at or after a time.
    QCOMPARE(log.lowerBoundEnd(0, n), qint64(0));
    QCOMPARE(log.lowerBoundEnd(6, n), qint64(1));
    QCOMPARE(log.lowerBoundEnd(15, n), qint64(1));
    QCOMPARE(log.lowerBoundEnd(16, n), qint64(2));
    QCOMPARE(log.lowerBoundEnd(n * 10, n), n);
    // Within a prefix only.
    QCOMPARE(log.lowerBoundEnd(n * 10, 50), qint64(50));
    QVERIFY(log.bytesUsed() >= 3 * AttemptLog::ChunkSize * qint64(sizeof(AttemptSpan)));
    QVERIFY(!log.overflowed());
}

void tst_AttemptLog::readWhileWritten()
{
    // A reader sees a prefix: every span below a size() it read is whole.
    AttemptLog log;
    const qint64 n = AttemptLog::ChunkSize * 3;
    std::atomic_bool done{false};
    std::atomic<qint64> bad{0};
    std::atomic<qint64> reads{0};
    QThread *reader = QThread::create([&] {
        while (!done.load()) {
            const qint64 size = log.size();
            if (size == 0)
                continue;
            const AttemptSpan &last = log.at(size - 1);
            if (last.row != size - 1 || last.endUs() != (size - 1) * 3 + 2)
                bad.fetch_add(1);
            if (size > 1 && log.lowerBoundEnd(last.endUs(), size) != size - 1)
                bad.fetch_add(1);
            reads.fetch_add(1);
        }
    });
    reader->start();
    for (qint64 i = 0; i < n; ++i)
        log.append(span(i * 3, i * 3 + 2, int(i)));
    QTRY_VERIFY(reads.load() > 0);
    done.store(true);
    reader->wait();
    delete reader;
    QCOMPARE(bad.load(), qint64(0));
    QCOMPARE(log.size(), n);
}

void tst_AttemptLog::lanesAndSamples()
{
    AttemptLog log;
    QCOMPARE(log.laneFor(0, QStringLiteral("vm"), QStringLiteral("local")), quint16(0));
    QCOMPARE(log.laneFor(1, QStringLiteral("vm"), QStringLiteral("local")), quint16(1));
    QCOMPARE(log.laneFor(0, QStringLiteral("node2"), QStringLiteral("ssh node2")), quint16(2));
    // The same worker slot on the same host keeps its lane (a retry run, a new incarnation).
    QCOMPARE(log.laneFor(1, QStringLiteral("vm"), QStringLiteral("local")), quint16(1));
    QCOMPARE(log.lanes().size(), 3);
    QCOMPARE(log.lanes().at(2).host, QStringLiteral("node2"));

    CountSample a;
    a.atUs = 10;
    a.queued = 5;
    log.addSample(a);
    a.atUs = 20; // the same counts later: not kept
    log.addSample(a);
    a.atUs = 30;
    a.queued = 4;
    a.running = 1;
    log.addSample(a);
    QCOMPARE(log.samples().size(), 2);
    QCOMPARE(log.samples().last().atUs, qint64(30));

    log.markRunStart();
    QTRY_VERIFY(log.nowUs() > log.runStarts().first());
    log.markRunStart();
    QCOMPARE(log.runStarts().size(), 2);
}

void tst_AttemptLog::realRunLogsEveryAttempt()
{
    EngineHarness h;
    h.settings.retry.baseDelayMs = 40;
    h.settings.retry.maxDelayMs = 40;
    QVERIFY2(h.load({R"({"id":"wait","fetch":{"delay_ms":60},"compute":{"op":"sum_to","n":1000}})",
                     R"({"id":"cpu","compute":{"op":"sha256","rounds":20000}})",
                     R"({"id":"flaky","fetch":{"delay_ms":5,"fail_rate":1},"max_attempts":3})",
                     R"({"id":"quick","compute":{"op":"sum_to","n":1}})"}),
             qPrintable(h.lastError));
    h.start();
    QVERIFY(h.waitFinished());
    const AttemptLog &log = h.store().attemptLog();
    // One span per attempt: three tasks once, the flaky one three times.
    QCOMPARE(log.size(), qint64(6));
    QCOMPARE(log.runStarts().size(), 1);
    int succeeded = 0, retried = 0, failed = 0;
    for (qint64 i = 0; i < log.size(); ++i) {
        const AttemptSpan &s = log.at(i);
        QVERIFY(s.row >= 0 && s.row < h.store().size());
        QVERIFY2(s.dispatchUs() <= s.endUs(), qPrintable(QString::number(i)));
        QVERIFY(s.dispatchUs() >= log.runStarts().first());
        if (i > 0)
            QVERIFY(log.at(i - 1).endUs() <= s.endUs()); // in end order
        QVERIFY(s.lane < log.lanes().size());
        switch (s.outcome) {
        case AttemptOutcome::Succeeded:
            ++succeeded;
            break;
        case AttemptOutcome::Retried:
            ++retried;
            QCOMPARE(s.row, h.row(QStringLiteral("flaky")));
            QVERIFY(s.backoffMs > 0 && s.backoffMs <= 40); // full jitter up to the cap
            break;
        case AttemptOutcome::Failed:
            ++failed;
            QCOMPARE(s.attempt, quint8(3));
            QCOMPARE(s.backoffMs, quint32(0));
            break;
        default:
            QFAIL("no attempt was cancelled or lost");
        }
        if (s.row == h.row(QStringLiteral("wait"))) {
            QVERIFY(s.fetchUs >= 60000);
            QVERIFY(s.onWorkerUs() >= 60000);
        }
        if (s.row == h.row(QStringLiteral("cpu")))
            QVERIFY(s.computeUs > 0);
    }
    QCOMPARE(succeeded, 3);
    QCOMPARE(retried, 2);
    QCOMPARE(failed, 1);
    // Each worker that ran an attempt a lane, with where it runs (both, unless a busy machine
    // let one of them take every task before the other started).
    const QVector<TimelineLane> lanes = log.lanes();
    QVERIFY(lanes.size() >= 1 && lanes.size() <= 2);
    for (const TimelineLane &l : lanes) {
        QVERIFY(!l.host.isEmpty());
        QVERIFY(l.slot == 0 || l.slot == 1);
    }
    // The counts over time end with the run's.
    const QVector<CountSample> samples = log.samples();
    QVERIFY(!samples.isEmpty());
    QCOMPARE(samples.last().succeeded, 3);
    QCOMPARE(samples.last().failed, 1);
    QCOMPARE(samples.last().attempts, 6);

    // Retrying the failed task adds to the same log, as a run of its own.
    h.isFinished = false;
    h.engine().retryTasks(QVector<int>{h.row(QStringLiteral("flaky"))});
    QVERIFY(h.waitFinished());
    QCOMPARE(log.runStarts().size(), 2);
    QCOMPARE(log.size(), qint64(9));
    QVERIFY(log.at(6).dispatchUs() >= log.runStarts().last());
}

void tst_AttemptLog::cancelledAttemptsAreLogged()
{
    EngineHarness h;
    QVERIFY(h.load({R"({"id":"long1","fetch":{"delay_ms":30000}})",
                    R"({"id":"long2","fetch":{"delay_ms":30000}})"}));
    h.start();
    QTRY_COMPARE(h.lastStats.running, 2);
    h.engine().cancel();
    QVERIFY(h.waitFinished());
    const AttemptLog &log = h.store().attemptLog();
    QCOMPARE(log.size(), qint64(2));
    for (qint64 i = 0; i < log.size(); ++i) {
        QCOMPARE(log.at(i).outcome, AttemptOutcome::Cancelled);
        QVERIFY(log.at(i).onWorkerUs() < 30000000);
    }
}

QTEST_GUILESS_MAIN(tst_AttemptLog)
#include "tst_attemptlog.moc"
