#include "TestCertificates.h"
#include "TestFiles.h"
#include "TestHttpServer.h"
#include "core/RetryPolicy.h"
#include "net/FetchErrors.h"
#include "net/HttpClient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <curl/curl.h>
#include <memory>
#include <optional>
#include <sys/resource.h>

namespace Brigade {
// Readable ErrorKind values in QCOMPARE failures.
char *toString(ErrorKind kind)
{
    return qstrdup(kind == ErrorKind::None ? "None" : errorKindName(kind));
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

// The document the compressed fixtures below decode to.
QByteArray compressedDocument()
{
    return QByteArray("Brigade decodes what it asks for. ").repeated(8);
}

// Made with Python's gzip.compress(doc, mtime=0) and zlib.compress(doc), zstd 1.5.4 and
// libbrotlienc 1.0.9 (quality 11).
QByteArray compressed(const QByteArray &encoding)
{
    if (encoding == "gzip")
        return QByteArray::fromBase64("H4sIAAAAAAACA3MqykxPTElVSElNzk9JLVYoz0gsUcgsUUgszi5WSMsv0l"
                                      "NwGlEqAK/c+/4QAQAA");
    if (encoding == "deflate")
        return QByteArray::fromBase64(
                "eJxzKspMT0xJVUhJTc5PSS1WKM9ILFHILFFILM4uVkjLL9JTcBpRKgBbjV/p");
    if (encoding == "zstd")
        return QByteArray::fromBase64("KLUv/WQQAF0BACQCQnJpZ2FkZSBkZWNvZGVzIHdoYXQgaXQgYXNrcyBmb3"
                                      "IuIAEAWhdKPQEtuOmL");
    if (encoding == "br")
        return QByteArray::fromBase64(
                "Gw8B+I2Uq+1oIaSbS3UhGbu4KfIg6EuhASsGgbBdToGKofod1R9+75CzBg==");
    return {};
}

QByteArray chunked(const QByteArray &body)
{
    return QByteArray::number(body.size(), 16) + "\r\n" + body + "\r\n0\r\n\r\n";
}

// A raw TCP server for what TestHttpServer will not do: answers that break HTTP. Each
// path gets fixed bytes, after `fill` repeated to fillBytes (streamed as the client reads,
// so 100 MB cost no memory), and the connection then closes unless holdOpen.
class ScriptedServer : public QObject
{
    Q_OBJECT
public:
    struct Reply
    {
        QByteArray bytes;
        QByteArray fill;
        qint64 fillBytes = 0;
        bool holdOpen = false;
    };

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QByteArray url(const QByteArray &path) const
    {
        return "http://127.0.0.1:" + QByteArray::number(m_server.serverPort()) + path;
    }
    QByteArray authority() const
    {
        return "127.0.0.1:" + QByteArray::number(m_server.serverPort());
    }
    void on(const QByteArray &path, const QByteArray &bytes, const QByteArray &fill = {},
            qint64 fillBytes = 0, bool holdOpen = false)
    {
        m_replies.insert(path, Reply{bytes, fill, fillBytes, holdOpen});
    }
    // For requests of any other path (a proxy's absolute-form targets included).
    void otherwise(const QByteArray &bytes) { m_default = Reply{bytes, {}, 0, false}; }
    qint64 bytesSent() const { return m_sent; }
    int requests() const { return m_requests; }
    QByteArray lastHead() const { return m_lastHead; }

    ScriptedServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection())
                serve(s);
        });
    }

private:
    void serve(QTcpSocket *s)
    {
        auto in = std::make_shared<QByteArray>();
        connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        connect(s, &QIODevice::readyRead, s, [this, s, in] {
            in->append(s->readAll());
            const qsizetype end = in->indexOf("\r\n\r\n");
            if (end < 0 || in->isEmpty())
                return;
            m_lastHead = in->left(end + 4);
            in->clear();
            ++m_requests;
            const QByteArray target = m_lastHead.split(' ').value(1);
            const Reply reply = m_replies.value(target, m_default);
            auto left = std::make_shared<qint64>(reply.fillBytes);
            const auto pump = [this, s, reply, left] {
                while (*left > 0 && s->bytesToWrite() < 1024 * 1024) {
                    QByteArray piece = reply.fill.repeated(
                            int(qMin<qint64>(*left, 256 * 1024) / reply.fill.size()));
                    *left -= piece.size();
                    m_sent += piece.size();
                    s->write(piece);
                }
                if (*left > 0)
                    return;
                *left = -1; // the fill is done
                m_sent += reply.bytes.size();
                s->write(reply.bytes);
                if (!reply.holdOpen)
                    s->disconnectFromHost();
            };
            connect(s, &QTcpSocket::bytesWritten, s, [pump, left] {
                if (*left >= 0)
                    pump();
            });
            pump();
        });
    }

    QTcpServer m_server;
    QHash<QByteArray, Reply> m_replies;
    Reply m_default{"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", {}, 0, false};
    QByteArray m_lastHead;
    qint64 m_sent = 0;
    int m_requests = 0;
};

AttemptResult failedWith(ErrorKind kind)
{
    AttemptResult r;
    r.attempt = 1;
    r.error = kind;
    return r;
}

qint64 vmDataKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmData:"))
            return line.mid(7).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Sets an environment variable for the life of the object.
