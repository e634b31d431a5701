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

QTEST_GUILESS_MAIN(tst_ByteArena)
#include "tst_bytearena.moc"
