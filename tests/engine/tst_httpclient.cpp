#include "TestHttpServer.h"
#include "net/HttpClient.h"
#include "net/HttpResponseParser.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QTimeZone>
#if QT_CONFIG(ssl)
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#endif

#include <memory>
#include <optional>
#include <sys/resource.h>

namespace Brigade {
// Readable ErrorKind values in QCOMPARE failures.
char *toString(ErrorKind kind)
{
    static const char *const names[]
            = {"None",     "Network", "Timeout",    "HttpStatus", "TooLarge",
               "BadInput", "Compute", "WorkerLost", "Cancelled"};
    const auto i = size_t(kind);
    return qstrdup(i < std::size(names) ? names[i] : "?");
}
} // namespace Brigade

using namespace Brigade;
using Brigade::Test::TestHttpServer;

namespace {

// Emits done() from a callback so a test can QSignalSpy::wait for it.
class Waiter : public QObject
{
    Q_OBJECT
signals:
    void done();
};

// A request's callback record: how often it ran and what it got.
struct Outcome
{
    int calls = 0;
    HttpResponse response;
};

HttpClient::Callback record(const std::shared_ptr<Outcome> &outcome)
{
    return [outcome](HttpResponse &&r) {
        ++outcome->calls;
        outcome->response = std::move(r);
    };
}

HttpRequest requestFor(const QByteArray &url, qint64 maxBytes = 64 * 1024 * 1024)
{
    HttpRequest request;
    request.url = url;
    request.maxBytes = maxBytes;
    return request;
}

// A self-signed certificate for 127.0.0.1 and localhost, valid 2000-2120.
const char certificatePem[] = R"(-----BEGIN CERTIFICATE-----
MIIBYTCCAQegAwIBAgIURXWmY2vfpgR7aBMwHsKV5GRU51owCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMQnJpZ2FkZSB0ZXN0MCAXDTAwMDEwMTAwMDAwMFoYDzIxMjAw
MTAxMDAwMDAwWjAXMRUwEwYDVQQDDAxCcmlnYWRlIHRlc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAR/ZHITeFquYSyc0KTNw8W5291GpLXvVUZY2ollYJd24Laj
C8KAKrFSpyT2Eu/Y61oYVM+30a5Hv+bz5vFeqK9uoy8wLTAaBgNVHREEEzARhwR/
AAABgglsb2NhbGhvc3QwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBF
AiBUkNas/vWctZ+eLQAjSDGFXFHVPhWq/FYoIc9RAAviEQIhAO5be9CeQj0kUHTa
iH0YQyl65Ru2ltoF9F6n3OxRC430
-----END CERTIFICATE-----
)";
const char privateKeyPem[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgsz4e6D8M1YN7uSwX
AvTmZkNfmM8X1g8L0isfhieq4DyhRANCAAR/ZHITeFquYSyc0KTNw8W5291GpLXv
VUZY2ollYJd24LajC8KAKrFSpyT2Eu/Y61oYVM+30a5Hv+bz5vFeqK9u
-----END PRIVATE KEY-----
)";

} // namespace

class TestHttpClient : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void getBody();
    void requestHead();
    void callerUserAgentReplacesDefault();
    void httpStatus_data();
    void httpStatus();
    void retryAfter_data();
    void retryAfter();
    void chunkedBody_data();
    void chunkedBody();
    void bodyUntilClose();
    void keepAliveReuse();
    void idleConnectionClosedByServer();
    void staleConnectionRetried();
    void staleRetryOnlyOnce();
    void manyConcurrentRequests();
    void keepAliveThroughput();
    void maxConnectionsPerHost();
    void tooLargeByContentLength();
    void tooLargeChunked();
    void tooLargeUntilClose();
    void bodyOfExactlyMaxBytes();
    void truncatedBody();
    void connectionReset();
    void redirects();
    void redirectLimit();
    void redirectLoop();
    void abortPending();
    void abortMidBody();
    void abortQueued();
    void abortFromCallback();
    void abortFinishedHandle();
    void deleteClientInCallback();
    void connectionRefused();
    void badInput_data();
    void badInput();
    void serverEndpoints();
    void tlsVerification();
    void parserByteByByte();
    void parserErrors_data();
    void parserErrors();
    void parserConnectionHeaders();
    void retryAfterDates();

private:
    std::optional<HttpResponse> fetch(const HttpRequest &request, int timeoutMs = 10000);
    std::optional<HttpResponse> fetch(const QByteArray &pathAndQuery)
    {
        return fetch(requestFor(m_server->url(pathAndQuery)));
    }

    std::unique_ptr<TestHttpServer> m_server;
    std::unique_ptr<HttpClient> m_client;
};