class EnvironmentVariable
{
public:
    EnvironmentVariable(const char *name, const QByteArray &value)
        : m_name(name)
        , m_wasSet(qEnvironmentVariableIsSet(name))
        , m_old(qgetenv(name))
    {
        qputenv(name, value);
    }
    ~EnvironmentVariable()
    {
        if (m_wasSet)
            qputenv(m_name, m_old);
        else
            qunsetenv(m_name);
    }

private:
    const char *m_name;
    bool m_wasSet;
    QByteArray m_old;
};

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
    void userHostHeaderSentOnce();
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
    void maxTotalConnections();
    void tooLargeByContentLength();
    void tooLargeChunked();
    void tooLargeUntilClose();
    void tooLargeDecoded();
    void bodyOfExactlyMaxBytes();
    void truncatedBody();
    void connectionReset();
    void redirects();
    void redirectLimit();
    void redirectLoop();
    void refusedRedirect_data();
    void refusedRedirect();
    void abortPending();
    void abortMidBody();
    void abortQueued();
    void abortFromCallback();
    void abortFinishedHandle();
    void receivedBytesSoFar();
    void deleteClientInCallback();
    void connectionRefused();
    void ipv6PeerInBrackets();
    void badInput_data();
    void badInput();
    void serverEndpoints();
    void tlsVerification();
    void tlsHostMismatchIsPermanent();
    void httpsOverHttp1KeepsTheCap();

    // Servers that break HTTP.
    void hugeContentLengthThenQuiet();
    void conflictingTransferEncoding();
    void gzipChunkedTransferEncoding();
    void conflictingContentLength();
    void newlinesBeforeStatusLine();
    void malformedResponses_data();
    void malformedResponses();
    void decompress_data();
    void decompress();

    // What a fetch may ask for.
    void headRequest();
    void postAndPut_data();
    void postAndPut();
    void basicAuth();
    void credentialsStayWithTheirHost();
    void netrcCredentials();
    void proxyFromEnvironment();
    void explicitProxy();
    void errorClasses_data();
    void errorClasses();

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
    // The proxy tests set these themselves.
    for (const char *name : {"http_proxy", "https_proxy", "all_proxy", "HTTPS_PROXY", "ALL_PROXY",
                             "no_proxy", "NO_PROXY"})
        qunsetenv(name);
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
    const quint64 handle = m_client->send(request, [&](HttpResponse &&r) {
        response = std::move(r);
        emit waiter.done();
    });
    // A callback from inside send() would be counted before wait() and fail here.
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
    QCOMPARE(r->bytes, 1000);
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
    HttpRequest request = requestFor(m_server->url("/echo?a=1&b=%20x"));
    request.headers = {{"X-Test", "yes"}, {"Accept", "text/plain"}, {"X-Empty", ""}};
    const auto r = fetch(request);
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    const QByteArray head = r->body;
    QVERIFY2(head.startsWith("GET /echo?a=1&b=%20x HTTP/1.1\r\n"), head.constData());
    QVERIFY(head.contains("\r\nHost: 127.0.0.1:" + QByteArray::number(m_server->port()) + "\r\n"));
    QVERIFY(head.contains("\r\nUser-Agent: Brigade/" BRIGADE_VERSION "\r\n"));
    // Every encoding this libcurl decodes is asked for.
    QVERIFY2(head.contains("\r\nAccept-Encoding: ") && head.contains("gzip"), head.constData());
    QVERIFY(head.contains("\r\nX-Test: yes\r\n"));
    QVERIFY(head.contains("\r\nX-Empty:\r\n"));
    QCOMPARE(head.count("\r\nAccept:"), 1); // the caller's replaces libcurl's */*
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
    QVERIFY(!r->body.contains("Brigade/"));
}

void TestHttpClient::userHostHeaderSentOnce()
{
    // The hand-written client sent its own Host and the caller's: nginx answers 400.
    HttpRequest request = requestFor(m_server->url("/echo"));
    request.headers = {{"Host", "example.test"}};
    const auto r = fetch(request);
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(r->body.toLower().count("\r\nhost:"), 1);
    QVERIFY(r->body.contains("\r\nHost: example.test\r\n"));
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
    QTest::newRow("503 huge") << QByteArray("code=503&retry_after=99999999999") << 4294967000u
                              << 4294967000u;
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
    QVERIFY(fetch("/delay?ms=0"));
    QCOMPARE(m_server->connectionCount(), 1);
    QCOMPARE(m_client->openConnections(), 1);
}

void TestHttpClient::bodyUntilClose()
{
    const auto r = fetch("/close?bytes=150000&seed=9");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(r->body, TestHttpServer::body(150000, 9));
    QCOMPARE(m_client->openConnections(), 0);
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
    QCOMPARE(m_client->openConnections(), 1);

    // Large Content-Length bodies and error statuses keep the connection too.
    QVERIFY(fetch("/big?bytes=1000000"));
    QVERIFY(fetch("/status?code=404"));
    QVERIFY(fetch("/redirect?n=2"));
    QCOMPARE(m_server->connectionCount(), 1);
}

