// TextArena: strings written into shared blocks behave as ordinary QStrings (equal,
// hashed, NUL-terminated, changed without touching their neighbours) and outlive the
// arena; blocks grow and long strings get their own allocation.
#include "batch/TextArena.h"

#include <QHash>
#include <QTest>

#include <memory>
#include <string>

using namespace Brigade;

class TestTextArena : public QObject
{
    Q_OBJECT

private slots:
    void sameAsQString();
    void stringsShareABlock();
    void outliveTheArena();
    void changesDetach();
    void lastStringOfABlockGrows();
    void numbers();
    void longStringsStandAlone();
    void manyBlocks();
    void largeBlocksAreOnHugePages();
};

namespace {

// The data block a string points into (data_ptr() of a non-const string does not detach).
const void *blockOf(const QString &s)
{
    return const_cast<QString &>(s).data_ptr().d_ptr();
}

} // namespace

void TestTextArena::sameAsQString()
{
    TextArena arena;
    const QString a = arena.fromLatin1("n12345");
    QCOMPARE(a, QStringLiteral("n12345"));
    QCOMPARE(a.size(), 6);
    QCOMPARE(qHash(a), qHash(QStringLiteral("n12345")));
    QVERIFY(!a.isNull());
    // utf16() is NUL-terminated, as QString promises.
    QCOMPARE(a.utf16()[6], u'\0');
    QCOMPARE(std::char_traits<char16_t>::length(reinterpret_cast<const char16_t *>(a.utf16())),
             size_t(6));
    // Latin-1 beyond ASCII.
    QCOMPARE(arena.fromLatin1("caf\xe9"), QString::fromLatin1("caf\xe9"));
    const QString empty = arena.fromLatin1("");
    QVERIFY(empty.isEmpty());
    QCOMPARE(empty.utf16()[0], u'\0');
}

void TestTextArena::stringsShareABlock()
{
    TextArena arena;
    const QString a = arena.fromLatin1("first");
    const QString b = arena.fromLatin1("second");
    QCOMPARE(blockOf(a), blockOf(b));
    QVERIFY(a.data_ptr().isShared());
    QVERIFY(a.constData() != b.constData());
    QCOMPARE(a, QStringLiteral("first"));
    QCOMPARE(b, QStringLiteral("second"));
}

void TestTextArena::outliveTheArena()
{
    QList<QString> kept;
    {
        auto arena = std::make_unique<TextArena>();
        for (int i = 0; i < 5000; ++i)
            kept << arena->fromLatin1("id-" + QByteArray::number(i));
    }
    // Every block was let go by the arena; the strings hold them.
    for (int i = 0; i < 5000; ++i)
        QCOMPARE(kept[i], QStringLiteral("id-%1").arg(i));
    QHash<QString, int> index;
    for (int i = 0; i < kept.size(); ++i)
        index.insert(kept[i], i);
    QCOMPARE(index.value(QStringLiteral("id-4321"), -1), 4321);
}

void TestTextArena::changesDetach()
{
    TextArena arena;
    const QString a = arena.fromLatin1("aaa");
    QString b = arena.fromLatin1("bbb");
    const QString c = arena.fromLatin1("ccc");
    b.append(QStringLiteral("-and-more-text"));
    b[0] = u'B';
    QCOMPARE(b, QStringLiteral("Bbb-and-more-text"));
    QVERIFY(blockOf(b) != blockOf(a));
    QCOMPARE(a, QStringLiteral("aaa"));
    QCOMPARE(c, QStringLiteral("ccc"));
    QString d = c;
    d.prepend(u'x');
    QCOMPARE(d, QStringLiteral("xccc"));
    QCOMPARE(c, QStringLiteral("ccc"));
}