void TestHttpClient::initTestCase()
{
    // Thousands of sockets on both ends of the loopback.
    rlimit limit{};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = limit.rlim_max;
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &limit), 0);
}

void TestHttpClient::init()
{
    m_server = std::make_unique<TestHttpServer>();
    QVERIFY(m_server->listen());
    m_client = std::make_unique<HttpClient>();
}

void TestHttpClient::cleanup()
{
    m_client.reset();
    m_server.reset();
}

// Runs one request to its end; empty when it took longer than timeoutMs.
std::optional<HttpResponse> TestHttpClient::fetch(const HttpRequest &request, int timeoutMs)
{
    Waiter waiter;
    QSignalSpy spy(&waiter, &Waiter::done);
    HttpResponse response;
    const quint64 handle = m_client->get(request, [&](HttpResponse &&r) {
        response = std::move(r);
        emit waiter.done();
    });
    // A callback from inside get() would be counted before wait() and fail here.
    if (!spy.wait(timeoutMs)) {
        m_client->abort(handle);
        return std::nullopt;
    }
    return response;
}

void TestHttpClient::getBody()
{
    const auto r = fetch("/delay?ms=0&bytes=1000&seed=3");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, TestHttpServer::body(1000, 3));
    QVERIFY(r->message.isEmpty());
    QCOMPARE(r->retryAfterMs, 0u);
    QCOMPARE(m_client->activeRequests(), 0);

    const auto empty = fetch("/delay?ms=0&bytes=0");
    QVERIFY(empty);
    QCOMPARE(empty->error, ErrorKind::None);
    QCOMPARE(empty->body, QByteArray());
}

void TestHttpClient::requestHead()
{
    HttpRequest request = requestFor(m_server->url("/echo?a=1&b=%20x#fragment"));
    request.headers = {{"X-Test", "yes"}, {"Accept", "text/plain"}};
    const auto r = fetch(request);
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    const QByteArray head = r->body;
    QVERIFY2(head.startsWith("GET /echo?a=1&b=%20x HTTP/1.1\r\n"), head.constData());
    QVERIFY(head.contains("\r\nHost: 127.0.0.1:" + QByteArray::number(m_server->port()) + "\r\n"));
    QVERIFY(head.contains("\r\nUser-Agent: Brigade/0.1\r\n"));
    QVERIFY(head.contains("\r\nAccept-Encoding: identity\r\n"));
    QVERIFY(head.contains("\r\nConnection: keep-alive\r\n"));
    QVERIFY(head.contains("\r\nX-Test: yes\r\n"));
    QVERIFY(head.contains("\r\nAccept: text/plain\r\n"));
    QVERIFY(head.endsWith("\r\n\r\n"));

    // No path: the target is "/".
    const auto root = fetch(requestFor(m_server->baseUrl()));
    QVERIFY(root);
    QCOMPARE(root->status, 404);
    QCOMPARE(m_server->hits("/"), 1);
}

void TestHttpClient::callerUserAgentReplacesDefault()
{
    HttpRequest request = requestFor(m_server->url("/echo"));
    request.headers = {{"user-agent", "custom/1"}};
    const auto r = fetch(request);
    QVERIFY(r);
    QVERIFY(r->body.contains("\r\nuser-agent: custom/1\r\n"));
    QVERIFY(!r->body.contains("Brigade/0.1"));
}

void TestHttpClient::httpStatus_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("ok");
    QTest::newRow("201") << 201 << true;
    QTest::newRow("204") << 204 << true;
    QTest::newRow("404") << 404 << false;
    QTest::newRow("418") << 418 << false;
    QTest::newRow("500") << 500 << false;
    QTest::newRow("503") << 503 << false;
}

void TestHttpClient::httpStatus()
{
    QFETCH(int, code);
    QFETCH(bool, ok);
    const auto r = fetch("/status?code=" + QByteArray::number(code));
    QVERIFY(r);
    QCOMPARE(r->status, code);
    QCOMPARE(r->error, ok ? ErrorKind::None : ErrorKind::HttpStatus);
    QCOMPARE(r->message, ok ? QString() : QStringLiteral("HTTP %1").arg(code));
    // The body of an error is read too.
    QCOMPARE(r->body, code == 204 ? QByteArray() : "status " + QByteArray::number(code));
    QCOMPARE(r->retryAfterMs, 0u);
}