void TestHttpClient::idleConnectionClosedByServer()
{
    QVERIFY(fetch("/delay?ms=0"));
    QCOMPARE(m_client->openConnections(), 1);
    m_server->closeIdleConnections();
    QTRY_COMPARE(m_server->openConnections(), 0);
    // The dead connection is noticed when it would be reused, and replaced.
    const auto r = fetch("/delay?ms=0&bytes=10");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(m_server->connectionCount(), 2);
    QCOMPARE(m_client->openConnections(), 1);
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
    // Thousands in flight to one host when the caller sets no cap.
    constexpr int count = 2000;
    std::vector<std::shared_ptr<Outcome>> outcomes;
    outcomes.reserve(count);
    int done = 0;
    for (int i = 0; i < count; ++i) {
        auto outcome = std::make_shared<Outcome>();
        outcomes.push_back(outcome);
        m_client->send(
                requestFor(m_server->url("/delay?ms=200&bytes=64&seed=" + QByteArray::number(i))),
                [outcome, &done](HttpResponse &&r) {
                    ++outcome->calls;
                    outcome->response = std::move(r);
                    ++done;
                });
    }
    QCOMPARE(m_client->activeRequests(), count);
    QTRY_COMPARE_WITH_TIMEOUT(done, count, 60000);
    qInfo("%d concurrent requests of 200 ms: server peak in flight %d, %d connections", count,
          m_server->peakInFlight(), m_server->connectionCount());
    for (int i = 0; i < count; ++i) {
        const Outcome &o = *outcomes[size_t(i)];
        QCOMPARE(o.calls, 1);
        QCOMPARE(o.response.error, ErrorKind::None);
        QCOMPARE(o.response.body, TestHttpServer::body(64, i));
    }
    QVERIFY2(m_server->peakInFlight() > 1500, QByteArray::number(m_server->peakInFlight()));
    QCOMPARE(m_client->activeRequests(), 0);
    QCOMPARE(m_client->openConnections(), m_server->connectionCount());
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
        m_client->send(requestFor(url), [&](HttpResponse &&r) {
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
        m_client->send(
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
}

void TestHttpClient::maxTotalConnections()
{
    // Descriptors stay bounded whatever the caller asks for: requests wait for a connection.
    HttpClientOptions options;
    options.maxTotalConnections = 8;
    m_client->setOptions(options);
    TestHttpServer other;
    QVERIFY(other.listen());
    int done = 0;
    int failed = 0;
    int peakOpen = 0;
    for (int i = 0; i < 200; ++i) {
        TestHttpServer &server = i % 2 ? other : *m_server;
        m_client->send(requestFor(server.url("/delay?ms=20&bytes=8")), [&](HttpResponse &&r) {
            ++done;
            failed += r.error != ErrorKind::None;
            peakOpen = qMax(peakOpen, m_client->openConnections());
        });
    }
    QTRY_COMPARE_WITH_TIMEOUT(done, 200, 30000);
    QCOMPARE(failed, 0);
    QVERIFY2(peakOpen <= 8, QByteArray::number(peakOpen));
    QVERIFY(m_server->peakInFlight() <= 8 && other.peakInFlight() <= 8);
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
    QCOMPARE(r->message, QStringLiteral("body of 1000000 bytes exceeds the limit of 1000 bytes"));
    QCOMPARE(m_client->openConnections(), 0);

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
    QVERIFY(r->bytes <= 1000);
}

void TestHttpClient::tooLargeUntilClose()
{
    const auto r = fetch(requestFor(m_server->url("/close?bytes=200000"), 1000));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::TooLarge);
}

void TestHttpClient::tooLargeDecoded()
{
    // The limit is on the decoded body: a small gzip that expands past it fails.
    ScriptedServer server;
    QVERIFY(server.listen());
    const QByteArray gz = compressed("gzip");
    server.on("/gz", "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "
                             + QByteArray::number(gz.size()) + "\r\n\r\n" + gz);
    const auto r = fetch(requestFor(server.url("/gz"), 100));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::TooLarge);
    const auto fits = fetch(requestFor(server.url("/gz"), compressedDocument().size()));
    QVERIFY(fits);
    QCOMPARE(fits->error, ErrorKind::None);
    QCOMPARE(fits->body, compressedDocument());
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
    QCOMPARE(r->bytes, 500);
    QCOMPARE(m_client->openConnections(), 0);
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
    QCOMPARE(r->error, ErrorKind::Protocol); // permanent: not retried
    QVERIFY2(r->message.startsWith(QStringLiteral("too many redirects")), qPrintable(r->message));

    request.maxRedirects = 3;
    const auto ok = fetch(request);
    QVERIFY(ok);
    QCOMPARE(ok->error, ErrorKind::None);

    // 0: a redirect is the answer itself.
    request.maxRedirects = 0;
    const auto none = fetch(request);
    QVERIFY(none);
    QCOMPARE(none->error, ErrorKind::HttpStatus);
    QCOMPARE(none->status, 302);
}

void TestHttpClient::redirectLoop()
{
    const auto r = fetch("/redirect-loop");
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::Protocol);
    QCOMPARE(r->message, QStringLiteral("too many redirects (more than %1)")
                                 .arg(HttpClient::DefaultMaxRedirects));
    QCOMPARE(m_server->hits("/redirect-loop"), HttpClient::DefaultMaxRedirects + 1);
}

void TestHttpClient::refusedRedirect_data()
{
    QTest::addColumn<QByteArray>("location");
    QTest::newRow("ftp") << QByteArray("ftp://127.0.0.1/x");
    QTest::newRow("file") << QByteArray("file:///etc/passwd");
    QTest::newRow("malformed") << QByteArray("http://a b:99999/");
}

void TestHttpClient::refusedRedirect()
{
    QFETCH(QByteArray, location);
    ScriptedServer server;
    QVERIFY(server.listen());
    server.on("/go",
              "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n");
    const auto r = fetch(requestFor(server.url("/go")));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::Protocol);
    QCOMPARE(r->status, 302);
    QVERIFY(!RetryPolicy().shouldRetry(failedWith(r->error)));
}

