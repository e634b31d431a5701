// A retry's change to tasks' specs: what is refused (with the rules a batch is checked by),
// what a change does to a fetch (host, headers, timeout, attempts) and to other tasks, and
// the change as the journal keeps it.
#include "session/SpecChange.h"

#include <QTest>

using namespace Brigade;

class tst_SpecChange : public QObject
{
    Q_OBJECT
private slots:
    void refused_data();
    void refused();
    void parseHeader();
    void changesAFetch();
    void leavesOtherTasksTheirUrl();
    void unchangedShapeIsShared();
    void urlListTasksKeepTheirOwnUrls();
    void keptAsJson();
};

namespace {

// A task whose shape holds its URL: then the spec adds nothing to a change.
const TaskSpec anyTask;

std::shared_ptr<const TaskShape> fetchShape(const QByteArray &url, HeaderList headers = {})
{
    auto s = std::make_shared<TaskShape>();
    s->fetch.kind = FetchKind::Url;
    s->fetch.url = url;
    s->fetch.request.write().headers = std::move(headers);
    s->timeoutMs = 3000;
    return s;
}

} // namespace

void tst_SpecChange::refused_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerValue");
    QTest::addColumn<qint64>("timeoutMs");
    QTest::addColumn<QString>("expected");
    QTest::newRow("nothing") << QByteArray() << QByteArray() << QByteArray() << qint64(0)
                             << QStringLiteral("nothing to change");
    QTest::newRow("path in host")
            << QByteArray("mirror/x") << QByteArray() << QByteArray() << qint64(0)
            << QStringLiteral("\"mirror/x\" is not a host or host:port (it holds '/')");
    QTest::newRow("user in host")
            << QByteArray("me@mirror") << QByteArray() << QByteArray() << qint64(0)
            << QStringLiteral("\"me@mirror\" is not a host or host:port (it holds '@')");
    QTest::newRow("space in host")
            << QByteArray("mir ror") << QByteArray() << QByteArray() << qint64(0)
            << QStringLiteral("\"mir ror\" is not a host or host:port (it holds a space)");
    QTest::newRow("bad header name") << QByteArray() << QByteArray("X Key") << QByteArray("v")
                                     << qint64(0) << QStringLiteral("header X Key: ");
    QTest::newRow("line break in value")
            << QByteArray() << QByteArray("X-Key") << QByteArray("a\r\nEvil: 1") << qint64(0)
            << QStringLiteral("header X-Key: ");
    QTest::newRow("secret header")
            << QByteArray() << QByteArray("Authorization") << QByteArray("Bearer x") << qint64(0)
            << QStringLiteral("header Authorization carries credentials");
    QTest::newRow("timeout too long")
            << QByteArray() << QByteArray() << QByteArray() << qint64(4000000000)
            << QStringLiteral("the timeout (ms) must be from 1 to ");
}

void tst_SpecChange::refused()
{
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);
    QFETCH(qint64, timeoutMs);
    QFETCH(QString, expected);
    SpecChange c;
    c.host = host;
    if (!headerName.isEmpty())
        c.headers.append({headerName, headerValue});
    c.timeoutMs = quint32(qMin<qint64>(timeoutMs, std::numeric_limits<quint32>::max()));
    const Status ok = c.check();
    QVERIFY(!ok);
    QVERIFY2(ok.error().startsWith(expected), qPrintable(ok.error()));
}

void tst_SpecChange::parseHeader()
{
    const auto h = SpecChange::parseHeader(QStringLiteral("  X-Api-Version :  2 "));
    QVERIFY(h);
    QCOMPARE(h->first, QByteArray("X-Api-Version"));
    QCOMPARE(h->second, QByteArray("2"));
    QVERIFY(SpecChange::parseHeader(QStringLiteral("X-Empty:")));
    const auto noColon = SpecChange::parseHeader(QStringLiteral("X-Key"));
    QVERIFY(!noColon);
    QCOMPARE(noColon.error(), QStringLiteral("a header is written \"Name: value\", not \"X-Key\""));
    QVERIFY(!SpecChange::parseHeader(QStringLiteral(": value")));
    QVERIFY(!SpecChange::parseHeader(QStringLiteral("Content-Length: 3")));
}

void tst_SpecChange::changesAFetch()
{
    SpecChange c;
    c.host = "mirror.example:8080";
    c.headers = {{"x-key", "new"}, {"X-Added", "1"}};
    c.timeoutMs = 10000;
    c.maxAttempts = 5;
    QVERIFY(c.check());
    const auto before = fetchShape("https://origin.example/item/7?x=1&y=%20z", {{"X-Key", "old"}});
    const auto after = c.apply(anyTask, before);
    QVERIFY(after != before);
    QCOMPARE(after->fetch.url, QByteArray("https://mirror.example:8080/item/7?x=1&y=%20z"));
    const HeaderList expected{{"X-Key", "new"}, {"X-Added", "1"}};
    QCOMPARE(after->fetch.headers(), expected);
    QCOMPARE(after->timeoutMs, quint32(10000));
    QCOMPARE(after->maxAttempts, quint16(5));
    // The original is untouched: the batch's spec stays what it was.
    QCOMPARE(before->fetch.url, QByteArray("https://origin.example/item/7?x=1&y=%20z"));
    QCOMPARE(before->fetch.headers().constFirst().second, QByteArray("old"));

    // A port is replaced along with the host; an IPv6 literal is a host too.
    SpecChange v6;
    v6.host = "[::1]:9000";
    QVERIFY(v6.check());
    QCOMPARE(v6.withHost("http://127.0.0.1:1/a"), QByteArray("http://[::1]:9000/a"));

    // A fetch's own timeout would win over the task's: it changes too.
    auto own = std::make_shared<TaskShape>(*before);
    own->fetch.timeoutMs = 500;
    SpecChange t;
    t.timeoutMs = 7000;
    QCOMPARE(t.apply(anyTask, own)->fetch.timeoutMs, quint32(7000));
}

