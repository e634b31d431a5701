// ByteArena: arrays cut from shared blocks behave as any QByteArray: they outlive the
// arena and each other, end in a NUL, detach when changed, and long ones stand alone.
#include "batch/ByteArena.h"

#include <QTest>

#include <memory>

using namespace Brigade;

class tst_ByteArena : public QObject
{
    Q_OBJECT
private slots:
    void arraysOutliveTheArena();
    void changingOneLeavesTheOthers();
    void longArraysStandAlone();
    void largeBlocksAreOnHugePages();
};

void tst_ByteArena::arraysOutliveTheArena()
{
    QList<QByteArray> copies;
    {
        ByteArena arena;
        // Enough to fill several blocks, up to the largest.
        for (int i = 0; i < 400000; ++i)
            copies.append(arena.copy("http://127.0.0.1:8080/item/" + QByteArray::number(i)));
    }
    for (int i = 0; i < copies.size(); i += 997) {
        const QByteArray expected = "http://127.0.0.1:8080/item/" + QByteArray::number(i);
        QCOMPARE(copies[i], expected);
        QCOMPARE(copies[i].constData()[copies[i].size()], '\0');
        QCOMPARE(qstrlen(copies[i].constData()), size_t(expected.size()));
    }
    // Freed in an order of their own: the first half, then every other of the rest.
    copies.erase(copies.begin(), copies.begin() + copies.size() / 2);
    for (qsizetype i = copies.size() - 1; i >= 0; i -= 2)
        copies.removeAt(i);
    QCOMPARE(copies.size(), 100000);
    QCOMPARE(copies.constFirst(), QByteArray("http://127.0.0.1:8080/item/200000"));
}

void tst_ByteArena::changingOneLeavesTheOthers()
{
    ByteArena arena;
    QByteArray a = arena.copy("abc");
    const QByteArray b = arena.copy("def");
    a.append('!');
    a[0] = 'A';
    QCOMPARE(a, QByteArray("Abc!"));
    QCOMPARE(b, QByteArray("def"));
    QCOMPARE(arena.copy(""), QByteArray(""));
}

void tst_ByteArena::longArraysStandAlone()
{
    ByteArena arena;
    const QByteArray longOne(ByteArena::MaxSharedBytes + 1, 'x');
    const QByteArray copy = arena.copy(longOne);
    QCOMPARE(copy, longOne);
    QVERIFY(copy.constData() != longOne.constData());
}

void tst_ByteArena::largeBlocksAreOnHugePages()
{
    constexpr quintptr Huge = quintptr(2) << 20;
    QList<QByteArray> copies;
    {
        ByteArena arena;
        arena.useLargeBlocks();
        for (int i = 0; i < 300000; ++i)
            copies.append(arena.copy("http://127.0.0.1:8080/item/" + QByteArray::number(i)));
    }
    // One after the other in blocks of BlockBytes, each starting on a huge page's
    // boundary, so the kernel can back all of them with huge pages.
    int blocks = 1;
    for (int i = 1; i < copies.size(); ++i) {
        const char *next = copies[i - 1].constData() + copies[i - 1].size() + 1;
        if (copies[i].constData() == next)
            continue;
        ++blocks;
        const quintptr first = quintptr(copies[i].constData());
        QVERIFY(first - (first & ~(Huge - 1)) <= 64);
    }
    const quintptr first = quintptr(copies.constFirst().constData());
    QVERIFY(first - (first & ~(Huge - 1)) <= 64);
    // ~10 MB of URLs: two blocks of 8 MB.
    QCOMPARE(blocks, 2);
    QCOMPARE(copies[299999], QByteArray("http://127.0.0.1:8080/item/299999"));

    // The block is an ordinary array's to Qt: the last copy left grows and frees it.
    QByteArray last = copies.takeAt(30000);
    copies.clear();
    for (int i = 0; i < 100000; ++i)
        last.append("/more");
    QVERIFY(last.startsWith("http://127.0.0.1:8080/item/30000/more/more"));
    QCOMPARE(last.size(), qsizetype(32 + 5 * 100000));
}

QTEST_GUILESS_MAIN(tst_ByteArena)
#include "tst_bytearena.moc"