void TestHttpClient::abortPending()
{
    auto hung = std::make_shared<Outcome>();
    const quint64 handle = m_client->send(requestFor(m_server->url("/hang")), record(hung));
    QTRY_COMPARE(m_server->inFlight(), 1);
    m_client->abort(handle);
    QCOMPARE(m_client->activeRequests(), 0);
    // The connection is closed, not kept with a response still owed on it.
    QTRY_COMPARE(m_server->openConnections(), 0);
    QCOMPARE(m_client->openConnections(), 0);
    const auto later = fetch("/delay?ms=0");
    QVERIFY(later);
    QCOMPARE(later->error, ErrorKind::None);
    QCOMPARE(hung->calls, 0);

    // Aborted before the connection is even up.
    auto early = std::make_shared<Outcome>();
    m_client->abort(m_client->send(requestFor(m_server->url("/delay?ms=0")), record(early)));
    QVERIFY(fetch("/delay?ms=0"));
    QCOMPARE(early->calls, 0);
}

void TestHttpClient::abortMidBody()
{
    auto slow = std::make_shared<Outcome>();
    const quint64 handle = m_client->send(
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
    m_client->send(requestFor(m_server->url("/delay?ms=50")), record(first));
    const quint64 handle = m_client->send(requestFor(m_server->url("/delay?ms=0")), record(queued));
    m_client->send(requestFor(m_server->url("/delay?ms=0&bytes=5")), record(last));
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
    const quint64 hangHandle = m_client->send(requestFor(m_server->url("/hang")), record(hung));
    quint64 selfHandle = 0;
    int calls = 0;
    selfHandle = m_client->send(requestFor(m_server->url("/delay?ms=10")), [&](HttpResponse &&) {
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
    const quint64 handle = m_client->send(requestFor(m_server->url("/delay?ms=0")),
                                          [&](HttpResponse &&) { emit waiter.done(); });
    QVERIFY(spy.wait());
    m_client->abort(handle);
    m_client->abort(handle + 1000);
    QCOMPARE(m_client->openConnections(), 1);
    QVERIFY(fetch("/delay?ms=0"));
    QCOMPARE(m_server->connectionCount(), 1);
}

void TestHttpClient::receivedBytesSoFar()
{
    // What a timed-out attempt reports: the bytes it got before the deadline.
    auto slow = std::make_shared<Outcome>();
    const quint64 handle = m_client->send(
            requestFor(m_server->url("/slow?bytes=100000&chunk=100&interval_ms=5")), record(slow));
    QTRY_VERIFY(m_client->progress(handle).bytes >= 300);
    const qint64 got = m_client->progress(handle).bytes;
    QCOMPARE(m_client->progress(handle).status, 200);
    QVERIFY(got < 100000);
    m_client->abort(handle);
    QCOMPARE(m_client->progress(handle).bytes, 0);
    QCOMPARE(slow->calls, 0);
}

void TestHttpClient::deleteClientInCallback()
{
    auto *client = new HttpClient;
    auto hung = std::make_shared<Outcome>();
    auto slow = std::make_shared<Outcome>();
    int calls = 0;
    client->send(requestFor(m_server->url("/hang")), record(hung));
    client->send(requestFor(m_server->url("/delay?ms=100")), record(slow));
    client->send(requestFor(m_server->url("/delay?ms=0")), [&](HttpResponse &&) {
        ++calls;
        delete client;
    });
    // And a client deleted from a deferred (immediate) failure.
    auto *other = new HttpClient;
    other->send(requestFor("nope://x"), [&](HttpResponse &&) {
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
    QCOMPARE(r->message,
             QStringLiteral("cannot connect to 127.0.0.1:%1: Connection refused").arg(port));
    QCOMPARE(m_client->activeRequests(), 0);
}

void TestHttpClient::ipv6PeerInBrackets()
{
    // Nothing listens there (or the machine has no IPv6): either way the message names the
    // peer as a URL would.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const auto r = fetch(requestFor("http://[::1]:" + QByteArray::number(port) + "/"));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::Network);
    QVERIFY2(r->message.startsWith(QStringLiteral("cannot connect to [::1]:%1: ").arg(port)),
             qPrintable(r->message));
}

void TestHttpClient::badInput_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::newRow("ftp") << QByteArray("ftp://127.0.0.1/file");
    QTest::newRow("file") << QByteArray("file:///etc/hostname");
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
    m_client->send(requestFor(url), record(outcome));
    QCOMPARE(outcome->calls, 0); // never from inside send()
    QTRY_COMPARE(outcome->calls, 1);
    QCOMPARE(outcome->response.error, ErrorKind::BadInput);
    QVERIFY(!outcome->response.message.isEmpty());
    QCOMPARE(m_server->connectionCount(), 0);

    // The same header check as the batch parser's.
    HttpRequest badHeader = requestFor(m_server->url("/delay?ms=0"));
    badHeader.headers = {{"X-Evil", "a\r\nInjected: 1"}};
    const auto r = fetch(badHeader);
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::BadInput);
    badHeader.headers = {{"Content-Length", "5"}};
    QCOMPARE(fetch(badHeader)->error, ErrorKind::BadInput);
    QCOMPARE(m_server->connectionCount(), 0);
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

namespace {
// A TLS server on 127.0.0.1 that answers every request "secure", over HTTP/1.1 (no ALPN).
std::unique_ptr<QSslServer> tlsServer(const Brigade::Test::TestCertificate &pem,
                                      int *connections = nullptr)
{
    auto server = std::make_unique<QSslServer>();
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificate(QSslCertificate(pem.certificate, QSsl::Pem));
    config.setPrivateKey(QSslKey(pem.privateKey, QSsl::Ec, QSsl::Pem));
    server->setSslConfiguration(config);
    QSslServer *s = server.get();
    QObject::connect(s, &QTcpServer::pendingConnectionAvailable, s, [s, connections] {
        while (QTcpSocket *socket = s->nextPendingConnection()) {
            if (connections)
                ++*connections;
            QObject::connect(socket, &QIODevice::readyRead, socket, [socket] {
                if (socket->readAll().contains("\r\n\r\n"))
                    socket->write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure");
            });
        }
    });
    if (!server->listen(QHostAddress::LocalHost, 0))
        return nullptr;
    return server;
}
} // namespace

void TestHttpClient::tlsVerification()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend in Qt for the test's server");
    const auto pem = Brigade::Test::loopbackCertificate();
    const auto server = tlsServer(pem);
    QVERIFY(server);
    const QByteArray url = "https://127.0.0.1:" + QByteArray::number(server->serverPort()) + "/";

    // Verification is on: a self-signed certificate is refused, for good.
    const auto refused = fetch(requestFor(url));
    QVERIFY(refused);
    QCOMPARE(refused->error, ErrorKind::Tls);
    QVERIFY2(refused->message.startsWith(QStringLiteral("TLS handshake with 127.0.0.1:%1 failed")
                                                 .arg(server->serverPort())),
             qPrintable(refused->message));

    // Trusted, it works, and the connection is kept.
    HttpClientOptions trusting;
    trusting.caCertificates = pem.certificate;
    m_client->setOptions(trusting);
    const auto ok = fetch(requestFor(url));
    QVERIFY(ok);
    QCOMPARE(ok->error, ErrorKind::None);
    QCOMPARE(ok->body, QByteArray("secure"));
    const auto again = fetch(requestFor(url));
    QVERIFY(again);
    QCOMPARE(again->body, QByteArray("secure"));
    QCOMPARE(m_client->openConnections(), 1);

    // SSL_CERT_FILE names the user's bundle, as for OpenSSL's own tools.
    QTemporaryDir dir;
    const QString bundle
            = Brigade::Test::writeTestFile(dir, QStringLiteral("ca.pem"), pem.certificate);
    {
        EnvironmentVariable certFile("SSL_CERT_FILE", QFile::encodeName(bundle));
        m_client = std::make_unique<HttpClient>();
    }
    const auto fromEnvironment = fetch(requestFor(url));
    QVERIFY(fromEnvironment);
    QCOMPARE(fromEnvironment->error, ErrorKind::None);

    // --insecure takes anything.
    m_client = std::make_unique<HttpClient>();
    HttpClientOptions insecure;
    insecure.insecure = true;
    m_client->setOptions(insecure);
    const auto unchecked = fetch(requestFor(url));
    QVERIFY(unchecked);
    QCOMPARE(unchecked->error, ErrorKind::None);
}

void TestHttpClient::tlsHostMismatchIsPermanent()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend in Qt for the test's server");
    const auto pem = Brigade::Test::otherHostCertificate();
    const auto server = tlsServer(pem);
    QVERIFY(server);
    HttpClientOptions trusting;
    trusting.caCertificates = pem.certificate;
    m_client->setOptions(trusting);
    const auto r = fetch(
            requestFor("https://127.0.0.1:" + QByteArray::number(server->serverPort()) + "/"));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::Tls);
    QVERIFY2(r->message.contains(QStringLiteral("127.0.0.1")), qPrintable(r->message));
    QVERIFY(!RetryPolicy().shouldRetry(failedWith(r->error)));
}

void TestHttpClient::httpsOverHttp1KeepsTheCap()
{
    // Over https HTTP/2 may multiplex, but until a server has answered over HTTP/2 each
    // request counts as a connection: one that speaks HTTP/1.1 gets no more at once.
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend in Qt for the test's server");
    int connections = 0;
    const auto pem = Brigade::Test::loopbackCertificate();
    const auto server = tlsServer(pem, &connections);
    QVERIFY(server);
    HttpClientOptions options;
    options.caCertificates = pem.certificate;
    options.maxHostConnections = 2;
    m_client->setOptions(options);
    int done = 0;
    int failed = 0;
    for (int i = 0; i < 30; ++i) {
        m_client->send(requestFor("https://127.0.0.1:" + QByteArray::number(server->serverPort())
                                  + "/" + QByteArray::number(i)),
                       [&](HttpResponse &&r) {
                           ++done;
                           failed += r.error != ErrorKind::None || r.body != "secure";
                       });
    }
    QTRY_COMPARE_WITH_TIMEOUT(done, 30, 20000);
    QCOMPARE(failed, 0);
    QVERIFY2(connections <= 2, QByteArray::number(connections));
}

void TestHttpClient::hugeContentLengthThenQuiet()
{
    // 67 MB announced, 3 bytes sent, then silence: the client must neither reserve the
    // announced size (40 such answers took workers over their memory limit) nor wait for
    // ever. The low-speed limit ends it as a timeout, with the bytes so far.
    ScriptedServer server;
    QVERIFY(server.listen());
    server.on("/quiet", "HTTP/1.1 200 OK\r\nContent-Length: 67000000\r\n\r\nabc", {}, 0, true);
    HttpClientOptions options;
    options.lowSpeedTimeS = 2;
    m_client->setOptions(options);
    const qint64 before = vmDataKb();
    constexpr int count = 40;
    std::vector<quint64> handles;
    std::vector<std::shared_ptr<Outcome>> outcomes;
    for (int i = 0; i < count; ++i) {
        outcomes.push_back(std::make_shared<Outcome>());
        handles.push_back(
                m_client->send(requestFor(server.url("/quiet")), record(outcomes.back())));
    }
    QTRY_VERIFY(std::all_of(handles.begin(), handles.end(),
                            [&](quint64 h) { return m_client->progress(h).bytes == 3; }));
    const qint64 grown = vmDataKb() - before;
    qInfo("40 responses announcing 67 MB in flight: data segment grew %lld KiB", grown);
    QVERIFY2(grown < 64 * 1024, QByteArray::number(grown));
    QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(outcomes.begin(), outcomes.end(), [](auto &o) { return o->calls == 1; }),
            30000);
    for (const auto &o : outcomes) {
        QCOMPARE(o->response.error, ErrorKind::Timeout);
        QCOMPARE(o->response.bytes, 3);
        QCOMPARE(o->response.status, 200);
        QVERIFY2(o->response.message.contains(QStringLiteral("no data from 127.0.0.1:")),
                 qPrintable(o->response.message));
    }
}

