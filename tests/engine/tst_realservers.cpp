// The fetch path against servers nobody here wrote: Debian's nginx with its default limits
// (http, and https with HTTP/2) and tinyproxy, started by the test on the loopback.
#include "EngineHarness.h"
#include "NginxServer.h"
#include "TestCertificates.h"
#include "TestHttpServer.h"
#include "net/HttpClient.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QSet>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <optional>
#include <sys/resource.h>
#include <unistd.h>

using namespace Brigade;
using namespace Brigade::Test;

namespace {

constexpr int SmallFiles = 10000;

QByteArray fileContent(int i)
{
    return "small static file " + QByteArray::number(i) + '\n' + QByteArray(200 + i % 300, 'x');
}

// The most connections open at once, from nginx's log (see NginxServer's log format): each
// connection is taken as open from its first request's start to its last request's end, which
// is never more than the time it was really open.
int connectionsAtOnce(const QList<QByteArray> &log)
{
    QHash<QByteArray, QPair<qint64, qint64>> spans; // connection -> [first start, last end] in ms
    for (const QByteArray &line : log) {
        const QList<QByteArray> f = line.split(' ');
        if (f.size() < 6)
            return -1;
        const qint64 end = qRound64(f.at(4).toDouble() * 1000);
        // Both times are to the millisecond: a span starts a millisecond late, so that one
        // connection closing and the next opening in the same millisecond are not one more.
        const qint64 start = qMin(end, end - qRound64(f.at(5).toDouble() * 1000) + 1);
        auto it = spans.find(f.at(0));
        if (it == spans.end())
            spans.insert(f.at(0), {start, end});
        else
            *it = {qMin(it->first, start), qMax(it->second, end)};
    }
    // A sweep over the spans' ends and starts; at the same millisecond an end comes first.
    QList<QPair<qint64, int>> events;
    for (const auto &span : std::as_const(spans))
        events << qMakePair(span.first, 1) << qMakePair(span.second, -1);
    std::sort(events.begin(), events.end());
    int open = 0;
    int most = 0;
    for (const auto &e : std::as_const(events))
        most = qMax(most, open += e.second);
    return most;
}

// Debian's tinyproxy with a configuration of its own, on a free loopback port.
class TinyProxy
{
public:
    ~TinyProxy()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(5000))
                m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    static QString program()
    {
        return QStandardPaths::findExecutable(
                QStringLiteral("tinyproxy"),
                {QStringLiteral("/usr/bin"), QStringLiteral("/usr/sbin")});
    }
    bool start()
    {
        {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0))
                return false;
            m_port = probe.serverPort();
        }
        QFile::setPermissions(m_dir.path(), QFile::permissions(m_dir.path()) | QFileDevice::ExeOther
                                                    | QFileDevice::ReadOther
                                                    | QFileDevice::WriteOther);
        QFile config(m_dir.filePath(QStringLiteral("tinyproxy.conf")));
        if (!config.open(QIODevice::WriteOnly))
            return false;
        config.write("Port " + QByteArray::number(m_port)
                     + "\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 60\nMaxClients 100\n"
                       "LogLevel Info\nDisableViaHeader No\n");
        if (::geteuid() == 0)
            config.write("User nobody\nGroup nogroup\n");
        config.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(program(), {QStringLiteral("-d"), QStringLiteral("-c"), config.fileName()});
        if (!m_process.waitForStarted(5000))
            return false;
        const QDeadlineTimer deadline(10000);
        while (!deadline.hasExpired() && m_process.state() != QProcess::NotRunning) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(200))
                return true;
            m_process.waitForFinished(50);
        }
        return false;
    }
    QByteArray url() const { return "http://127.0.0.1:" + QByteArray::number(m_port); }
    QByteArray output() { return m_process.readAll(); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace

class tst_RealServers : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void tenThousandSmallFetchesWithDefaults();
    void fewDescriptorsStillFetchEverything();
    void http2Multiplexes();
    void http1WhenAsked();
    void gzipFromNginx();
    void throughTinyproxy();

private:
    NginxServer m_nginx;
    QStringList m_lines;
    QHash<QString, QByteArray> m_expected; // id -> sha256 of the file, as the result reads
};