void tst_SpecChange::leavesOtherTasksTheirUrl()
{
    SpecChange c;
    c.host = "mirror";
    c.headers = {{"X-Key", "v"}};
    c.timeoutMs = 2000;
    // A file URL has no host to change, nor headers to send.
    const auto file = fetchShape("file:///tmp/x");
    const auto changed = c.apply(anyTask, file);
    QCOMPARE(changed->fetch.url, QByteArray("file:///tmp/x"));
    QVERIFY(changed->fetch.headers().isEmpty());
    QCOMPARE(changed->timeoutMs, quint32(2000));
    // A compute task gets the timeout only.
    auto compute = std::make_shared<TaskShape>();
    QCOMPARE(c.apply(anyTask, compute)->timeoutMs, quint32(2000));
    QCOMPARE(c.apply(anyTask, compute)->fetch.kind, FetchKind::None);
}

void tst_SpecChange::unchangedShapeIsShared()
{
    SpecChange c;
    c.host = "mirror";
    auto compute = std::make_shared<const TaskShape>();
    QCOMPARE(c.apply(anyTask, compute), compute);
    SpecChange same;
    same.timeoutMs = 3000;
    const auto shape = fetchShape("http://a/");
    QCOMPARE(same.apply(anyTask, shape), shape);
}

void tst_SpecChange::urlListTasksKeepTheirOwnUrls()
{
    // A URL list's tasks share one shape holding all their URLs: a new host or headers
    // depend on each task's URL, so each gets a shape of its own with its URL changed;
    // a change that does not touch the URL keeps the list shared.
    auto urls = std::make_shared<UrlList>(
            UrlList{"http://a.example/0", "https://b.example:8443/1?q=x", "file:///tmp/2"});
    auto list = std::make_shared<TaskShape>();
    list->fetch.kind = FetchKind::Url;
    list->fetch.urls = urls;
    const std::shared_ptr<const TaskShape> shared = list;
    TaskSpec tasks[3];
    for (quint32 i = 0; i < 3; ++i) {
        tasks[i].shape = shared;
        tasks[i].urlIndex = i;
    }
    QCOMPARE(tasks[1].url(), QByteArray("https://b.example:8443/1?q=x"));

    SpecChange mirror;
    mirror.host = "mirror:81";
    mirror.headers = {{"X-Key", "v"}};
    QVERIFY(mirror.changesEachTask(*shared));
    const QByteArray expected[3]
            = {"http://mirror:81/0", "https://mirror:81/1?q=x", "file:///tmp/2"};
    for (int i = 0; i < 3; ++i) {
        const auto after = mirror.apply(tasks[i], shared);
        QVERIFY(!after->fetch.urls);
        QCOMPARE(urlOf(tasks[i], *after), expected[i]);
        QCOMPARE(after->fetch.headers().isEmpty(), i == 2); // no headers for a file
        QCOMPARE(SpecChange::fieldsOf(tasks[i], *after).value(QStringLiteral("url")).toString(),
                 QString::fromUtf8(expected[i]));
    }
    // The batch's own list is untouched.
    QCOMPARE(tasks[0].url(), QByteArray("http://a.example/0"));

    SpecChange longer;
    longer.timeoutMs = 9000;
    QVERIFY(!longer.changesEachTask(*shared));
    const auto after = longer.apply(tasks[0], shared);
    QCOMPARE(after->fetch.urls, shared->fetch.urls);
    QCOMPARE(after->timeoutMs, quint32(9000));
    QCOMPARE(urlOf(tasks[2], *after), QByteArray("file:///tmp/2"));
    QCOMPARE(SpecChange::fieldsOf(tasks[1], *shared).value(QStringLiteral("url")).toString(),
             QStringLiteral("https://b.example:8443/1?q=x"));
}

void tst_SpecChange::keptAsJson()
{
    SpecChange c;
    c.host = "mirror:81";
    c.headers = {{"X-A", "1"}, {"X-B", "two words"}};
    c.timeoutMs = 1234;
    c.maxAttempts = 4;
    const Result<SpecChange> back = SpecChange::fromJson(c.toJson());
    QVERIFY(back);
    QCOMPARE(back->host, c.host);
    QCOMPARE(back->headers, c.headers);
    QCOMPARE(back->timeoutMs, c.timeoutMs);
    QCOMPARE(back->maxAttempts, c.maxAttempts);
    QCOMPARE(c.describe(), QStringLiteral("host mirror:81, header X-A: 1, header X-B: two words, "
                                          "timeout 1234 ms, 4 attempts"));
    // A journal's change that is no longer valid is refused, not applied.
    QVERIFY(!SpecChange::fromJson(R"({"host":"a/b"})"));
    QVERIFY(!SpecChange::fromJson("[1]"));

    const QJsonObject fields
            = SpecChange::fieldsOf(anyTask, *c.apply(anyTask, fetchShape("http://a:1/p")));
    QCOMPARE(fields.value(QStringLiteral("url")).toString(), QStringLiteral("http://mirror:81/p"));
    QCOMPARE(fields.value(QStringLiteral("timeout_ms")).toInt(), 1234);
    QCOMPARE(fields.value(QStringLiteral("attempts")).toInt(), 4);
}

QTEST_GUILESS_MAIN(tst_SpecChange)
#include "tst_specchange.moc"