void TestTextArena::lastStringOfABlockGrows()
{
    QString a;
    {
        TextArena arena;
        a = arena.fromLatin1("n1");
        QString b = arena.fromLatin1("n2");
        QCOMPARE(blockOf(a), blockOf(b));
    }
    // a alone holds its block now: it may be changed in place, or moved, but stays right.
    QVERIFY(!a.data_ptr().isShared());
    a.append(QStringLiteral("-grown-past-the-old-neighbours"));
    QCOMPARE(a, QStringLiteral("n1-grown-past-the-old-neighbours"));
    a.prepend(QStringLiteral(">"));
    QCOMPARE(a, QStringLiteral(">n1-grown-past-the-old-neighbours"));
    a.squeeze();
    QCOMPARE(a, QStringLiteral(">n1-grown-past-the-old-neighbours"));
}

void TestTextArena::numbers()
{
    TextArena arena;
    QCOMPARE(arena.number(0), QStringLiteral("0"));
    QCOMPARE(arena.number(7), QStringLiteral("7"));
    QCOMPARE(arena.number(1234567), QStringLiteral("1234567"));
    QCOMPARE(arena.number(-42), QStringLiteral("-42"));
    QCOMPARE(arena.number(std::numeric_limits<qint64>::max()),
             QString::number(std::numeric_limits<qint64>::max()));
    QCOMPARE(arena.number(std::numeric_limits<qint64>::min()),
             QString::number(std::numeric_limits<qint64>::min()));
}

void TestTextArena::longStringsStandAlone()
{
    TextArena arena;
    const QString small = arena.fromLatin1("small");
    const QByteArray longText(TextArena::MaxSharedChars + 1, 'x');
    const QString big = arena.fromLatin1(longText);
    QCOMPARE(big, QString::fromLatin1(longText));
    QVERIFY(blockOf(big) != blockOf(small));
    QVERIFY(!big.data_ptr().isShared());
    const QByteArray longest(TextArena::MaxSharedChars, 'y');
    QCOMPARE(arena.fromLatin1(longest), QString::fromLatin1(longest));
}

void TestTextArena::manyBlocks()
{
    // Far more than one block holds: blocks grow to their full size, each string intact.
    TextArena arena;
    QList<QString> ids;
    for (int i = 0; i < 200000; ++i)
        ids << (i % 2 ? arena.fromLatin1("n" + QByteArray::number(i)) : arena.number(i));
    int blocks = 1;
    for (int i = 1; i < ids.size(); ++i) {
        if (blockOf(ids[i]) != blockOf(ids[i - 1]))
            ++blocks;
    }
    // ~1.5 MB of text: more than a few blocks, far fewer than one per string.
    QVERIFY(blocks > 10);
    QVERIFY(blocks < 200);
    for (int i = 0; i < ids.size(); ++i)
        QCOMPARE(ids[i], i % 2 ? QStringLiteral("n%1").arg(i) : QString::number(i));
}

void TestTextArena::largeBlocksAreOnHugePages()
{
    constexpr quintptr Huge = quintptr(2) << 20;
    QList<QString> ids;
    {
        TextArena arena;
        arena.useLargeBlocks();
        // 8 characters with the NUL: 600,000 ids fill one 4M-character block and part of
        // a second.
        for (int i = 0; i < 600000; ++i)
            ids << arena.fromLatin1("n" + QByteArray::number(1000000 + i).mid(1));
    }
    int blocks = 1;
    for (int i = 0; i < ids.size(); ++i) {
        if (i > 0 && blockOf(ids[i]) == blockOf(ids[i - 1]))
            continue;
        if (i > 0)
            ++blocks;
        // Each block starts on a huge page's boundary: all of it can be huge pages.
        QCOMPARE(quintptr(blockOf(ids[i])) & (Huge - 1), quintptr(0));
    }
    QCOMPARE(blocks, 2);
    QCOMPARE(ids[599999], QStringLiteral("n599999"));

    // The blocks are Qt's own to free: the last string of one grows out of it.
    QString last = ids.takeAt(1000);
    ids.clear();
    for (int i = 0; i < 10000; ++i)
        last += u"-more";
    QVERIFY(last.startsWith(u"n001000-more-more"));
    QCOMPARE(last.size(), 7 + 5 * 10000);
}

QTEST_GUILESS_MAIN(TestTextArena)
#include "tst_textarena.moc"