void tst_RealServers::initTestCase()
{
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (NginxServer::program().isEmpty())
        QSKIP("nginx is not installed: apt-get install nginx-light (.ci/install-deps does)");
    const TestCertificate pem = loopbackCertificate();
    QVERIFY2(m_nginx.start(pem.certificate, pem.privateKey), qPrintable(m_nginx.error()));
    QDir().mkpath(m_nginx.root() + QStringLiteral("/files"));
    for (int i = 0; i < SmallFiles; ++i) {
        const QByteArray content = fileContent(i);
        QFile f(m_nginx.root() + QStringLiteral("/files/f%1.txt").arg(i));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.setPermissions(f.permissions() | QFileDevice::ReadOther);
        const QString id = QStringLiteral("n%1").arg(i);
        m_lines << QStringLiteral(
                           R"({"id":"%1","fetch":"%2","compute":{"op":"sha256","rounds":1}})")
                           .arg(id, QString::fromUtf8(m_nginx.httpUrl(
                                            "/files/f" + QByteArray::number(i) + ".txt")));
        m_expected.insert(
                id,
                '"' + QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex() + '"');
    }
    QFile::setPermissions(m_nginx.root() + QStringLiteral("/files"),
                          QFile::permissions(m_nginx.root()) | QFileDevice::ReadOther
                                  | QFileDevice::ExeOther);
}

void tst_RealServers::tenThousandSmallFetchesWithDefaults()
{
    // The hand-written client opened a socket per request in flight (8,192 per worker):
    // 80-90% of these failed against worker_connections 768. With the defaults every one
    // succeeds at its first attempt.
    EngineHarness h;
    h.settings = RunSettings();
    h.settings.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    h.settings.maxAttempts = 1; // a failure shows as a failure, not as a retry
    QVERIFY2(h.load(m_lines), qPrintable(h.lastError));
    const qsizetype logBefore = m_nginx.accessLog().size();
    h.start();
    QVERIFY(h.waitFinished(120000));
    QCOMPARE(h.lastStats.succeeded, SmallFiles);
    for (auto it = m_expected.cbegin(); it != m_expected.cend(); ++it)
        QCOMPARE(h.state(it.key()).result, it.value());
    const QList<QByteArray> log = m_nginx.accessLog().mid(logBefore);
    QCOMPARE(log.size(), SmallFiles);
    // The cap is on connections open at once. libcurl may close an idle connection and open
    // another later (its cache shrinks as transfers end), so the distinct ones may be more.
    const int atOnce = connectionsAtOnce(log);
    qInfo("%d fetches over at most %d connections at once", SmallFiles, atOnce);
    QVERIFY2(atOnce > 0 && atOnce <= RunSettings().maxHostConnections, QByteArray::number(atOnce));
    QVERIFY2(!m_nginx.errorLog().contains("worker_connections are not enough"),
             m_nginx.errorLog().constData());
}

void tst_RealServers::fewDescriptorsStillFetchEverything()
{
    // With `ulimit -n 1024` a quarter failed as "Out of resources". Descriptors are now
    // bounded below the limit whatever the caps say: no cap per host, a hard limit of 256.
    QTemporaryDir dir;
    const QString batch = dir.filePath(QStringLiteral("batch.jsonl"));
    QFile f(batch);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(m_lines.mid(0, 3000).join(QLatin1Char('\n')).toUtf8());
    f.close();
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    const QString prlimit = QStandardPaths::findExecutable(QStringLiteral("prlimit"));
    if (prlimit.isEmpty())
        QSKIP("prlimit (util-linux) is not installed");
    p.start(prlimit, {QStringLiteral("--nofile=256:256"), QStringLiteral(BRIGADE_APP_PATH),
                      QStringLiteral("run"), batch, QStringLiteral("--no-journal"),
                      QStringLiteral("--max-attempts"), QStringLiteral("1"),
                      QStringLiteral("--max-host-connections"), QStringLiteral("0"),
                      QStringLiteral("--progress"), QStringLiteral("none"),
                      QStringLiteral("--worker-program"), QStringLiteral(BRIGADE_WORKER_PATH)});
    QVERIFY(p.waitForFinished(120000));
    const QByteArray output = p.readAll();
    QVERIFY2(p.exitCode() == 0, output.constData());
}