void TestHttpClient::retryAfter_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<quint32>("minMs");
    QTest::addColumn<quint32>("maxMs");
    QTest::newRow("503 seconds") << QByteArray("code=503&retry_after=7") << 7000u << 7000u;
    QTest::newRow("429 seconds") << QByteArray("code=429&retry_after=120") << 120000u << 120000u;
    QTest::newRow("429 zero") << QByteArray("code=429&retry_after=0") << 0u << 0u;
    QTest::newRow("503 date") << QByteArray("code=503&retry_after_date=30") << 25000u << 31000u;
    QTest::newRow("503 past date") << QByteArray("code=503&retry_after_date=-60") << 0u << 0u;
    QTest::newRow("503 garbage") << QByteArray("code=503&retry_after=soon") << 0u << 0u;
    QTest::newRow("500 ignored") << QByteArray("code=500&retry_after=7") << 0u << 0u;
}

void TestHttpClient::retryAfter()
{
    QFETCH(QByteArray, query);
    QFETCH(quint32, minMs);
    QFETCH(quint32, maxMs);
    const auto r = fetch("/status?" + query);
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::HttpStatus);
    QVERIFY2(r->retryAfterMs >= minMs && r->retryAfterMs <= maxMs,
             QByteArray::number(r->retryAfterMs).constData());
}

void TestHttpClient::chunkedBody_data()
{
    QTest::addColumn<int>("bytes");
    QTest::addColumn<int>("chunk");
    QTest::newRow("empty") << 0 << 1000;
    QTest::newRow("one byte") << 1 << 1000;
    QTest::newRow("tiny chunks") << 5000 << 1;
    QTest::newRow("large") << 300000 << 777;
    QTest::newRow("one chunk") << 200000 << 200000;
}

void TestHttpClient::chunkedBody()
{
    QFETCH(int, bytes);
    QFETCH(int, chunk);
    const auto r = fetch("/chunked?seed=5&bytes=" + QByteArray::number(bytes)
                         + "&chunk=" + QByteArray::number(chunk));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(r->body.size(), bytes);
    QCOMPARE(r->body, TestHttpServer::body(bytes, 5));
    // A chunked response keeps the connection.
    QCOMPARE(m_client->idleConnections(), 1);
}

void TestHttpClient::bodyUntilClose()
{
    const auto r = fetch("/close?bytes=150000&seed=9");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(r->body, TestHttpServer::body(150000, 9));
    QCOMPARE(m_client->idleConnections(), 0);
}

void TestHttpClient::keepAliveReuse()
{
    for (int i = 0; i < 20; ++i) {
        const auto r = fetch("/delay?ms=0&bytes=100&seed=" + QByteArray::number(i));
        QVERIFY(r);
        QCOMPARE(r->error, ErrorKind::None);
        QCOMPARE(r->body, TestHttpServer::body(100, i));
    }
    QCOMPARE(m_server->requestCount(), 20);
    QCOMPARE(m_server->connectionCount(), 1);
    QCOMPARE(m_client->idleConnections(), 1);

    // Large Content-Length bodies and error statuses keep the connection too.
    QVERIFY(fetch("/big?bytes=1000000"));
    QVERIFY(fetch("/status?code=404"));
    QVERIFY(fetch("/redirect?n=2"));
    QCOMPARE(m_server->connectionCount(), 1);
}

void TestHttpClient::idleConnectionClosedByServer()
{
    QVERIFY(fetch("/delay?ms=0"));
    QCOMPARE(m_client->idleConnections(), 1);
    m_server->closeIdleConnections();
    QTRY_COMPARE(m_client->idleConnections(), 0);
    const auto r = fetch("/delay?ms=0&bytes=10");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(m_server->connectionCount(), 2);
}

void TestHttpClient::staleConnectionRetried()
{
    // The server drops the kept-alive connection when the second request arrives on it:
    // the client retries once on a fresh connection, unseen by the caller.
    m_server->setDropReusedConnections(true);
    QVERIFY(fetch("/delay?ms=0"));
    const auto r = fetch("/delay?ms=0&bytes=50&seed=1");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(r->body, TestHttpServer::body(50, 1));
    QCOMPARE(m_server->connectionCount(), 2);
    QCOMPARE(m_server->hits("/delay?ms=0&bytes=50&seed=1"), 2);
}

void TestHttpClient::staleRetryOnlyOnce()
{
    QVERIFY(fetch("/delay?ms=0"));
    const auto r = fetch("/reset");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::Network);
    QCOMPARE(r->status, 0);
    QCOMPARE(m_server->hits("/reset"), 2); // the reused connection, then one fresh one
}

