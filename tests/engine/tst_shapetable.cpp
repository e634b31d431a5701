// ShapeTable: one object per distinct shape key, whichever thread asks first.
#include "batch/BatchLineParser.h"
#include "batch/ShapeTable.h"

#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

#include <set>

using namespace Brigade;

class TestShapeTable : public QObject
{
    Q_OBJECT

private slots:
    void equalKeysOneShape();
    void threadsAgree();
};

namespace {

TaskShape shapeWithUrl(const QByteArray &url)
{
    TaskShape shape;
    shape.fetch.kind = FetchKind::Url;
    shape.fetch.url = url;
    return shape;
}

} // namespace

void TestShapeTable::equalKeysOneShape()
{
    ShapeTable table;
    TaskShape a = shapeWithUrl("https://a.org/");
    const QByteArray keyA = BatchLineParser::shapeKey(a);
    const auto first = table.intern(keyA, std::move(a));
    QCOMPARE(first->fetch.url, QByteArray("https://a.org/"));
    const auto again = table.intern(keyA, shapeWithUrl("https://a.org/"));
    QCOMPARE(again.get(), first.get());
    TaskShape b = shapeWithUrl("https://b.org/");
    const QByteArray keyB = BatchLineParser::shapeKey(b);
    const auto other = table.intern(keyB, std::move(b));
    QVERIFY(other.get() != first.get());
    QCOMPARE(other->fetch.url, QByteArray("https://b.org/"));
}

void TestShapeTable::threadsAgree()
{
    ShapeTable table;
    constexpr int Keys = 50;
    auto work = [&table] {
        std::vector<const TaskShape *> got;
        for (int round = 0; round < 20; ++round) {
            for (int k = 0; k < Keys; ++k) {
                TaskShape shape = shapeWithUrl("https://h/" + QByteArray::number(k));
                const QByteArray key = BatchLineParser::shapeKey(shape);
                const auto interned = table.intern(key, std::move(shape));
                if (round == 0)
                    got.push_back(interned.get());
                else if (got[size_t(k)] != interned.get())
                    return std::vector<const TaskShape *>{}; // a second object for a key
            }
        }
        return got;
    };
    QList<QFuture<std::vector<const TaskShape *>>> futures;
    for (int t = 0; t < 4; ++t)
        futures << QtConcurrent::run(work);
    std::vector<const TaskShape *> first = futures[0].result();
    QCOMPARE(first.size(), size_t(Keys));
    for (auto &f : futures)
        QCOMPARE(f.result(), first);
    QCOMPARE(std::set<const TaskShape *>(first.begin(), first.end()).size(), size_t(Keys));
}

QTEST_GUILESS_MAIN(TestShapeTable)
#include "tst_shapetable.moc"
