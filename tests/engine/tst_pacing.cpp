// Per-host pacing and priorities with real workers against local HTTP servers: a server
// that enforces a per-client rate limit, a host that starts failing mid-run, and the
// order in which one worker starts tasks of different priorities.
#include "EngineHarness.h"
#include "Sanitizers.h"
#include "TestHttpServer.h"
#include "session/SpecChange.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>

using namespace Brigade;
using namespace Brigade::Test;

class tst_Pacing : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void rateLimitIsKeptAcrossWorkers();
    void retryAfterPausesTheHostWithoutCostingAttempts();
    void brokenHostStopsCostingAttempts();
    void priorityOrdersWhatStartsNext();
    void raisedPriorityStartsSooner();

private:
    TestHttpServer m_server;
    TestHttpServer m_other;
};

namespace {

QString fetchTask(const QString &id, const QByteArray &url, const QString &extra = {})
{
    return QStringLiteral(R"({"id":"%1","fetch":"%2"%3})")
            .arg(id, QString::fromUtf8(url),
                 extra.isEmpty() ? QString() : QLatin1Char(',') + extra);
}

} // namespace

void tst_Pacing::initTestCase()
{
    QVERIFY(m_server.listen());
    QVERIFY(m_other.listen());
}

void tst_Pacing::rateLimitIsKeptAcrossWorkers()
{
    // The server allows 20 a second with a burst (its tolerance for requests that reach it
    // late and together: Brigade paces when it hands tasks to workers, and a busy machine
    // delays some on their way); Brigade is told 20/s with no burst, shared by two workers.
    constexpr int Tasks = 60;
    constexpr int Rate = 20;
    constexpr int ServerBurst = 5 * SanitizerSlowdown;
    EngineHarness h;
    h.settings.workers = 2;
    h.settings.pacing.rates = {{QStringLiteral("*"), double(Rate), 0}};
    QStringList lines;
    for (int i = 0; i < Tasks; ++i)
        lines << fetchTask(QStringLiteral("t%1").arg(i),
                           m_server.url(QByteArrayLiteral("/limited?client=rl&rate=20&ms=5&burst=")
                                        + QByteArray::number(ServerBurst)
                                        + "&i=" + QByteArray::number(i)));
    QVERIFY2(h.load(lines), qPrintable(h.lastError));
    QElapsedTimer clock;
    clock.start();
    h.start();
    QVERIFY(h.waitFinished(60000));
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(h.lastStats.succeeded, Tasks);
    for (int i = 0; i < Tasks; ++i)
        QCOMPARE(h.state(QStringLiteral("t%1").arg(i)).attempts, quint16(1));
    const QVector<qint64> accepted = m_server.limitedAccepted("rl");
    QCOMPARE(accepted.size(), Tasks);
    QCOMPARE(m_server.limitedRejected("rl"), 0);
    // Never above the limit, counted by the server (its burst is the tolerance).
    QVERIFY2(TestHttpServer::mostInWindow(accepted, 1000) <= Rate + ServerBurst,
             qPrintable(QString::number(TestHttpServer::mostInWindow(accepted, 1000))));
    // About the time the limit allows: (Tasks - 1) / Rate = 2.95 s, plus start-up.
    QVERIFY2(elapsed >= (Tasks - 1) * 1000 / Rate - 50, qPrintable(QString::number(elapsed)));
    QVERIFY2(elapsed < 20000, qPrintable(QString::number(elapsed)));
    // The Hosts view saw the limit.
    bool sawLimit = false;
    for (const LoadSample &s : std::as_const(h.loadSamples)) {
        for (const HostPaceInfo &host : s.hosts)
            sawLimit = sawLimit || (host.limitPerSecond == Rate && host.requests > 0);
    }
    QVERIFY(sawLimit);
}

void tst_Pacing::retryAfterPausesTheHostWithoutCostingAttempts()
{
    // No rate given: the server's 429s with Retry-After pace the run. Each 429 pauses the
    // host for every worker, and the task waits without its attempt counting, so with
    // max_attempts 1 none fails.
    constexpr int Tasks = 40;
    EngineHarness h;
    h.settings.workers = 2;
    QStringList lines;
    for (int i = 0; i < Tasks; ++i)
        lines << fetchTask(QStringLiteral("p%1").arg(i),
                           m_server.url(QByteArrayLiteral("/limited?client=ra&rate=20&burst=10&i=")
                                        + QByteArray::number(i)),
                           QStringLiteral(R"("max_attempts":1)"));
    QVERIFY2(h.load(lines), qPrintable(h.lastError));
    h.start();
    QVERIFY(h.waitFinished(60000));
    QCOMPARE(h.lastStats.succeeded, Tasks);
    QCOMPARE(h.lastStats.failed, 0);
    for (int i = 0; i < Tasks; ++i)
        QCOMPARE(h.state(QStringLiteral("p%1").arg(i)).attempts, quint16(1));
    const int rejected = m_server.limitedRejected("ra");
    QVERIFY(rejected > 0);
    // One wave of refusals per pause, not a retry storm: the first wave is at most every
    // task, each later one at most what was still waiting.
    QVERIFY2(rejected <= Tasks * 4, qPrintable(QString::number(rejected)));
    bool sawPause = false;
    for (const LoadSample &s : std::as_const(h.loadSamples)) {
        for (const HostPaceInfo &host : s.hosts)
            sawPause = sawPause || host.state == HostPaceInfo::State::Paused;
    }
    QVERIFY(sawPause);
}

