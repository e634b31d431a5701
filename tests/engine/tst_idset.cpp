// IdSet: every repeated id found, paired with its first use, in order; against a QHash.
#include "batch/IdSet.h"

#include <QHash>
#include <QRandomGenerator>
#include <QTest>

using namespace Brigade;

class TestIdSet : public QObject
{
    Q_OBJECT

private slots:
    void none();
    void smallCases();
    void matchesAHashAtScale();
};

void TestIdSet::none()
{
    QVERIFY(IdSet::duplicates({}).empty());
    QVERIFY(IdSet::duplicates({QByteArrayView("a")}).empty());
}

void TestIdSet::smallCases()
{
    const std::vector<QByteArrayView> ids{"a", "b", "a", "", "c", "a", "", "ab", "b"};
    const auto found = IdSet::duplicates(ids);
    const std::vector<std::pair<size_t, size_t>> expected{{2, 0}, {5, 0}, {6, 3}, {8, 1}};
    QCOMPARE(found, expected);
}

void TestIdSet::matchesAHashAtScale()
{
    // 200,000 ids drawn from 150,000 values: many repeats, spread over every part.
    QRandomGenerator rng(7);
    std::vector<QByteArray> storage;
    for (int i = 0; i < 200000; ++i)
        storage.push_back("id-" + QByteArray::number(rng.bounded(150000)));
    std::vector<QByteArrayView> ids(storage.begin(), storage.end());
    std::vector<std::pair<size_t, size_t>> expected;
    QHash<QByteArray, size_t> first;
    for (size_t i = 0; i < storage.size(); ++i) {
        const auto it = first.constFind(storage[i]);
        if (it == first.constEnd())
            first.insert(storage[i], i);
        else
            expected.emplace_back(i, it.value());
    }
    QVERIFY(expected.size() > 10000);
    QCOMPARE(IdSet::duplicates(ids), expected);
}

QTEST_GUILESS_MAIN(TestIdSet)
#include "tst_idset.moc"
