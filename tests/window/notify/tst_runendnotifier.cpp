// A word when a run ends: only when the window is not the active one, with the counts, by
// the tray where there is one and by asking for attention where there is not (offscreen).
#include "mapreduce/MapReduceResult.h"
#include "run/RunStats.h"
#include "window/notify/RunEndNotifier.h"

#include <QApplication>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>
#include <QWidget>

using namespace Brigade;

class tst_RunEndNotifier : public QObject
{
    Q_OBJECT
private slots:
    void messageSaysTheCounts();
    void jobMessageSaysHowItEnded();
    void onlyWhenTheWindowIsNotActive();
    void jobsNotifyToo();
};

void tst_RunEndNotifier::messageSaysTheCounts()
{
    RunStats s;
    s.succeeded = 1990;
    s.failed = 10;
    QCOMPARE(RunEndNotifier::message(QStringLiteral("demo.jsonl"), s, 21000),
             QStringLiteral("demo.jsonl: 1,990 succeeded, 10 failed in 0:21"));
    s.failed = 0;
    s.cancelled = 3;
    QCOMPARE(RunEndNotifier::message(QStringLiteral("b"), s, 3723000),
             QStringLiteral("b: 1,990 succeeded, 3 cancelled in 1:02:03"));
}

void tst_RunEndNotifier::jobMessageSaysHowItEnded()
{
    MapReduceResult r;
    r.elapsedMs = 2000;
    r.bytes = 524'300'000;
    r.distinctKeys = 1'234'567;
    QCOMPARE(RunEndNotifier::message(QStringLiteral("books.jsonl"), r),
             QStringLiteral("books.jsonl: MapReduce done in 0:02: 524.3 MB, 1,234,567 distinct "
                            "keys"));
    r.status = MapReduceResult::Status::Failed;
    r.errors = QStringList{QStringLiteral("input a.tsv changed during the run")};
    QCOMPARE(RunEndNotifier::message(QStringLiteral("books.jsonl"), r),
             QStringLiteral("books.jsonl: MapReduce failed after 0:02: input a.tsv changed during "
                            "the run"));
    r.status = MapReduceResult::Status::Cancelled;
    QCOMPARE(RunEndNotifier::message(QStringLiteral("books.jsonl"), r),
             QStringLiteral("books.jsonl: MapReduce cancelled after 0:02"));
}

void tst_RunEndNotifier::onlyWhenTheWindowIsNotActive()
{
    QWidget window;
    window.setWindowTitle(QStringLiteral("Brigade"));
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    RunEndNotifier notifier(&window);
    QSignalSpy notified(&notifier, &RunEndNotifier::notified);
    RunStats s;
    s.succeeded = 5;
    s.failed = 2;
    notifier.runEnded(QStringLiteral("batch.jsonl"), s, 12000);
    QCOMPARE(notified.count(), 1);
    QCOMPARE(notified.last().at(0).value<RunEndNotifier::Channel>(), RunEndNotifier::Channel::None);

    // Another window has the focus: now a word goes out.
    QWidget other;
    other.show();
    other.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&other));
    QVERIFY(!window.isActiveWindow());
    notifier.runEnded(QStringLiteral("batch.jsonl"), s, 12000);
    QCOMPARE(notified.count(), 2);
    const auto channel = notified.last().at(0).value<RunEndNotifier::Channel>();
    // Offscreen there is no tray: the window asks for attention instead.
    QCOMPARE(channel, QSystemTrayIcon::isSystemTrayAvailable() ? RunEndNotifier::Channel::Tray
                                                               : RunEndNotifier::Channel::Alert);
    QCOMPARE(notified.last().at(1).toString(), QStringLiteral("Brigade: run ended with failures"));
    QCOMPARE(notified.last().at(2).toString(),
             QStringLiteral("batch.jsonl: 5 succeeded, 2 failed in 0:12"));
}

void tst_RunEndNotifier::jobsNotifyToo()
{
    QWidget window;
    window.show();
    QWidget other;
    other.show();
    other.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&other));
    RunEndNotifier notifier(&window);
    QSignalSpy notified(&notifier, &RunEndNotifier::notified);
    MapReduceResult r;
    r.status = MapReduceResult::Status::Failed;
    notifier.jobEnded(QStringLiteral("books.jsonl"), r);
    QCOMPARE(notified.count(), 1);
    QVERIFY(notified.last().at(0).value<RunEndNotifier::Channel>()
            != RunEndNotifier::Channel::None);
    QCOMPARE(notified.last().at(1).toString(), QStringLiteral("Brigade: job failed"));
    QCOMPARE(notified.last().at(2).toString(),
             QStringLiteral("books.jsonl: MapReduce failed after 0:00: no totals"));
}

QTEST_MAIN(tst_RunEndNotifier)
#include "tst_runendnotifier.moc"
