// ShapeArena: shapes cut from shared blocks are whole shapes: they outlive the arena and
// each other whatever the order they go in, and copies of them are independent.
#include "batch/ShapeArena.h"

#include <QRandomGenerator>
#include <QTest>

using namespace Brigade;

class tst_ShapeArena : public QObject
{
    Q_OBJECT
private slots:
    void shapesOutliveTheArena();
};

namespace {

TaskShape urlShape(int i)
{
    TaskShape s;
    s.fetch.kind = FetchKind::Url;
    s.fetch.url = "http://127.0.0.1:8080/item/" + QByteArray::number(i);
    s.priority = i % 7;
    if (i % 100 == 0) // a few with headers: memory of their own, freed with the shape
        s.fetch.request.write().headers.append({"X-Item", QByteArray::number(i)});
    return s;
}

} // namespace

void tst_ShapeArena::shapesOutliveTheArena()
{
    // More shapes than the largest block holds, so several blocks come and go.
    constexpr int Count = 100000;
    std::vector<std::shared_ptr<const TaskShape>> shapes;
    {
        ShapeArena arena;
        for (int i = 0; i < Count; ++i)
            shapes.push_back(arena.make(urlShape(i)));
    }
    const std::weak_ptr<const TaskShape> watched = shapes[5000];
    std::vector<int> order(Count);
    for (int i = 0; i < Count; ++i)
        order[size_t(i)] = i;
    std::shuffle(order.begin(), order.end(), *QRandomGenerator::global());
    TaskShape copy = *shapes[5000];
    for (size_t k = 0; k < order.size(); ++k) {
        const int i = order[k];
        QCOMPARE(shapes[size_t(i)]->fetch.url, urlShape(i).fetch.url);
        QCOMPARE(shapes[size_t(i)]->fetch.headers(), urlShape(i).fetch.headers());
        QCOMPARE(shapes[size_t(i)]->priority, i % 7);
        shapes[size_t(i)].reset();
    }
    QVERIFY(watched.expired());
    // A copy taken before keeps its values once every shape (and block) is gone.
    QCOMPARE(copy.fetch.url, QByteArray("http://127.0.0.1:8080/item/5000"));
    QCOMPARE(copy.fetch.headers().size(), 1);
}

QTEST_GUILESS_MAIN(tst_ShapeArena)
#include "tst_shapearena.moc"
