// RowBlocks: blocks made on first write, cleared back to fresh, released for good; and a
// store's task states made as its tasks run, not when it is loaded.
#include "EngineHarness.h"
#include "core/RowBlocks.h"

#include <QTest>

using namespace Brigade;
using namespace Brigade::Test;

class tst_RowBlocks : public QObject
{
    Q_OBJECT
private slots:
    void freshRowsHoldNothing();
    void clearedBlocksReadFreshAgain();
    void releasedBlocksStayReleased();
    void forEachLiveVisitsFreshRows();
    void freedBlocksAreReusedFresh();
    void statesAreMadeAsTasksRun();
};

static constexpr int Block = RowBlocks<int>::BlockSize;

void tst_RowBlocks::freshRowsHoldNothing()
{
    RowBlocks<int> rows(-2, 7);
    rows.resize(3 * Block + 5);
    QCOMPARE(rows.liveBlocks(), 0);
    QCOMPARE(rows.at(0), 7);
    QCOMPARE(rows.at(3 * Block + 4), 7);
    rows[Block + 3] = 42; // makes only its own block
    QCOMPARE(rows.liveBlocks(), 1);
    QVERIFY(rows.isBlockMade(1));
    QVERIFY(!rows.isBlockMade(0));
    QCOMPARE(rows.at(Block + 3), 42);
    QCOMPARE(rows.at(Block + 4), 7); // its neighbours start fresh
    QCOMPARE(rows.at(0), 7);
    // Growing keeps what was written and adds fresh rows.
    rows.resize(5 * Block);
    QCOMPARE(rows.at(Block + 3), 42);
    QCOMPARE(rows.at(5 * Block - 1), 7);
    QCOMPARE(rows.liveBlocks(), 1);
    // A shrink and a regrow give fresh rows, not the old values.
    rows.resize(Block + 3);
    rows.resize(Block + 10);
    QCOMPARE(rows.at(Block + 3), 7);
}

void tst_RowBlocks::clearedBlocksReadFreshAgain()
{
    RowBlocks<qint64> rows;
    rows.reset(2 * Block);
    rows[5] = 11;
    rows[Block] = 12;
    QCOMPARE(rows.liveBlocks(), 2);
    rows.clearBlock(0);
    QCOMPARE(rows.liveBlocks(), 1);
    QCOMPARE(rows.at(5), 0);
    QVERIFY(!rows.isReleased(5)); // cleared is not released: it can be written again
    rows[5] = 13;
    QCOMPARE(rows.at(5), 13);
    QCOMPARE(rows.at(Block), 12);
    rows.reset(2 * Block);
    QCOMPARE(rows.liveBlocks(), 0);
    QCOMPARE(rows.at(Block), 0);
}

void tst_RowBlocks::releasedBlocksStayReleased()
{
    RowBlocks<int> rows(-1, 0);
    rows.resize(2 * Block);
    rows[3] = 5;
    rows.releaseBlock(0);
    rows.releaseBlock(1); // never made: released all the same
    QCOMPARE(rows.liveBlocks(), 0);
    QVERIFY(rows.isReleased(3));
    QVERIFY(rows.isReleased(Block + 1));
    QCOMPARE(rows.at(3), -1);
    rows[3] = 9; // lost: a released row is no task's any more
    QCOMPARE(rows.at(3), -1);
    QCOMPARE(rows.liveBlocks(), 0);
    rows.clearBlock(0); // does not bring it back
    QVERIFY(rows.isReleased(3));
}

void tst_RowBlocks::forEachLiveVisitsFreshRows()
{
    RowBlocks<int> rows(-1, 1);
    rows.resize(3 * Block);
    rows[Block + 1] = 10;
    rows.releaseBlock(2);
    qint64 sum = 0;
    int visited = 0;
    rows.forEachLive([&](int, int v) {
        sum += v;
        ++visited;
    });
    QCOMPARE(visited, 2 * Block);
    QCOMPARE(sum, qint64(2 * Block - 1 + 10));
}

void tst_RowBlocks::freedBlocksAreReusedFresh()
{
    // A freed block's memory makes the next block, holding nothing of what it held.
    RowBlocks<QByteArray> rows(QByteArray("released"), QByteArray());
    rows.resize(3 * Block);
    const QByteArray big(1 << 16, 'x');
    rows[5] = big;
    rows[Block - 1] = QByteArray("last");
    QVERIFY(!big.isDetached()); // shared with the row
    const QByteArray *first = &rows.at(0);
    rows.releaseBlock(0);
    QVERIFY(big.isDetached()); // the row's copy went with the release
    QCOMPARE(rows.at(5), QByteArray("released"));
    rows[Block + 1] = QByteArray("new");
    QCOMPARE(&rows.at(Block), first);
    QCOMPARE(rows.liveBlocks(), 1);
    QCOMPARE(rows.at(Block + 5), QByteArray());
    QCOMPARE(rows.at(2 * Block - 1), QByteArray());
    QCOMPARE(rows.at(Block + 1), QByteArray("new"));
    // A cleared block is reused as well, and a reset forgets the spare ones.
    rows.clearBlock(1);
    QCOMPARE(rows.at(Block + 1), QByteArray());
    rows[2 * Block] = QByteArray("third");
    QCOMPARE(&rows.at(2 * Block), first);
    rows.reset(Block);
    QCOMPARE(rows.liveBlocks(), 0);
    QCOMPARE(rows.at(0), QByteArray());
}

void tst_RowBlocks::statesAreMadeAsTasksRun()
{
    // A real run of 3 blocks' worth of tasks: a loaded store holds no states (its tasks are
    // all fresh), and once they have ended it holds every one (each has a result).
    EngineHarness h;
    QStringList lines;
    for (int i = 0; i < 3 * Block; ++i)
        lines << QStringLiteral(R"({"id":"t%1","compute":{"op":"sum_to","n":%2}})").arg(i).arg(i);
    QVERIFY(h.load(lines));
    QCOMPARE(h.store().heldRows(), 0);
    h.start();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.store().counts()[TaskStatus::Succeeded], 3 * Block);
    QCOMPARE(h.store().heldRows(), 3 * Block);
    QCOMPARE(h.state(QStringLiteral("t100")).result, QByteArray("5050"));
}

QTEST_GUILESS_MAIN(tst_RowBlocks)
#include "tst_rowblocks.moc"