void TestHttpClient::manyConcurrentRequests()
{
    // Thousands in flight to one host: no six-connection cap as in QNetworkAccessManager.
    constexpr int count = 2000;
    std::vector<std::shared_ptr<Outcome>> outcomes;
    outcomes.reserve(count);
    int done = 0;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < count; ++i) {
        auto outcome = std::make_shared<Outcome>();
        outcomes.push_back(outcome);
        m_client->get(
                requestFor(m_server->url("/delay?ms=200&bytes=64&seed=" + QByteArray::number(i))),
                [outcome, &done](HttpResponse &&r) {
                    ++outcome->calls;
                    outcome->response = std::move(r);
                    ++done;
                });
    }
    QCOMPARE(m_client->activeRequests(), count);
    QTRY_COMPARE_WITH_TIMEOUT(done, count, 60000);
    const qint64 elapsed = timer.elapsed();
    qInfo("%d concurrent requests of 200 ms: %lld ms, server peak in flight %d, %d connections",
          count, elapsed, m_server->peakInFlight(), m_server->connectionCount());
    for (int i = 0; i < count; ++i) {
        const Outcome &o = *outcomes[size_t(i)];
        QCOMPARE(o.calls, 1);
        QCOMPARE(o.response.error, ErrorKind::None);
        QCOMPARE(o.response.body, TestHttpServer::body(64, i));
    }
    QVERIFY2(m_server->peakInFlight() > 1500, QByteArray::number(m_server->peakInFlight()));
    QVERIFY2(elapsed < 10000, QByteArray::number(elapsed));
    QCOMPARE(m_client->activeRequests(), 0);
    QCOMPARE(m_client->idleConnections(), m_server->connectionCount());
}

void TestHttpClient::keepAliveThroughput()
{
    constexpr int total = 20000;
    constexpr int window = 100;
    int started = 0;
    int done = 0;
    int failed = 0;
    const QByteArray url = m_server->url("/delay?ms=0&bytes=32&seed=2");
    const QByteArray expected = TestHttpServer::body(32, 2);
    std::function<void()> startOne = [&] {
        ++started;
        m_client->get(requestFor(url), [&](HttpResponse &&r) {
            ++done;
            if (r.error != ErrorKind::None || r.body != expected)
                ++failed;
            if (started < total)
                startOne();
        });
    };
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < window; ++i)
        startOne();
    QTRY_COMPARE_WITH_TIMEOUT(done, total, 120000);
    const qint64 elapsed = qMax<qint64>(1, timer.elapsed());
    qInfo("%d keep-alive requests, %d in flight: %lld ms, %.0f requests/s over %d connections",
          total, window, elapsed, total * 1000.0 / elapsed, m_server->connectionCount());
    QCOMPARE(failed, 0);
    QVERIFY(m_server->connectionCount() <= window);
}

void TestHttpClient::maxConnectionsPerHost()
{
    m_client->setMaxConnectionsPerHost(4);
    auto outcomes = std::vector<std::shared_ptr<Outcome>>();
    for (int i = 0; i < 40; ++i) {
        outcomes.push_back(std::make_shared<Outcome>());
        m_client->get(
                requestFor(m_server->url("/delay?ms=20&bytes=10&seed=" + QByteArray::number(i))),
                record(outcomes.back()));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_client->activeRequests(), 0, 20000);
    for (int i = 0; i < 40; ++i) {
        QCOMPARE(outcomes[size_t(i)]->calls, 1);
        QCOMPARE(outcomes[size_t(i)]->response.error, ErrorKind::None);
        QCOMPARE(outcomes[size_t(i)]->response.body, TestHttpServer::body(10, i));
    }
    QVERIFY(m_server->peakInFlight() <= 4);
    QVERIFY(m_server->connectionCount() <= 4);

    // Lifting the cap lets waiting requests out at once.
    m_client->setMaxConnectionsPerHost(1);
    auto first = std::make_shared<Outcome>();
    auto second = std::make_shared<Outcome>();
    m_client->get(requestFor(m_server->url("/hang")), record(first));
    m_client->get(requestFor(m_server->url("/delay?ms=0")), record(second));
    m_client->setMaxConnectionsPerHost(0);
    QTRY_COMPARE(second->calls, 1);
    QCOMPARE(first->calls, 0);
}

