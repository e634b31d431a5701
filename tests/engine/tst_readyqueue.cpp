// The ready queue's order: priority first, then the time a task became ready; aging lets
// a long wait beat a higher priority.
#include "run/ReadyQueue.h"

#include <QTest>

using namespace Brigade::Internal;

class tst_ReadyQueue : public QObject
{
    Q_OBJECT
private slots:
    void fifoWithinOnePriority();
    void higherPriorityFirst();
    void agingBeatsPriorityAfterLongWait();
    void lateOldEntriesGoByTheirReadyTime();
    void frontEntriesFirst();
    void consecutiveRowsShareOneEntry();

private:
    static QVector<int> drain(ReadyQueue &q)
    {
        QVector<int> rows;
        while (!q.empty())
            rows.append(q.pop().row);
        return rows;
    }
};

void tst_ReadyQueue::fifoWithinOnePriority()
{
    ReadyQueue q;
    for (int row = 0; row < 5; ++row)
        q.push({row, 0, row * 10});
    QCOMPARE(q.size(), size_t(5));
    QCOMPARE(drain(q), (QVector<int>{0, 1, 2, 3, 4}));
}

void tst_ReadyQueue::higherPriorityFirst()
{
    ReadyQueue q(1000);
    q.push({0, 0, 0});
    q.push({1, 5, 0});
    q.push({2, -3, 0});
    q.push({3, 5, 0});
    q.push({4, 1, 0});
    // Equal priority and ready time: first in, first out.
    QCOMPARE(drain(q), (QVector<int>{1, 3, 4, 0, 2}));
}

void tst_ReadyQueue::agingBeatsPriorityAfterLongWait()
{
    ReadyQueue q(1000);   // one level per second waited
    q.push({0, 0, 0});    // waiting since 0
    q.push({1, 3, 2500}); // 3 levels up, but came 2.5 s later: still first
    q.push({2, 3, 3500}); // came 3.5 s later: the old task has aged past it
    QCOMPARE(drain(q), (QVector<int>{1, 0, 2}));

    // A steady stream of priority 5 tasks arriving every 100 ms: a priority 0 task waits
    // no longer than 5 s (5 levels at 1 s each) before it goes ahead of the newcomers.
    ReadyQueue stream(1000);
    stream.push({-1, 0, 0});
    int poppedAt = -1;
    for (int t = 0; t <= 20000; t += 100) {
        stream.push({t, 5, t});
        const ReadyQueue::Entry e = stream.pop(); // one start per 100 ms
        if (e.row == -1) {
            poppedAt = t;
            break;
        }
    }
    QVERIFY(poppedAt >= 0);
    QVERIFY2(poppedAt <= 5100, qPrintable(QString::number(poppedAt)));
}

void tst_ReadyQueue::lateOldEntriesGoByTheirReadyTime()
{
    // An entry handed back (e.g. held for its host) keeps its original ready time, even
    // though newer priority-0 entries were pushed before it.
    ReadyQueue q;
    q.push({0, 0, 100});
    q.push({1, 0, 200});
    q.push({2, 0, 50});
    QCOMPARE(drain(q), (QVector<int>{2, 0, 1}));
}

void tst_ReadyQueue::frontEntriesFirst()
{
    ReadyQueue q;
    q.push({0, 100, 0});
    q.pushFront({7, 0, 500});
    QCOMPARE(drain(q), (QVector<int>{7, 0}));
    q.push({1, 0, 0});
    q.clear();
    QVERIFY(q.empty());
}

void tst_ReadyQueue::consecutiveRowsShareOneEntry()
{
    // A batch queued at its start is one run; a gap in the rows, another millisecond or a
    // priority starts a new one, and the order is the same as one entry per row.
    ReadyQueue q;
    for (int row = 0; row < 100000; ++row)
        q.push({row, 0, 5});
    QCOMPARE(q.fifoRuns(), size_t(1));
    QCOMPARE(q.size(), size_t(100000));
    q.push({200000, 0, 5}); // not the next row
    q.push({200001, 0, 6}); // next row, a later millisecond
    q.push({200002, 0, 6});
    q.push({7, 3, 6}); // a priority: the heap
    QCOMPARE(q.fifoRuns(), size_t(3));
    QCOMPARE(q.size(), size_t(100004));
    QCOMPARE(q.pop().row, 7);
    for (int row = 0; row < 100000; ++row) {
        const ReadyQueue::Entry e = q.pop();
        QCOMPARE(e.row, row);
        QCOMPARE(e.readyAtMs, qint64(5));
    }
    QCOMPARE(q.fifoRuns(), size_t(2));
    QCOMPARE(drain(q), (QVector<int>{200000, 200001, 200002}));
    QCOMPARE(q.size(), size_t(0));
    QCOMPARE(q.fifoRuns(), size_t(0));
}

QTEST_GUILESS_MAIN(tst_ReadyQueue)
#include "tst_readyqueue.moc"