void TestHttpClient::conflictingTransferEncoding()
{
    // chunked, then identity, then a Content-Length: the body is the chunked one, as
    // curl and RFC 9112 have it (Transfer-Encoding wins over Content-Length).
    ScriptedServer server;
    QVERIFY(server.listen());
    server.on("/te", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
                     "identity\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    const auto r = fetch(requestFor(server.url("/te")));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(r->body, QByteArray("hello"));
}

void TestHttpClient::gzipChunkedTransferEncoding()
{
    ScriptedServer server;
    QVERIFY(server.listen());
    server.on("/te", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                             + chunked(compressed("gzip")));
    const auto r = fetch(requestFor(server.url("/te")));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(r->body, compressedDocument());
}

void TestHttpClient::conflictingContentLength()
{
    ScriptedServer server;
    QVERIFY(server.listen());
    // libcurl would take the last; RFC 9112 6.3 says differing lengths are unrecoverable.
    server.on("/two", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok");
    server.on("/same", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok");
    const auto r = fetch(requestFor(server.url("/two")));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::Protocol);
    QCOMPARE(r->message, QStringLiteral("conflicting Content-Length headers"));
    const auto same = fetch(requestFor(server.url("/same")));
    QVERIFY(same);
    QCOMPARE(same->error, ErrorKind::None);
    QCOMPARE(same->body, QByteArray("ok"));
}

void TestHttpClient::newlinesBeforeStatusLine()
{
    // 100 MB of bare newlines before the status line slipped past the old header limit.
    // libcurl takes a first line that is not "HTTP/..." for HTTP/0.9, which it refuses:
    // the fetch fails at once, long before the server is done sending.
    ScriptedServer server;
    QVERIFY(server.listen());
    server.on("/nl", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "\n", 100 << 20);
    server.on("/crlf", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "\r\n", 100 << 20);
    for (const QByteArray path : {"/nl", "/crlf"}) {
        const auto r = fetch(requestFor(server.url(path)));
        QVERIFY(r);
        QCOMPARE(r->error, ErrorKind::Protocol);
        QVERIFY2(r->message.contains(QStringLiteral("HTTP/0.9")), qPrintable(r->message));
    }
    QVERIFY2(server.bytesSent() < 2 * (32 << 20), QByteArray::number(server.bytesSent()));
}

void TestHttpClient::malformedResponses_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<ErrorKind>("kind");
    QTest::newRow("NUL in a header name")
            << QByteArray("HTTP/1.1 200 OK\r\nX-A\0b: c\r\nContent-Length: 2\r\n\r\nok", 50)
            << ErrorKind::Protocol;
    QTest::newRow("NUL in a header value")
            << QByteArray("HTTP/1.1 200 OK\r\nX-A: b\0c\r\nContent-Length: 2\r\n\r\nok", 50)
            << ErrorKind::Protocol;
    QTest::newRow("status line") << QByteArray("HTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                                 << ErrorKind::Protocol;
    QTest::newRow("status code") << QByteArray("HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok")
                                 << ErrorKind::Protocol;
    QTest::newRow("header without colon")
            << QByteArray("HTTP/1.1 200 OK\r\nGarbage\r\nContent-Length: 2\r\n\r\nok")
            << ErrorKind::Protocol;
    QTest::newRow("negative length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nok") << ErrorKind::Protocol;
    QTest::newRow("huge header")
            << "HTTP/1.1 200 OK\r\nX: " + QByteArray(200000, 'a')
                       + "\r\nContent-Length: 2\r\n\r\nok"
            << ErrorKind::Network; // libcurl cannot tell it from running out of memory
    QTest::newRow("bad chunk size")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            << ErrorKind::Network;
    QTest::newRow("nothing") << QByteArray() << ErrorKind::Network;
    QTest::newRow("headers cut off")
            << QByteArray("HTTP/1.1 200 OK\r\nServer: x") << ErrorKind::Network;
    QTest::newRow("gzip that is not")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\n"
                          "hello")
            << ErrorKind::Protocol;
}

void TestHttpClient::malformedResponses()
{
    QFETCH(QByteArray, response);
    QFETCH(ErrorKind, kind);
    ScriptedServer server;
    QVERIFY(server.listen());
    server.on("/x", response);
    const auto r = fetch(requestFor(server.url("/x")));
    QVERIFY(r);
    QVERIFY2(r->error == kind, qPrintable(r->message));
    QVERIFY(!r->message.isEmpty());
}

void TestHttpClient::decompress_data()
{
    QTest::addColumn<QByteArray>("encoding");
    for (const char *e : {"gzip", "deflate", "br", "zstd"})
        QTest::newRow(e) << QByteArray(e);
}

void TestHttpClient::decompress()
{
    QFETCH(QByteArray, encoding);
    ScriptedServer server;
    QVERIFY(server.listen());
    const QByteArray body = compressed(encoding);
    server.otherwise("HTTP/1.1 200 OK\r\nContent-Encoding: " + encoding + "\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    const auto r = fetch(requestFor(server.url("/doc")));
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(r->body, compressedDocument());
    QVERIFY2(server.lastHead().contains(encoding), server.lastHead().constData());

    // A caller's own Accept-Encoding is sent, and what comes back is still decoded.
    HttpRequest own = requestFor(server.url("/doc"));
    own.headers = {{"Accept-Encoding", encoding}};
    const auto asked = fetch(own);
    QVERIFY(asked);
    QCOMPARE(asked->body, compressedDocument());
    QVERIFY(server.lastHead().contains("\r\nAccept-Encoding: " + encoding + "\r\n"));

    // decompress off: nothing is asked for, and the bytes are kept as they came.
    HttpRequest raw = requestFor(server.url("/doc"));
    raw.decompress = false;
    const auto r2 = fetch(raw);
    QVERIFY(r2);
    QCOMPARE(r2->error, ErrorKind::None);
    QCOMPARE(r2->body, body);
    QVERIFY(!server.lastHead().toLower().contains("accept-encoding"));
}

void TestHttpClient::headRequest()
{
    HttpRequest request = requestFor(m_server->url("/big?bytes=100000"));
    request.method = HttpMethod::Head;
    const auto r = fetch(request);
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArray());
    QVERIFY(m_server->lastRequestHead().startsWith("HEAD /big?bytes=100000 HTTP/1.1\r\n"));
    // The connection is kept, with no body left to drain.
    QVERIFY(fetch("/delay?ms=0"));
    QCOMPARE(m_server->connectionCount(), 1);
}

void TestHttpClient::postAndPut_data()
{
    QTest::addColumn<HttpMethod>("method");
    QTest::addColumn<bool>("fromFile");
    QTest::newRow("POST") << HttpMethod::Post << false;
    QTest::newRow("PUT") << HttpMethod::Put << false;
    QTest::newRow("POST a file") << HttpMethod::Post << true;
    QTest::newRow("PUT a file") << HttpMethod::Put << true;
}

void TestHttpClient::postAndPut()
{
    QFETCH(HttpMethod, method);
    QFETCH(bool, fromFile);
    QByteArray body;
    for (int i = 0; i < 20000; ++i)
        body += "line " + QByteArray::number(i) + '\n';
    QTemporaryDir dir;
    HttpRequest request = requestFor(m_server->url("/echo"));
    request.method = method;
    request.headers = {{"Content-Type", "text/plain"}};
    if (fromFile)
        request.bodyFile = Brigade::Test::writeTestFile(dir, QStringLiteral("body.txt"), body);
    else
        request.body = body;
    const auto r = fetch(request);
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    const QByteArray verb = method == HttpMethod::Post ? "POST" : "PUT";
    QVERIFY(r->body.startsWith(verb + " /echo HTTP/1.1\r\n"));
    QVERIFY(r->body.contains("\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n"));
    QVERIFY(r->body.contains("\r\nContent-Type: text/plain\r\n"));
    QVERIFY(!r->body.contains("Expect:")); // no round trip waiting for 100 Continue
    QCOMPARE(m_server->lastRequestBody(), body);

    // After a 307 the body is sent again, to the new place.
    request.url = m_server->url("/redirect?n=1");
    QVERIFY(fetch(request));
    QCOMPARE(m_server->hits("/redirect?n=0"), 1);

    request.bodyFile = dir.filePath(QStringLiteral("missing.txt"));
    const auto missing = fetch(request);
    QVERIFY(missing);
    QCOMPARE(missing->error, ErrorKind::BadInput);
    QVERIFY2(missing->message.contains(QStringLiteral("missing.txt")),
             qPrintable(missing->message));
}

void TestHttpClient::basicAuth()
{
    HttpRequest request = requestFor(m_server->url("/echo"));
    request.user = "alice";
    request.password = "s3cret:x";
    const auto r = fetch(request);
    QVERIFY(r);
    QVERIFY(r->body.contains("\r\nAuthorization: Basic " + QByteArray("alice:s3cret:x").toBase64()
                             + "\r\n"));
}

void TestHttpClient::credentialsStayWithTheirHost()
{
    // A redirect to another server: neither the user's credentials nor a secret header
    // may follow it.
    TestHttpServer other;
    QVERIFY(other.listen());
    ScriptedServer first;
    QVERIFY(first.listen());
    first.on("/go", "HTTP/1.1 302 Found\r\nLocation: " + other.url("/echo")
                            + "\r\nContent-Length: 0\r\n\r\n");
    HttpRequest request = requestFor(first.url("/go"));
    request.user = "alice";
    request.password = "s3cret";
    request.headers = {{"Authorization", "Bearer token"}, {"Cookie", "session=1"}, {"X-Ok", "1"}};
    const auto r = fetch(request);
    QVERIFY(r);
    QCOMPARE(r->error, ErrorKind::None);
    QVERIFY(r->body.startsWith("GET /echo"));
    QVERIFY(!r->body.contains("Authorization"));
    QVERIFY(!r->body.contains("Cookie"));
    QVERIFY(r->body.contains("\r\nX-Ok: 1\r\n"));
    QVERIFY(first.lastHead().contains("\r\nAuthorization: Bearer token\r\n"));
}

void TestHttpClient::netrcCredentials()
{
    QTemporaryDir dir;
    const QString netrc = Brigade::Test::writeTestFile(
            dir, QStringLiteral("netrc"), "machine 127.0.0.1 login bob password hunter2\n");
    HttpRequest request = requestFor(m_server->url("/echo"));
    request.netrc = true;
    request.netrcFile = netrc;
    const auto r = fetch(request);
    QVERIFY(r);
    QVERIFY2(r->body.contains("\r\nAuthorization: Basic " + QByteArray("bob:hunter2").toBase64()),
             r->body.constData());
}

void TestHttpClient::proxyFromEnvironment()
{
    // libcurl reads http_proxy and no_proxy for every transfer, as curl does.
    ScriptedServer proxy;
    QVERIFY(proxy.listen());
    proxy.otherwise("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nvia proxy");
    const QByteArray target = m_server->url("/delay?ms=0&bytes=5");
    {
        EnvironmentVariable httpProxy("http_proxy", proxy.url(""));
        const auto r = fetch(requestFor(target));
        QVERIFY(r);
        QCOMPARE(r->body, QByteArray("via proxy"));
        QVERIFY2(proxy.lastHead().startsWith("GET " + target + " HTTP/1.1\r\n"),
                 proxy.lastHead().constData());

        EnvironmentVariable noProxy("no_proxy", "127.0.0.1");
        const auto direct = fetch(requestFor(target));
        QVERIFY(direct);
        QCOMPARE(direct->body, TestHttpServer::body(5, 0));
    }
    QCOMPARE(proxy.requests(), 1);
    QCOMPARE(m_server->requestCount(), 1);
}

void TestHttpClient::explicitProxy()
{
    ScriptedServer proxy;
    QVERIFY(proxy.listen());
    proxy.otherwise("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nvia proxy");
    HttpClientOptions options;
    options.proxy = proxy.url("");
    m_client->setOptions(options);
    EnvironmentVariable noProxy("no_proxy", "example.test");
    const auto r = fetch("/delay?ms=0");
    QVERIFY(r);
    QCOMPARE(r->body, QByteArray("via proxy"));
    QCOMPARE(m_server->requestCount(), 0);
}

void TestHttpClient::errorClasses_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<ErrorKind>("kind");
    QTest::addColumn<bool>("retried");
    QTest::newRow("connect") << int(CURLE_COULDNT_CONNECT) << ErrorKind::Network << true;
    QTest::newRow("resolve") << int(CURLE_COULDNT_RESOLVE_HOST) << ErrorKind::Network << true;
    QTest::newRow("reset") << int(CURLE_RECV_ERROR) << ErrorKind::Network << true;
    QTest::newRow("empty reply") << int(CURLE_GOT_NOTHING) << ErrorKind::Network << true;
    QTest::newRow("truncated") << int(CURLE_PARTIAL_FILE) << ErrorKind::Network << true;
    QTest::newRow("handshake") << int(CURLE_SSL_CONNECT_ERROR) << ErrorKind::Network << true;
    QTest::newRow("http2 stream") << int(CURLE_HTTP2_STREAM) << ErrorKind::Network << true;
    QTest::newRow("timeout") << int(CURLE_OPERATION_TIMEDOUT) << ErrorKind::Timeout << true;
    QTest::newRow("certificate") << int(CURLE_PEER_FAILED_VERIFICATION) << ErrorKind::Tls << false;
    QTest::newRow("ca file") << int(CURLE_SSL_CACERT_BADFILE) << ErrorKind::Tls << false;
    QTest::newRow("weird reply") << int(CURLE_WEIRD_SERVER_REPLY) << ErrorKind::Protocol << false;
    QTest::newRow("http/0.9") << int(CURLE_UNSUPPORTED_PROTOCOL) << ErrorKind::Protocol << false;
    QTest::newRow("redirects") << int(CURLE_TOO_MANY_REDIRECTS) << ErrorKind::Protocol << false;
    QTest::newRow("encoding") << int(CURLE_BAD_CONTENT_ENCODING) << ErrorKind::Protocol << false;
    QTest::newRow("body file") << int(CURLE_READ_ERROR) << ErrorKind::BadInput << false;
    QTest::newRow("out of memory") << int(CURLE_OUT_OF_MEMORY) << ErrorKind::Network << true;
}

void TestHttpClient::errorClasses()
{
    QFETCH(int, code);
    QFETCH(ErrorKind, kind);
    QFETCH(bool, retried);
    QCOMPARE(FetchErrors::kindOf(code), kind);
    QCOMPARE(RetryPolicy().shouldRetry(failedWith(kind)), retried);
}

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