void TestHttpClient::tooLargeByContentLength()
{
    // The declared length is enough to fail: the 10-byte-per-10-s body is never awaited.
    const auto r = fetch(
            requestFor(m_server->url("/slow?bytes=1000000&chunk=10&interval_ms=10000"), 1000),
            5000);
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::TooLarge);
    QCOMPARE(r->status, 200);
    QVERIFY(r->body.isEmpty());
    QVERIFY(!r->message.isEmpty());
    QCOMPARE(m_client->idleConnections(), 0);

    const auto big = fetch(requestFor(m_server->url("/big?bytes=1001"), 1000));
    QVERIFY(big);
    QCOMPARE(big->error, ErrorKind::TooLarge);
}

void TestHttpClient::tooLargeChunked()
{
    const auto r = fetch(requestFor(m_server->url("/chunked?bytes=200000&chunk=300"), 1000));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::TooLarge);
    QVERIFY(r->body.isEmpty());
}

void TestHttpClient::tooLargeUntilClose()
{
    const auto r = fetch(requestFor(m_server->url("/close?bytes=200000"), 1000));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::TooLarge);
}

void TestHttpClient::bodyOfExactlyMaxBytes()
{
    for (const QByteArray path :
         {"/big?bytes=1000", "/chunked?bytes=1000&chunk=300", "/close?bytes=1000"}) {
        const auto r = fetch(requestFor(m_server->url(path), 1000));
        QVERIFY(r);
        QCOMPARE(r->error, ErrorKind::None);
        QCOMPARE(r->body.size(), 1000);
    }
}

void TestHttpClient::truncatedBody()
{
    const auto r = fetch("/truncate?bytes=1000");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::Network);
    QCOMPARE(r->message, QStringLiteral("truncated body: got 500 of 1000 bytes"));
    QCOMPARE(m_client->idleConnections(), 0);
}

void TestHttpClient::connectionReset()
{
    const auto r = fetch("/reset");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::Network);
    QCOMPARE(r->status, 0);
    QVERIFY(!r->message.isEmpty());
    QCOMPARE(m_server->hits("/reset"), 1); // a fresh connection is not retried
}

void TestHttpClient::redirects()
{
    const auto r = fetch("/redirect?n=3");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArray("done"));
    QCOMPARE(m_server->requestCount(), 4);
    QCOMPARE(m_server->connectionCount(), 1); // redirect bodies are drained, not dropped

    const auto absolute = fetch("/redirect?n=2&abs=1");
    QVERIFY(absolute);
    QCOMPARE(absolute->error, ErrorKind::None);
    QCOMPARE(absolute->body, QByteArray("done"));
    QCOMPARE(m_server->hits("/redirect?n=0&abs=1"), 1);
}

void TestHttpClient::redirectLimit()
{
    HttpRequest request = requestFor(m_server->url("/redirect?n=3"));
    request.maxRedirects = 2;
    const auto r = fetch(request);
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::Network);
    QVERIFY2(r->message.startsWith(QStringLiteral("too many redirects")), qPrintable(r->message));

    request.maxRedirects = 3;
    const auto ok = fetch(request);
    QVERIFY(ok);
    QCOMPARE(ok->error, ErrorKind::None);
}

void TestHttpClient::redirectLoop()
{
    const auto r = fetch("/redirect-loop");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::Network);
    QVERIFY2(r->message.startsWith(QStringLiteral("too many redirects")), qPrintable(r->message));
    QCOMPARE(m_server->hits("/redirect-loop"), 6); // the request and its 5 redirects
}

void TestHttpClient::abortPending()
{
    auto hung = std::make_shared<Outcome>();
    const quint64 handle = m_client->get(requestFor(m_server->url("/hang")), record(hung));
    QTRY_COMPARE(m_server->inFlight(), 1);
    m_client->abort(handle);
    QCOMPARE(m_client->activeRequests(), 0);
    // The connection is closed, not kept with a response still owed on it.
    QTRY_COMPARE(m_server->openConnections(), 0);
    const auto later = fetch("/delay?ms=0");
    QVERIFY(later);
    QCOMPARE(later->error, ErrorKind::None);
    QCOMPARE(hung->calls, 0);

    // Aborted before the connection is even up.
    auto early = std::make_shared<Outcome>();
    m_client->abort(m_client->get(requestFor(m_server->url("/delay?ms=0")), record(early)));
    QVERIFY(fetch("/delay?ms=0"));
    QCOMPARE(early->calls, 0);
}

