// A task's identity (what a resume of an edited batch keeps by): the same spec written
// another way is the same task, every change to what it computes is another one, run
// policy is not counted, and secrets count without being kept.
#include "batch/BatchParser.h"
#include "batch/TaskIdentity.h"

#include <QTest>

using namespace Brigade;

class tst_TaskIdentity : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void compare_data();
    void compare();
    void secretsCountWithoutBeingKept();
    void programDefinitionCounts();
};

namespace {

TaskIdentity identityOf(const QByteArray &lines)
{
    const Batch batch = BatchParser::parseData(lines, QStringLiteral("t.jsonl"));
    if (batch.hasErrors())
        qWarning() << batch.errors.first().toString();
    Q_ASSERT(!batch.hasErrors() && !batch.tasks.isEmpty());
    return TaskIdentity::of(batch.tasks.last());
}

} // namespace

void tst_TaskIdentity::initTestCase()
{
    qputenv("BRIGADE_TEST_TOKEN", "s3cret-token-value");
}

void tst_TaskIdentity::compare_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<QString>("changed"); // empty: the same task

    // Written another way: the same task.
    QTest::newRow("whitespace")
            << QByteArray(R"({"id":"a","compute":{"op":"sum_to","n":10}})")
            << QByteArray(R"(  { "id" : "a" ,  "compute" : { "op" : "sum_to", "n" : 10 } }  )")
            << QString();
    QTest::newRow("key order")
            << QByteArray(
                       R"({"id":"a","fetch":"https://h.example/x","compute":{"op":"wordcount","top":3}})")
            << QByteArray(
                       R"({"compute":{"top":3,"op":"wordcount"},"fetch":"https://h.example/x","id":"a"})")
            << QString();
    QTest::newRow("header order")
            << QByteArray(
                       R"({"id":"a","fetch":{"url":"https://h.example/","headers":{"A":"1","B":"2"}}})")
            << QByteArray(
                       R"({"id":"a","fetch":{"url":"https://h.example/","headers":{"B":"2","A":"1"}}})")
            << QString();
    QTest::newRow("command env order")
            << QByteArray(
                       R"({"id":"a","compute":{"op":"exec","argv":["echo","{}"],"env":{"X":"1","Y":"2"}}})")
            << QByteArray(
                       R"({"id":"a","compute":{"env":{"Y":"2","X":"1"},"argv":["echo","{}"],"op":"exec"}})")
            << QString();
    // Run policy: not what the task computes.
    QTest::newRow("attempts")
            << QByteArray(R"({"id":"a","compute":{"op":"sum_to","n":10}})")
            << QByteArray(R"({"id":"a","compute":{"op":"sum_to","n":10},"max_attempts":5})")
            << QString();
    QTest::newRow("timeout")
            << QByteArray(R"({"id":"a","fetch":"https://h.example/"})")
            << QByteArray(
                       R"({"id":"a","fetch":{"url":"https://h.example/","timeout_ms":99},"timeout_ms":5000})")
            << QString();
    QTest::newRow("priority")
            << QByteArray(R"({"id":"a","compute":{"op":"sum_to","n":10}})")
            << QByteArray(R"({"id":"a","compute":{"op":"sum_to","n":10},"priority":7})")
            << QString();
    QTest::newRow("max bytes")
            << QByteArray(R"({"id":"a","fetch":"https://h.example/"})")
            << QByteArray(R"({"id":"a","fetch":{"url":"https://h.example/","max_bytes":100}})")
            << QString();
    QTest::newRow("defaults line applied")
            << QByteArray(R"({"id":"a","compute":{"op":"sum_to","n":10}})")
            << QByteArray("{\"defaults\":{\"compute\":{\"op\":\"sum_to\",\"n\":10}}}\n"
                          "{\"id\":\"a\"}")
            << QString();

    // Every change to what it computes: another task, and which part says so.
    QTest::newRow("id") << QByteArray(R"({"id":"a","compute":{"op":"sum_to","n":10}})")
                        << QByteArray(R"({"id":"b","compute":{"op":"sum_to","n":10}})")
                        << QStringLiteral("id");
    QTest::newRow("input")
            << QByteArray(
                       R"({"id":"a","input":"x.txt","compute":{"op":"exec","argv":["wc","{}"]}})")
            << QByteArray(
                       R"({"id":"a","input":"y.txt","compute":{"op":"exec","argv":["wc","{}"]}})")
            << QStringLiteral("input");
    QTest::newRow("url") << QByteArray(R"({"id":"a","fetch":"https://h.example/x"})")
                         << QByteArray(R"({"id":"a","fetch":"https://h.example/y"})")
                         << QStringLiteral("fetch");
    QTest::newRow("header value")
            << QByteArray(R"({"id":"a","fetch":{"url":"https://h.example/","headers":{"A":"1"}}})")
            << QByteArray(R"({"id":"a","fetch":{"url":"https://h.example/","headers":{"A":"2"}}})")
            << QStringLiteral("fetch");
    QTest::newRow("method") << QByteArray(
            R"({"id":"a","fetch":{"url":"https://h.example/","method":"HEAD"}})")
                            << QByteArray(R"({"id":"a","fetch":{"url":"https://h.example/"}})")
                            << QStringLiteral("fetch");
    QTest::newRow("body")
            << QByteArray(
                       R"({"id":"a","fetch":{"url":"https://h.example/","method":"POST","body":"1"}})")
            << QByteArray(
                       R"({"id":"a","fetch":{"url":"https://h.example/","method":"POST","body":"2"}})")
            << QStringLiteral("fetch");
    QTest::newRow("delay") << QByteArray(R"({"id":"a","fetch":{"delay_ms":[1,5]}})")
                           << QByteArray(R"({"id":"a","fetch":{"delay_ms":[1,6]}})")
                           << QStringLiteral("fetch");
    QTest::newRow("compute params") << QByteArray(R"({"id":"a","compute":{"op":"sum_to","n":10}})")
                                    << QByteArray(R"({"id":"a","compute":{"op":"sum_to","n":11}})")
                                    << QStringLiteral("compute");
    QTest::newRow("compute op") << QByteArray(R"({"id":"a","compute":{"op":"sha256","rounds":1}})")
                                << QByteArray(R"({"id":"a","compute":{"op":"sum_to","n":1}})")
                                << QStringLiteral("compute");
    QTest::newRow("command args")
            << QByteArray(R"({"id":"a","compute":{"op":"exec","argv":["echo","1"]}})")
            << QByteArray(R"({"id":"a","compute":{"op":"exec","argv":["echo","2"]}})")
            << QStringLiteral("command or arguments");
    QTest::newRow("command program")
            << QByteArray(R"({"id":"a","compute":{"op":"exec","argv":["echo","1"]}})")
            << QByteArray(R"({"id":"a","compute":{"op":"exec","argv":["printf","1"]}})")
            << QStringLiteral("command or arguments");
    QTest::newRow("shell line")
            << QByteArray(R"({"id":"a","compute":{"op":"exec","shell":"echo 1"}})")
            << QByteArray(R"({"id":"a","compute":{"op":"exec","shell":"echo  1"}})")
            << QStringLiteral("command or arguments");
    QTest::newRow("call args")
            << QByteArray("{\"programs\":{\"p\":{\"argv\":[\"cat\"]}}}\n"
                          R"({"id":"a","compute":{"op":"call","program":"p","args":{"x":1}}})")
            << QByteArray("{\"programs\":{\"p\":{\"argv\":[\"cat\"]}}}\n"
                          R"({"id":"a","compute":{"op":"call","program":"p","args":{"x":2}}})")
            << QStringLiteral("command or arguments");
    QTest::newRow("fetch and compute")
            << QByteArray(
                       R"({"id":"a","fetch":"https://h.example/x","compute":{"op":"wordcount","top":3}})")
            << QByteArray(
                       R"({"id":"a","fetch":"https://h.example/y","compute":{"op":"wordcount","top":4}})")
            << QStringLiteral("fetch, compute");
}

void tst_TaskIdentity::compare()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(QString, changed);
    const TaskIdentity ia = identityOf(a);
    const TaskIdentity ib = identityOf(b);
    QCOMPARE(ia.digest().size(), 32);
    QCOMPARE(ia.differences(ib).join(QStringLiteral(", ")), changed);
    QCOMPARE(ia == ib, changed.isEmpty());
    QCOMPARE(ia.digest() == ib.digest(), changed.isEmpty());
    // Stable: computed again, the same.
    QCOMPARE(identityOf(a).digest(), ia.digest());
    // The fast way for many tasks (a shape's digest once) gives the same digest.
    for (const QByteArray &lines : {a, b}) {
        const Batch batch = BatchParser::parseData(lines, QStringLiteral("t.jsonl"));
        const TaskSpec &task = batch.tasks.last();
        QCOMPARE(TaskIdentity::digestOf(task, TaskIdentity::shapeDigest(*task.shape)),
                 TaskIdentity::of(task).digest());
    }
}

void tst_TaskIdentity::secretsCountWithoutBeingKept()
{
    const QByteArray secretLine = R"({"id":"a","fetch":{"url":"https://h.example/",)"
                                  R"("headers":{"Authorization":{"env":"BRIGADE_TEST_TOKEN"}}}})";
    const QByteArray authLine = R"({"id":"a","fetch":{"url":"https://h.example/",)"
                                R"("auth":{"user":"ann","password_env":"BRIGADE_TEST_TOKEN"}}})";
    const TaskIdentity secret = identityOf(secretLine);
    const TaskIdentity auth = identityOf(authLine);
    const TaskIdentity none = identityOf(R"({"id":"a","fetch":"https://h.example/"})");
    QCOMPARE(secret.differences(none), QStringList{QStringLiteral("fetch")});
    QCOMPARE(auth.differences(none), QStringList{QStringLiteral("fetch")});

    // Nothing kept holds the value, nor its digest alone (which would be a dictionary's
    // lookup away from it).
    const QByteArray value = qgetenv("BRIGADE_TEST_TOKEN");
    const QByteArray valueDigest = QCryptographicHash::hash(value, QCryptographicHash::Sha256);
    for (const TaskIdentity &id : {secret, auth}) {
        QByteArray all = id.digest();
        for (const QByteArray &part : id.parts)
            all += part;
        QVERIFY(!all.contains(value));
        QVERIFY(!all.contains(valueDigest));
        QVERIFY(!all.toHex().contains(valueDigest.toHex()));
    }

    // Another value of the secret: another task (the run used other credentials).
    qputenv("BRIGADE_TEST_TOKEN", "another-value");
    QCOMPARE(identityOf(secretLine).differences(secret), QStringList{QStringLiteral("fetch")});
    QCOMPARE(identityOf(authLine).differences(auth), QStringList{QStringLiteral("fetch")});
    qputenv("BRIGADE_TEST_TOKEN", value);
    QCOMPARE(identityOf(secretLine), secret);
}

void tst_TaskIdentity::programDefinitionCounts()
{
    const QByteArray task = R"({"id":"a","compute":{"op":"call","program":"p","args":{"x":1}}})";
    const TaskIdentity cat = identityOf("{\"programs\":{\"p\":{\"argv\":[\"cat\"]}}}\n" + task);
    const TaskIdentity tac = identityOf("{\"programs\":{\"p\":{\"argv\":[\"tac\"]}}}\n" + task);
    const TaskIdentity wider = identityOf(
            "{\"programs\":{\"p\":{\"argv\":[\"cat\"],\"max_in_flight\":4}}}\n" + task);
    QCOMPARE(cat.differences(tac), QStringList{QStringLiteral("program")});
    QCOMPARE(cat, wider); // how many calls at once is run policy
}

QTEST_GUILESS_MAIN(tst_TaskIdentity)
#include "tst_taskidentity.moc"