void tst_Pacing::brokenHostStopsCostingAttempts()
{
    // Host A starts failing once a few of its tasks are done; its breaker opens after 3
    // failures in a row and its tasks wait instead of spending attempts, while host B's
    // tasks run on. When A recovers, a probe closes the breaker and A's tasks finish.
    constexpr int Tasks = 40;
    m_server.setFailing(false);
    EngineHarness h;
    h.settings.workers = 2;
    h.settings.maxAttempts = 10;
    h.settings.pacing.breakerFailures = 3;
    h.settings.pacing.breakerCooldownMs = 1000;
    h.settings.pacing.hostInFlight = 2;
    QStringList lines;
    for (int i = 0; i < Tasks; ++i) {
        lines << fetchTask(QStringLiteral("a%1").arg(i),
                           m_server.url("/maybe?key=a" + QByteArray::number(i)));
        lines << fetchTask(QStringLiteral("b%1").arg(i),
                           m_other.url("/delay?ms=100&bytes=10&seed=" + QByteArray::number(i)));
    }
    QVERIFY2(h.load(lines), qPrintable(h.lastError));
    const int before = m_server.requestCount();
    h.start();
    QTRY_VERIFY_WITH_TIMEOUT(m_server.requestCount() - before >= 4, 20000);
    m_server.setFailing(true);
    QElapsedTimer failing;
    failing.start();
    const int atFailure = m_server.requestCount();
    int bDone = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
            (bDone
             = int(std::count_if(h.finishedOrder.cbegin(), h.finishedOrder.cend(),
                                 [&](int row) { return h.store().spec(row).id.startsWith(u'b'); })))
                    == Tasks,
            30000);
    const int failedRequests = m_server.requestCount() - atFailure;
    const qint64 failingMs = failing.elapsed();
    // B ran at its own speed: 40 tasks of 100 ms, 2 at a time, is 2 s.
    QVERIFY2(failingMs < 15000, qPrintable(QString::number(failingMs)));
    // What the failure cost A: the 3 that open the breaker, the ones in flight (at most 2),
    // and a probe per cool-down; not every waiting task's attempts.
    const qint64 probes = failingMs / 1000 + 1;
    QVERIFY2(failedRequests <= 3 + 2 + probes,
             qPrintable(QStringLiteral("%1 requests in %2 ms").arg(failedRequests).arg(failingMs)));
    bool sawBroken = false;
    for (const LoadSample &s : std::as_const(h.loadSamples)) {
        for (const HostPaceInfo &host : s.hosts)
            sawBroken = sawBroken || host.state == HostPaceInfo::State::Broken;
    }
    QVERIFY(sawBroken);
    m_server.setFailing(false);
    QVERIFY(h.waitFinished(60000));
    QCOMPARE(h.lastStats.succeeded, 2 * Tasks);
}

void tst_Pacing::priorityOrdersWhatStartsNext()
{
    EngineHarness h;
    h.settings.workers = 1;
    h.settings.concurrency = 1;
    QVERIFY(h.load({R"({"id":"zero","fetch":{"delay_ms":20}})",
                    R"({"id":"five","fetch":{"delay_ms":20},"priority":5})",
                    R"({"id":"minus","fetch":{"delay_ms":20},"priority":-1})",
                    R"({"id":"ten","fetch":{"delay_ms":20},"priority":10})",
                    R"({"id":"five2","fetch":{"delay_ms":20},"priority":5})"}));
    h.start();
    QVERIFY(h.waitFinished());
    QVector<int> expected;
    for (const char *id : {"ten", "five", "five2", "zero", "minus"})
        expected << h.row(QString::fromLatin1(id));
    QCOMPARE(h.finishedOrder, expected);
}

void tst_Pacing::raisedPriorityStartsSooner()
{
    EngineHarness h;
    h.settings.workers = 1;
    h.settings.concurrency = 1;
    QStringList lines;
    for (int i = 0; i < 10; ++i)
        lines << QStringLiteral(R"({"id":"d%1","fetch":{"delay_ms":100}})").arg(i);
    QVERIFY(h.load(lines));
    h.start();
    const auto change = [](int delta) {
        SpecChange c;
        c.priorityDelta = delta;
        return c.toJson();
    };
    h.engine().changePriority({h.row(QStringLiteral("d9"))}, 1, change(1));
    h.engine().changePriority({h.row(QStringLiteral("d1")), h.row(QStringLiteral("d2"))}, -1,
                              change(-1));
    QVERIFY(h.waitFinished());
    QCOMPARE(h.finishedOrder.size(), 10);
    // d0 may have started before the change; d9 goes next, d1 and d2 last.
    QVERIFY(h.finishedOrder.indexOf(h.row(QStringLiteral("d9"))) <= 1);
    QCOMPARE(h.finishedOrder.mid(8),
             (QVector<int>{h.row(QStringLiteral("d1")), h.row(QStringLiteral("d2"))}));
}

QTEST_GUILESS_MAIN(tst_Pacing)
#include "tst_pacing.moc"
