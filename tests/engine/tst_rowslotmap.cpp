// The worker's row -> slot table against std::unordered_map: the same answers through
// millions of inserts and erases in the orders a worker sees (rows handed out in runs,
// finished out of order), across growth and wrap-around of its probes.
#include "worker/RowSlotMap.h"

#include <QRandomGenerator>
#include <QTest>

#include <unordered_map>

using namespace Brigade;

class tst_RowSlotMap : public QObject
{
    Q_OBJECT
private slots:
    void findsWhatWasInserted();
    void matchesAReferenceMap();
};

void tst_RowSlotMap::findsWhatWasInserted()
{
    RowSlotMap map;
    QCOMPARE(map.find(0), RowSlotMap::NoSlot);
    QVERIFY(!map.remove(0));
    map.insert(7, 1);
    map.insert(0, 2);
    map.insert(7, 3); // replaces
    QCOMPARE(map.size(), size_t(2));
    QCOMPARE(map.find(7), 3u);
    QCOMPARE(map.find(0), 2u);
    QCOMPARE(map.find(8), RowSlotMap::NoSlot);
    QVERIFY(map.remove(7));
    QVERIFY(!map.remove(7));
    QCOMPARE(map.find(7), RowSlotMap::NoSlot);
    QCOMPARE(map.find(0), 2u);
    QCOMPARE(map.size(), size_t(1));
}

void tst_RowSlotMap::matchesAReferenceMap()
{
    // Rows come in runs of consecutive numbers (a worker's share of a batch) and leave in
    // a random order; the live set grows to thousands and shrinks to nothing twice.
    QRandomGenerator rng(15);
    RowSlotMap map;
    std::unordered_map<qint32, quint32> reference;
    std::vector<qint32> live;
    qint32 next = 0;
    for (int round = 0; round < 400000; ++round) {
        const int phase = (round / 100000) % 2; // growing, then draining
        const bool add = live.empty() || rng.bounded(100) < (phase == 0 ? 60 : 35);
        if (add) {
            const qint32 row = rng.bounded(10) == 0 ? qint32(rng.bounded(1 << 30)) : next++;
            const quint32 slot = rng.generate();
            map.insert(row, slot);
            if (reference.insert_or_assign(row, slot).second)
                live.push_back(row);
        } else {
            const size_t i = rng.bounded(quint32(live.size()));
            const qint32 row = live[i];
            live[i] = live.back();
            live.pop_back();
            QVERIFY(map.remove(row));
            reference.erase(row);
            QCOMPARE(map.find(row), RowSlotMap::NoSlot);
        }
        QCOMPARE(map.size(), reference.size());
        if (round % 1000 == 0) {
            for (const auto &[row, slot] : reference)
                QCOMPARE(map.find(row), slot);
            QCOMPARE(map.find(next), RowSlotMap::NoSlot);
        }
    }
    QVERIFY(reference.size() > 1000 || live.empty());
}

QTEST_GUILESS_MAIN(tst_RowSlotMap)
#include "tst_rowslotmap.moc"