void tst_RealServers::http2Multiplexes()
{
    // Thousands of requests in flight to one https host ride a few HTTP/2 connections.
    HttpClient client;
    HttpClientOptions options;
    options.caCertificates = loopbackCertificate().certificate;
    options.maxHostConnections = 4;
    client.setOptions(options);
    const qsizetype logBefore = m_nginx.accessLog().size();
    constexpr int count = 2000;
    int done = 0;
    int failed = 0;
    int peakOpen = 0;
    for (int i = 0; i < count; ++i) {
        HttpRequest r;
        r.url = m_nginx.httpsUrl("/files/f" + QByteArray::number(i) + ".txt");
        client.send(r, [&, i](HttpResponse &&resp) {
            ++done;
            failed += resp.error != ErrorKind::None || resp.body != fileContent(i);
            peakOpen = qMax(peakOpen, client.openConnections());
        });
    }
    QTRY_COMPARE_WITH_TIMEOUT(done, count, 60000);
    QCOMPARE(failed, 0);
    const QList<QByteArray> log = m_nginx.accessLog().mid(logBefore);
    QCOMPARE(log.size(), count);
    QSet<QByteArray> connections;
    for (const QByteArray &line : log) {
        QCOMPARE(line.split(' ').value(1), QByteArray("HTTP/2.0"));
        connections.insert(line.split(' ').value(0));
    }
    qInfo("%d https requests over %lld HTTP/2 connections", count, qint64(connections.size()));
    // nginx ends a connection after 1,000 requests (keepalive_requests): one may be replaced.
    QVERIFY(connections.size() <= 8);
    QVERIFY2(peakOpen <= 4, QByteArray::number(peakOpen));
}

void tst_RealServers::http1WhenAsked()
{
    HttpClient client;
    HttpClientOptions options;
    options.caCertificates = loopbackCertificate().certificate;
    options.httpVersion = HttpVersion::Http1;
    client.setOptions(options);
    const qsizetype logBefore = m_nginx.accessLog().size();
    int done = 0;
    for (int i = 0; i < 20; ++i) {
        HttpRequest r;
        r.url = m_nginx.httpsUrl("/files/f" + QByteArray::number(i) + ".txt");
        client.send(r,
                    [&](HttpResponse &&resp) { done += resp.error == ErrorKind::None ? 1 : 1000; });
    }
    QTRY_COMPARE_WITH_TIMEOUT(done, 20, 20000);
    for (const QByteArray &line : m_nginx.accessLog().mid(logBefore))
        QCOMPARE(line.split(' ').value(1), QByteArray("HTTP/1.1"));
}

void tst_RealServers::gzipFromNginx()
{
    // nginx compresses text/html (gzip on): asked for it, the body comes back decoded.
    QByteArray page;
    for (int i = 0; i < 2000; ++i)
        page += "<p>paragraph " + QByteArray::number(i) + "</p>\n";
    QFile f(m_nginx.root() + QStringLiteral("/page.html"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(page);
    f.setPermissions(f.permissions() | QFileDevice::ReadOther);
    f.close();
    HttpClient client;
    std::optional<HttpResponse> got;
    HttpRequest r;
    r.url = m_nginx.httpUrl("/page.html");
    client.send(r, [&](HttpResponse &&resp) { got = std::move(resp); });
    QTRY_VERIFY(got.has_value());
    QCOMPARE(got->error, ErrorKind::None);
    QCOMPARE(got->body, page);
}

void tst_RealServers::throughTinyproxy()
{
    if (TinyProxy::program().isEmpty())
        QSKIP("tinyproxy is not installed: apt-get install tinyproxy (.ci/install-deps does)");
    TinyProxy proxy;
    QVERIFY2(proxy.start(), proxy.output().constData());
    TestHttpServer origin;
    QVERIFY(origin.listen());
    // The workers take the proxy from the environment, as curl does.
    qputenv("http_proxy", proxy.url());
    qunsetenv("no_proxy");
    EngineHarness h;
    QStringList lines;
    for (int i = 0; i < 50; ++i)
        lines << QStringLiteral(R"({"id":"p%1","fetch":"%2"})")
                         .arg(i)
                         .arg(QString::fromUtf8(
                                 origin.url("/delay?ms=0&bytes=10&seed=" + QByteArray::number(i))));
    lines << QStringLiteral(R"({"id":"echo","fetch":"%1","compute":{"op":"wordcount","top":100}})")
                     .arg(QString::fromUtf8(origin.url("/echo")));
    QVERIFY(h.load(lines));
    h.start();
    const bool finished = h.waitFinished(60000);
    qunsetenv("http_proxy");
    QVERIFY(finished);
    QCOMPARE(h.lastStats.succeeded, 51);
    // tinyproxy says it was there ("Via: 1.1 host (tinyproxy/1.11.1)").
    QVERIFY2(h.state(QStringLiteral("echo")).result.contains("(tinyproxy/"),
             h.state(QStringLiteral("echo")).result.constData());
    QCOMPARE(origin.requestCount(), 51);
}

QTEST_GUILESS_MAIN(tst_RealServers)
#include "tst_realservers.moc"