void TestHttpClient::abortMidBody()
{
    auto slow = std::make_shared<Outcome>();
    const quint64 handle = m_client->get(
            requestFor(m_server->url("/slow?bytes=100000&chunk=100&interval_ms=5")), record(slow));
    QTRY_COMPARE(m_server->requestCount(), 1);
    QVERIFY(fetch("/delay?ms=20")); // some body arrives meanwhile
    m_client->abort(handle);
    QTRY_COMPARE(m_server->openConnections(), 1);
    QVERIFY(fetch("/delay?ms=0"));
    QCOMPARE(slow->calls, 0);
    QCOMPARE(m_client->activeRequests(), 0);
}

void TestHttpClient::abortQueued()
{
    m_client->setMaxConnectionsPerHost(1);
    auto first = std::make_shared<Outcome>();
    auto queued = std::make_shared<Outcome>();
    auto last = std::make_shared<Outcome>();
    m_client->get(requestFor(m_server->url("/delay?ms=50")), record(first));
    const quint64 handle = m_client->get(requestFor(m_server->url("/delay?ms=0")), record(queued));
    m_client->get(requestFor(m_server->url("/delay?ms=0&bytes=5")), record(last));
    m_client->abort(handle);
    QTRY_COMPARE(last->calls, 1);
    QCOMPARE(first->calls, 1);
    QCOMPARE(queued->calls, 0);
    QCOMPARE(last->response.error, ErrorKind::None);
    QCOMPARE(m_server->requestCount(), 2);
}

void TestHttpClient::abortFromCallback()
{
    auto hung = std::make_shared<Outcome>();
    const quint64 hangHandle = m_client->get(requestFor(m_server->url("/hang")), record(hung));
    quint64 selfHandle = 0;
    int calls = 0;
    selfHandle = m_client->get(requestFor(m_server->url("/delay?ms=10")), [&](HttpResponse &&) {
        ++calls;
        m_client->abort(selfHandle); // already finished: nothing happens
        m_client->abort(hangHandle);
    });
    QTRY_COMPARE(calls, 1);
    QTRY_COMPARE(m_server->openConnections(), 1);
    QVERIFY(fetch("/delay?ms=0"));
    QCOMPARE(hung->calls, 0);
    QCOMPARE(calls, 1);
}

void TestHttpClient::abortFinishedHandle()
{
    Waiter waiter;
    QSignalSpy spy(&waiter, &Waiter::done);
    const quint64 handle = m_client->get(requestFor(m_server->url("/delay?ms=0")),
                                         [&](HttpResponse &&) { emit waiter.done(); });
    QVERIFY(spy.wait());
    m_client->abort(handle);
    m_client->abort(handle + 1000);
    QCOMPARE(m_client->idleConnections(), 1);
    QVERIFY(fetch("/delay?ms=0"));
}

void TestHttpClient::deleteClientInCallback()
{
    auto *client = new HttpClient;
    auto hung = std::make_shared<Outcome>();
    auto slow = std::make_shared<Outcome>();
    int calls = 0;
    client->get(requestFor(m_server->url("/hang")), record(hung));
    client->get(requestFor(m_server->url("/delay?ms=100")), record(slow));
    client->get(requestFor(m_server->url("/delay?ms=0")), [&](HttpResponse &&) {
        ++calls;
        delete client;
    });
    // And a client deleted from a deferred (immediate) failure.
    auto *other = new HttpClient;
    other->get(requestFor("nope://x"), [&](HttpResponse &&) {
        ++calls;
        delete other;
    });
    QTRY_COMPARE(calls, 2);
    QTRY_COMPARE(m_server->openConnections(), 0);
    QVERIFY(fetch("/delay?ms=150"));
    QCOMPARE(hung->calls, 0);
    QCOMPARE(slow->calls, 0);
}

void TestHttpClient::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const auto r
            = fetch(requestFor("http://127.0.0.1:" + QByteArray::number(port) + "/delay?ms=0"));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::Network);
    QCOMPARE(r->status, 0);
    QVERIFY2(r->message.contains(QStringLiteral("refused"), Qt::CaseInsensitive),
             qPrintable(r->message));
    QCOMPARE(m_client->activeRequests(), 0);
}

void TestHttpClient::badInput_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::newRow("ftp") << QByteArray("ftp://127.0.0.1/file");
    QTest::newRow("no scheme") << QByteArray("127.0.0.1/x");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("no host") << QByteArray("http:///path");
    QTest::newRow("bad port") << QByteArray("http://127.0.0.1:99999/");
    QTest::newRow("port letters") << QByteArray("http://127.0.0.1:8x/");
    QTest::newRow("space") << QByteArray("http://127.0.0.1/a b");
    QTest::newRow("newline") << QByteArray("http://127.0.0.1/a\r\nX: y");
    QTest::newRow("user info") << QByteArray("http://user:pw@127.0.0.1/");
}

