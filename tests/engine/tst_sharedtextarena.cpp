// SharedTextArena: texts whose headers are made in shared blocks read, compare and copy as
// any SharedText, keep null apart from empty, outlive the arena and end on any thread.
#include "core/SharedTextArena.h"

#include <QTest>
#include <QThread>

#include <memory>
#include <vector>

using namespace Brigade;

class TestSharedTextArena : public QObject
{
    Q_OBJECT

private slots:
    void sameAsSharedText();
    void textsShareABlock();
    void outliveTheArenaAcrossBlocks();
    void endOnAnotherThread();
    void largeBlocksAreOnHugePages();
};

namespace {

// Where a text's shared header is (its string lives in it).
quintptr headerOf(const SharedText &t)
{
    return quintptr(&t.toString());
}

} // namespace

void TestSharedTextArena::sameAsSharedText()
{
    SharedTextArena arena;
    const SharedText a = arena.make(QStringLiteral("/data/set1/file-1.csv"));
    QCOMPARE(a.toString(), QStringLiteral("/data/set1/file-1.csv"));
    QVERIFY(a == SharedText(QStringLiteral("/data/set1/file-1.csv")));
    QVERIFY(a != SharedText(QStringLiteral("other")));
    const SharedText empty = arena.make(QLatin1String(""));
    QVERIFY(!empty.isNull()); // given, though empty
    QVERIFY(empty.isEmpty());
    QVERIFY(arena.make(QString()).isNull());
    SharedText copy = a;
    QCOMPARE(headerOf(copy), headerOf(a)); // copies share the header
    copy.clear();
    QCOMPARE(a.toString(), QStringLiteral("/data/set1/file-1.csv"));
}

void TestSharedTextArena::textsShareABlock()
{
    SharedTextArena arena;
    const SharedText a = arena.make(QStringLiteral("a"));
    const SharedText b = arena.make(QStringLiteral("b"));
    // One after the other: no allocation of their own.
    QVERIFY(headerOf(b) > headerOf(a));
    QVERIFY(headerOf(b) - headerOf(a) <= 64);
}

void TestSharedTextArena::outliveTheArenaAcrossBlocks()
{
    // Enough texts for many blocks; the arena ends first, then most texts, in an order
    // that empties some blocks and leaves one text in others.
    std::vector<SharedText> texts;
    {
        SharedTextArena arena;
        for (int i = 0; i < 20000; ++i)
            texts.push_back(arena.make(QStringLiteral("input-%1").arg(i)));
    }
    for (size_t i = 0; i < texts.size(); ++i) {
        if (i % 1000 != 999)
            texts[i].clear();
    }
    // Memory freed meanwhile is taken again and written over.
    std::vector<std::unique_ptr<char[]>> churn;
    for (int i = 0; i < 200; ++i) {
        churn.emplace_back(new char[64 * 1024]);
        std::fill_n(churn.back().get(), 64 * 1024, char(0x5a));
    }
    for (size_t i = 999; i < texts.size(); i += 1000)
        QCOMPARE(texts[i].toString(), QStringLiteral("input-%1").arg(i));
}

void TestSharedTextArena::endOnAnotherThread()
{
    auto arena = std::make_unique<SharedTextArena>();
    std::vector<SharedText> texts;
    for (int i = 0; i < 5000; ++i)
        texts.push_back(arena->make(QString::number(i)));
    arena.reset();
    std::vector<SharedText> kept(texts.begin(), texts.begin() + 10);
    QThread *thread = QThread::create([moved = std::move(texts)]() mutable { moved.clear(); });
    thread->start();
    QVERIFY(thread->wait(30000));
    delete thread;
    for (int i = 0; i < 10; ++i)
        QCOMPARE(kept[size_t(i)].toString(), QString::number(i));
}

void TestSharedTextArena::largeBlocksAreOnHugePages()
{
    constexpr quintptr Huge = quintptr(2) << 20;
    SharedTextArena arena;
    arena.useLargeBlocks();
    std::vector<SharedText> texts;
    for (int i = 0; i < 1000; ++i)
        texts.push_back(arena.make(QString::number(i)));
    // All in one 2 MB-aligned block, from its start.
    const quintptr block = headerOf(texts.front()) & ~(Huge - 1);
    QVERIFY(headerOf(texts.front()) - block < 64);
    for (const SharedText &t : texts)
        QCOMPARE(headerOf(t) & ~(Huge - 1), block);
    QCOMPARE(texts[999].toString(), QStringLiteral("999"));
}

QTEST_GUILESS_MAIN(TestSharedTextArena)
#include "tst_sharedtextarena.moc"
