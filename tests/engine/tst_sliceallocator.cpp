// SliceAllocator: vectors given stretches of one region fill them in place, each its own;
// what does not fit, and copies, go elsewhere; the region lasts as long as any holder.
#include "core/SliceAllocator.h"

#include <QByteArray>
#include <QTest>

#include <vector>

using namespace Brigade;

namespace {

using Allocator = SliceAllocator<QByteArray>;
using List = std::vector<QByteArray, Allocator>;

bool inRegion(const QByteArray *p, const Allocator::Region &region)
{
    return p >= region.begin && p < region.end;
}

} // namespace

class tst_SliceAllocator : public QObject
{
    Q_OBJECT
private slots:
    void vectorsFillTheirOwnStretches();
    void growingPastTheSliceMovesOut();
    void aCopyLeavesTheRegion();
};

void tst_SliceAllocator::vectorsFillTheirOwnStretches()
{
    auto region = std::make_shared<const Allocator::Region>(100000);
    QVERIFY(region->begin);
    List first(Allocator(region, region->begin, 60000));
    List second(Allocator(region, region->begin + 60000, 40000));
    first.reserve(60000);
    second.reserve(40000);
    QCOMPARE(first.data(), region->begin);
    QCOMPARE(second.data(), region->begin + 60000);
    for (int i = 0; i < 40000; ++i) {
        first.push_back("a" + QByteArray::number(i));
        second.push_back("b" + QByteArray::number(i));
    }
    QCOMPARE(first.data(), region->begin); // never moved
    QCOMPARE(first[39999], QByteArray("a39999"));
    QCOMPARE(second[0], QByteArray("b0"));
    QCOMPARE(second[39999], QByteArray("b39999"));
}

void tst_SliceAllocator::growingPastTheSliceMovesOut()
{
    std::weak_ptr<const Allocator::Region> watch;
    {
        List list;
        {
            auto region = std::make_shared<const Allocator::Region>(1000);
            watch = region;
            list = List(Allocator(region, region->begin, 1000));
            list.reserve(1000);
            QCOMPARE(list.data(), region->begin);
        }
        for (int i = 0; i < 5000; ++i)
            list.push_back(QByteArray::number(i));
        QVERIFY(!watch.expired()); // the list's allocator still holds it
        QVERIFY(!inRegion(list.data(), *watch.lock()));
        QCOMPARE(list[999], QByteArray("999"));
        QCOMPARE(list[4999], QByteArray("4999"));
    }
    QVERIFY(watch.expired());
}

void tst_SliceAllocator::aCopyLeavesTheRegion()
{
    auto region = std::make_shared<const Allocator::Region>(1000);
    List list(Allocator(region, region->begin, 1000));
    // The copy comes first: it must not take the slice the original is to fill.
    List copy = list;
    copy.push_back("c");
    QVERIFY(!inRegion(copy.data(), *region));
    list.reserve(10);
    list.push_back("x");
    QCOMPARE(list.data(), region->begin);
    QCOMPARE(copy.front(), QByteArray("c"));
    const List copyOfFilled = list;
    QVERIFY(!inRegion(copyOfFilled.data(), *region));
    QCOMPARE(copyOfFilled.front(), QByteArray("x"));
}

QTEST_GUILESS_MAIN(tst_SliceAllocator)
#include "tst_sliceallocator.moc"
