// SharedText: a task's rare texts (a failure's message, a command's input) in one pointer,
// null kept apart from empty, and a journal round trip of a failed task's message.
#include "EngineHarness.h"
#include "core/SharedText.h"

#include <QTest>

using namespace Brigade;
using namespace Brigade::Test;

class tst_SharedText : public QObject
{
    Q_OBJECT
private slots:
    void nullEmptyAndText();
    void copiesShareAndAssignmentsReplace();
    void failedTaskKeepsItsMessage();
};

void tst_SharedText::nullEmptyAndText()
{
    const SharedText none;
    QVERIFY(none.isNull());
    QVERIFY(none.isEmpty());
    QVERIFY(none.toString().isNull());

    const SharedText given = QLatin1String(""); // "input": "" is given, not absent
    QVERIFY(!given.isNull());
    QVERIFY(given.isEmpty());
    QVERIFY(!given.toString().isNull());

    const SharedText text = QStringLiteral("connection refused on /item/1");
    QVERIFY(!text.isEmpty());
    const QString &asString = text; // reads as a QString where one is expected
    QCOMPARE(asString, QStringLiteral("connection refused on /item/1"));
    QCOMPARE(text.toUtf8(), QByteArray("connection refused on /item/1"));
    QVERIFY(text == QStringLiteral("connection refused on /item/1"));
    QVERIFY(text != none);
    QCOMPARE(sizeof(SharedText), sizeof(void *));
}

void tst_SharedText::copiesShareAndAssignmentsReplace()
{
    SharedText a = QStringLiteral("timeout after 3000 ms");
    SharedText b = a;
    QCOMPARE(&a.toString(), &b.toString()); // one string for both
    b = QStringLiteral("HTTP 503");
    QCOMPARE(a.toString(), QStringLiteral("timeout after 3000 ms"));
    QCOMPARE(b.toString(), QStringLiteral("HTTP 503"));
    b.clear();
    QVERIFY(b.isNull());
    QVERIFY(!a.isNull());
}

void tst_SharedText::failedTaskKeepsItsMessage()
{
    // A real failing task: its state carries the worker's message, and a task that succeeded
    // carries none.
    EngineHarness h;
    h.settings.maxAttempts = 1;
    QVERIFY(h.load({R"({"id":"bad","fetch":{"delay_ms":1,"fail_rate":1}})",
                    R"({"id":"good","compute":{"op":"sum_to","n":3}})"}));
    h.start();
    QVERIFY(h.waitFinished());
    const TaskState bad = h.state(QStringLiteral("bad"));
    QCOMPARE(bad.status, TaskStatus::Failed);
    QVERIFY(!bad.message.isEmpty());
    QVERIFY(bad.message.toString().contains(QLatin1String("fail"), Qt::CaseInsensitive));
    const TaskState good = h.state(QStringLiteral("good"));
    QCOMPARE(good.status, TaskStatus::Succeeded);
    QVERIFY(good.message.isNull());
}

QTEST_GUILESS_MAIN(tst_SharedText)
#include "tst_sharedtext.moc"