void TestHttpClient::badInput()
{
    QFETCH(QByteArray, url);
    auto outcome = std::make_shared<Outcome>();
    m_client->get(requestFor(url), record(outcome));
    QCOMPARE(outcome->calls, 0); // never from inside get()
    QTRY_COMPARE(outcome->calls, 1);
    QCOMPARE(outcome->response.error, ErrorKind::BadInput);
    QVERIFY(!outcome->response.message.isEmpty());
    QCOMPARE(m_server->connectionCount(), 0);

    HttpRequest badHeader = requestFor(m_server->url("/delay?ms=0"));
    badHeader.headers = {{"X-Evil", "a\r\nInjected: 1"}};
    const auto r = fetch(badHeader);
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::BadInput);
}

void TestHttpClient::serverEndpoints()
{
    // The endpoints other tests rely on.
    for (int i = 0; i < 2; ++i) {
        const auto r = fetch("/flaky?key=k&fails=2");
        QVERIFY(r);
        QCOMPARE(r->status, 503);
    }
    auto ok = fetch("/flaky?key=k&fails=2");
    QVERIFY(ok);
    QCOMPARE(ok->status, 200);
    QCOMPARE(ok->body, QByteArray("ok k"));
    QCOMPARE(m_server->hits("/flaky?key=k&fails=2"), 3);

    m_server->setFailing(true);
    QCOMPARE(fetch("/maybe?key=m")->status, 500);
    m_server->setFailing(false);
    ok = fetch("/maybe?key=m");
    QCOMPARE(ok->status, 200);
    QCOMPARE(ok->body, QByteArray("ok m"));

    const auto slow = fetch("/slow?bytes=1000&chunk=300&interval_ms=1");
    QVERIFY(slow);
    QCOMPARE(slow->error, ErrorKind::None);
    QCOMPARE(slow->body, TestHttpServer::body(1000, 0));

    const auto status = fetch("/delay?ms=0&status=500&bytes=3");
    QCOMPARE(status->status, 500);
    QCOMPARE(status->body.size(), 3);
    QCOMPARE(m_server->inFlight(), 0);
}

void TestHttpClient::tlsVerification()
{
#if QT_CONFIG(ssl)
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend");
    const QSslCertificate certificate(QByteArray(certificatePem), QSsl::Pem);
    const QSslKey key(QByteArray(privateKeyPem), QSsl::Ec, QSsl::Pem);
    QVERIFY(!certificate.isNull());
    QVERIFY(!key.isNull());

    QSslServer server;
    QSslConfiguration serverConfig = QSslConfiguration::defaultConfiguration();
    serverConfig.setLocalCertificate(certificate);
    serverConfig.setPrivateKey(key);
    server.setSslConfiguration(serverConfig);
    connect(&server, &QTcpServer::pendingConnectionAvailable, &server, [&server] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            connect(socket, &QIODevice::readyRead, socket, [socket] {
                if (socket->readAll().contains("\r\n\r\n"))
                    socket->write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure");
            });
        }
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const QByteArray url = "https://127.0.0.1:" + QByteArray::number(server.serverPort()) + "/";

    // Verification is on: a self-signed certificate is refused.
    const auto refused = fetch(requestFor(url));
    QVERIFY(refused);
    QCOMPARE(refused->error, ErrorKind::Network);
    QVERIFY2(refused->message.startsWith(QStringLiteral("TLS handshake with 127.0.0.1")),
             qPrintable(refused->message));

    // Trusted, it works, and the connection is kept.
    const QSslConfiguration original = QSslConfiguration::defaultConfiguration();
    QSslConfiguration trusting = original;
    trusting.addCaCertificate(certificate);
    QSslConfiguration::setDefaultConfiguration(trusting);
    const auto ok = fetch(requestFor(url));
    const auto again = fetch(requestFor(url));
    QSslConfiguration::setDefaultConfiguration(original);
    QVERIFY(ok);
    QCOMPARE(ok->error, ErrorKind::None);
    QCOMPARE(ok->body, QByteArray("secure"));
    QVERIFY(again);
    QCOMPARE(again->body, QByteArray("secure"));
    QCOMPARE(m_client->idleConnections(), 1);
#else
    QSKIP("Qt without TLS");
#endif
}

void TestHttpClient::parserByteByByte()
{
    // An interim 100, long headers, chunk extensions and trailers, one byte per read.
    const QByteArray response
            = "HTTP/1.1 100 Continue\r\n\r\n"
              "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\nX-Long: "
              + QByteArray(5000, 'a')
              + "\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n";
    HttpResponseParser parser;
    parser.reset(11);
    for (qsizetype i = 0; i < response.size(); ++i) {
        QVERIFY(!parser.isDone());
        QCOMPARE(parser.feed(response.constData() + i, 1), 1);
    }
    QVERIFY(parser.isDone());
    QCOMPARE(parser.status(), 200);
    QVERIFY(parser.keepAlive());
    QCOMPARE(parser.takeBody(), QByteArray("hello world"));

    // The parser is reused for the next response on the connection.
    const QByteArray second = "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabcEXTRA";
    parser.reset(100);
    QCOMPARE(parser.feed(second.constData(), second.size()), second.size() - 5);
    QVERIFY(parser.isDone());
    QCOMPARE(parser.status(), 404);
    QCOMPARE(parser.takeBody(), QByteArray("abc"));
}

void TestHttpClient::parserErrors_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<bool>("eof");
    QTest::addColumn<QString>("message");
    QTest::newRow("status line") << QByteArray("HTP/1.1 200 OK\r\n\r\n") << false
                                 << "malformed HTTP status line";
    QTest::newRow("chunk size") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
                                              "\r\n\r\nzz\r\n")
                                << false << "truncated body: bad chunk size";
    QTest::newRow("chunk end") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
                                             "\r\n\r\n2\r\nabc\r\n")
                               << false << "truncated body: bad chunk";
    QTest::newRow("chunked eof") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
                                               "\r\n\r\n5\r\nab")
                                 << true << "truncated body: got 2 bytes of a chunked body";
    QTest::newRow("length eof") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
                                << true << "truncated body: got 3 of 10 bytes";
    QTest::newRow("two lengths") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
                                               "Content-Length: 2\r\n\r\n")
                                 << false << "bad Content-Length";
    QTest::newRow("headers eof") << QByteArray("HTTP/1.1 200 OK\r\nServer: x") << true
                                 << "connection closed inside the response headers";
    QTest::newRow("nothing") << QByteArray() << true << "connection closed before a response";
    QTest::newRow("huge headers") << "HTTP/1.1 200 OK\r\nX: " + QByteArray(70000, 'a') << false
                                  << "response headers too large";
}

void TestHttpClient::parserErrors()
{
    QFETCH(QByteArray, response);
    QFETCH(bool, eof);
    QFETCH(QString, message);
    HttpResponseParser parser;
    parser.reset(1000);
    parser.feed(response.constData(), response.size());
    if (eof)
        parser.finishAtEof();
    QVERIFY(parser.hasFailed());
    QCOMPARE(parser.error(), ErrorKind::Network);
    QCOMPARE(parser.errorMessage(), message);
    QVERIFY(!parser.keepAlive());
}

void TestHttpClient::parserConnectionHeaders()
{
    struct Case
    {
        QByteArray head;
        bool keepAlive;
    };
    const Case cases[] = {
            {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true},
            {"HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n", false},
            {"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false},
            {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true},
            {"HTTP/1.1 204 No Content\r\n\r\n", true},
    };
    for (const Case &c : cases) {
        HttpResponseParser parser;
        parser.reset(10);
        parser.feed(c.head.constData(), c.head.size());
        QVERIFY2(parser.isDone(), c.head.constData());
        QCOMPARE(parser.keepAlive(), c.keepAlive);
    }
}

void TestHttpClient::retryAfterDates()
{
    const QDateTime now(QDate(1994, 11, 6), QTime(8, 49, 7), QTimeZone::utc());
    QCOMPARE(HttpResponseParser::parseRetryAfterMs("Sun, 06 Nov 1994 08:49:37 GMT", now), 30000u);
    QCOMPARE(HttpResponseParser::parseRetryAfterMs("Sunday, 06-Nov-94 08:49:37 GMT", now), 30000u);
    QCOMPARE(HttpResponseParser::parseRetryAfterMs("Sun Nov  6 08:49:37 1994", now), 30000u);
    QCOMPARE(HttpResponseParser::parseRetryAfterMs(" 12 ", now), 12000u);
    QCOMPARE(HttpResponseParser::parseRetryAfterMs("99999999999", now), 0xffffffffu);
    QCOMPARE(HttpResponseParser::parseRetryAfterMs("Sun, 06 Nov 1994 08:00:00 GMT", now), 0u);
    QCOMPARE(HttpResponseParser::parseRetryAfterMs("-5", now), 0u);
}

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
