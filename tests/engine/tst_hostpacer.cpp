// Per-host pacing with an injected clock: the token bucket, the in-flight cap, the circuit
// breaker and Retry-After pauses, without waiting.
#include "core/TaskState.h"
#include "run/HostPacer.h"

#include <QTest>

using namespace Brigade;
using namespace Brigade::Internal;

class tst_HostPacer : public QObject
{
    Q_OBJECT
private slots:
    void hostKeys();
    void rateMatching();
    void tokenBucketKeepsTheRate();
    void burstAfterQuietSpell();
    void inFlightCap();
    void breakerOpensProbesAndCloses();
    void breakerReopensWhenProbeFails();
    void clientErrorsDoNotOpenTheBreaker();
    void retryAfterPausesAndIsCapped();
    void parkedTasksComeBackAsTheHostAllows();
    void snapshotSaysWhy();
};

void tst_HostPacer::hostKeys()
{
    QCOMPARE(HostPacer::hostKey("http://Example.com/a?b"), QByteArray("http://example.com:80"));
    QCOMPARE(HostPacer::hostKey("https://example.com"), QByteArray("https://example.com:443"));
    QCOMPARE(HostPacer::hostKey("http://u:p@example.com:8080/x"),
             QByteArray("http://example.com:8080"));
    QCOMPARE(HostPacer::hostKey("http://[::1]:9000/"), QByteArray("http://[::1]:9000"));
    QCOMPARE(HostPacer::hostKey("http://[::1]/"), QByteArray("http://[::1]:80"));
    QCOMPARE(HostPacer::hostKey("file:///tmp/x"), QByteArray());
    QCOMPARE(HostPacer::hostKey("nonsense"), QByteArray());
}

void tst_HostPacer::rateMatching()
{
    HostPacing p;
    p.rates = {{QStringLiteral("*"), 100, 0},
               {QStringLiteral("api.example.com"), 10, 0},
               {QStringLiteral("api.example.com:8080"), 5, 0},
               {QStringLiteral("https://api.example.com:443"), 2, 0}};
    QCOMPARE(p.rateFor(QStringLiteral("http://api.example.com:80"))->perSecond, 10.0);
    QCOMPARE(p.rateFor(QStringLiteral("http://api.example.com:8080"))->perSecond, 5.0);
    QCOMPARE(p.rateFor(QStringLiteral("https://api.example.com:443"))->perSecond, 2.0);
    QCOMPARE(p.rateFor(QStringLiteral("http://other.org:80"))->perSecond, 100.0);
    p.rates.removeFirst();
    QVERIFY(!p.rateFor(QStringLiteral("http://other.org:80")));
}

void tst_HostPacer::tokenBucketKeepsTheRate()
{
    HostPacing p;
    p.rates = {{QStringLiteral("*"), 10, 0}}; // 10/s, burst 1
    HostPacer pacer(p);
    const int h = pacer.hostIndex("http://a:80");
    QCOMPARE(pacer.hostIndex("http://a:80"), h);
    // Over 10 s of a 1 ms tick, as many starts as the rate allows: 1 + 10 * 10.
    int started = 0;
    for (qint64 now = 0; now <= 10000; ++now) {
        while (pacer.tryStart(h, now)) {
            ++started;
            pacer.finish(h, HostPacer::Outcome::Success, now);
        }
    }
    QCOMPARE(started, 101);
    QVERIFY(!pacer.tryStart(h, 10000));
    QVERIFY(!pacer.tryStart(h, 10099));
    QVERIFY(pacer.tryStart(h, 10100));
}

void tst_HostPacer::burstAfterQuietSpell()
{
    HostPacing p;
    p.rates = {{QStringLiteral("*"), 10, 5}};
    HostPacer pacer(p);
    const int h = pacer.hostIndex("http://a:80");
    for (int i = 0; i < 5; ++i)
        QVERIFY(pacer.tryStart(h, 0));
    QVERIFY(!pacer.tryStart(h, 0));
    QVERIFY(pacer.tryStart(h, 100));
    // A quiet spell refills the bucket to the burst, no further.
    int started = 0;
    while (pacer.tryStart(h, 60000))
        ++started;
    QCOMPARE(started, 5);
}

void tst_HostPacer::inFlightCap()
{
    HostPacing p;
    p.hostInFlight = 2;
    HostPacer pacer(p);
    const int a = pacer.hostIndex("http://a:80");
    const int b = pacer.hostIndex("http://b:80");
    QVERIFY(pacer.tryStart(a, 0));
    QVERIFY(pacer.tryStart(a, 0));
    QVERIFY(!pacer.tryStart(a, 0));
    QVERIFY(pacer.tryStart(b, 0)); // per host
    pacer.finish(a, HostPacer::Outcome::Success, 1);
    QVERIFY(pacer.tryStart(a, 1));
    QCOMPARE(pacer.snapshot(1).at(a).inFlight, 2);
}

void tst_HostPacer::breakerOpensProbesAndCloses()
{
    HostPacing p;
    p.breakerFailures = 3;
    p.breakerCooldownMs = 5000;
    HostPacer pacer(p);
    const int h = pacer.hostIndex("http://a:80");
    for (int i = 0; i < 3; ++i) {
        QVERIFY(pacer.tryStart(h, 0));
        QCOMPARE(pacer.snapshot(0).at(h).state, HostPaceInfo::State::Open);
        pacer.finish(h, HostPacer::Outcome::Failure, 10, QStringLiteral("HTTP 500"));
    }
    QCOMPARE(pacer.snapshot(10).at(h).state, HostPaceInfo::State::Broken);
    QCOMPARE(pacer.snapshot(10).at(h).nextAllowedMs, 5010);
    QVERIFY(!pacer.tryStart(h, 5009));
    QVERIFY(pacer.tryStart(h, 5010));  // the probe
    QVERIFY(!pacer.tryStart(h, 5010)); // one at a time
    pacer.finish(h, HostPacer::Outcome::Success, 5020);
    QCOMPARE(pacer.snapshot(5020).at(h).state, HostPaceInfo::State::Open);
    QVERIFY(pacer.tryStart(h, 5020));
    QVERIFY(pacer.tryStart(h, 5020));
}

void tst_HostPacer::breakerReopensWhenProbeFails()
{
    HostPacing p;
    p.breakerFailures = 1;
    p.breakerCooldownMs = 1000;
    HostPacer pacer(p);
    const int h = pacer.hostIndex("http://a:80");
    QVERIFY(pacer.tryStart(h, 0));
    pacer.finish(h, HostPacer::Outcome::Failure, 0);
    QVERIFY(pacer.tryStart(h, 1000));
    pacer.finish(h, HostPacer::Outcome::Failure, 1200);
    QVERIFY(!pacer.tryStart(h, 2199));
    QVERIFY(pacer.tryStart(h, 2200));
    // A probe that says nothing (its worker was lost) lets another go after the cool-down.
    pacer.finish(h, HostPacer::Outcome::Neutral, 2300);
    QCOMPARE(pacer.snapshot(2300).at(h).state, HostPaceInfo::State::Broken);
    QVERIFY(pacer.tryStart(h, 2300));
}

void tst_HostPacer::clientErrorsDoNotOpenTheBreaker()
{
    using O = HostPacer::Outcome;
    QCOMPARE(HostPacer::outcomeOf(quint8(ErrorKind::HttpStatus), 404), O::Success);
    QCOMPARE(HostPacer::outcomeOf(quint8(ErrorKind::HttpStatus), 429), O::Failure);
    QCOMPARE(HostPacer::outcomeOf(quint8(ErrorKind::HttpStatus), 503), O::Failure);
    QCOMPARE(HostPacer::outcomeOf(quint8(ErrorKind::Network), 0), O::Failure);
    QCOMPARE(HostPacer::outcomeOf(quint8(ErrorKind::Timeout), 0), O::Failure);
    QCOMPARE(HostPacer::outcomeOf(quint8(ErrorKind::Compute), 200), O::Success);
    QCOMPARE(HostPacer::outcomeOf(quint8(ErrorKind::Cancelled), 0), O::Neutral);
    QCOMPARE(HostPacer::outcomeOf(quint8(ErrorKind::WorkerLost), 0), O::Neutral);

    HostPacing p;
    p.breakerFailures = 2;
    HostPacer pacer(p);
    const int h = pacer.hostIndex("http://a:80");
    for (int i = 0; i < 10; ++i) {
        QVERIFY(pacer.tryStart(h, i));
        pacer.finish(h, i % 2 ? O::Failure : O::Success, i); // never two in a row
    }
    QCOMPARE(pacer.snapshot(10).at(h).state, HostPaceInfo::State::Open);
    QCOMPARE(pacer.snapshot(10).at(h).errors, 5);
}

void tst_HostPacer::retryAfterPausesAndIsCapped()
{
    HostPacing p;
    p.maxPauseMs = 60000;
    p.rates = {{QStringLiteral("*"), 10, 4}};
    HostPacer pacer(p);
    const int h = pacer.hostIndex("http://a:80");
    QVERIFY(pacer.tryStart(h, 0));
    pacer.pause(h, 100, 2000, QStringLiteral("HTTP 429"));
    QCOMPARE(pacer.snapshot(100).at(h).state, HostPaceInfo::State::Paused);
    QCOMPARE(pacer.snapshot(100).at(h).why, QStringLiteral("HTTP 429"));
    QVERIFY(!pacer.tryStart(h, 2099));
    // One request when the pause ends, not the whole burst the server just refused.
    QVERIFY(pacer.tryStart(h, 2100));
    QVERIFY(!pacer.tryStart(h, 2100));
    QCOMPARE(pacer.snapshot(2100).at(h).state, HostPaceInfo::State::Open);
    // An hour asked for: capped.
    pacer.pause(h, 3000, 3600 * 1000, QStringLiteral("HTTP 503"));
    QCOMPARE(pacer.snapshot(3000).at(h).nextAllowedMs, 63000);
    // A shorter pause does not shorten a longer one.
    pacer.pause(h, 4000, 10, QString());
    QVERIFY(!pacer.tryStart(h, 5000));
}

void tst_HostPacer::parkedTasksComeBackAsTheHostAllows()
{
    HostPacing p;
    p.rates = {{QStringLiteral("*"), 2, 0}}; // one per 500 ms
    HostPacer pacer(p);
    const int h = pacer.hostIndex("http://a:80");
    QVERIFY(pacer.tryStart(h, 0));
    for (int row = 0; row < 3; ++row)
        pacer.park(h, ReadyQueue::Entry{row, 0, 0});
    QCOMPARE(pacer.parked(), 3);
    QCOMPARE(pacer.nextWakeMs(0), 500);
    ReadyQueue ready;
    pacer.unpark(100, ready);
    QVERIFY(ready.empty());
    pacer.unpark(500, ready);
    QCOMPARE(ready.size(), size_t(1)); // one token: one task
    QCOMPARE(ready.pop().row, 0);
    QVERIFY(pacer.tryStart(h, 500));
    QCOMPARE(pacer.nextWakeMs(500), 1000);
    QCOMPARE(pacer.snapshot(500).at(h).waiting, 2);

    // The in-flight cap: a host at its cap wakes no one until a request ends.
    HostPacing capped;
    capped.hostInFlight = 1;
    HostPacer c(capped);
    const int k = c.hostIndex("http://b:80");
    QVERIFY(c.tryStart(k, 0));
    c.park(k, ReadyQueue::Entry{9, 0, 0});
    QCOMPARE(c.nextWakeMs(0), -1);
    c.finish(k, HostPacer::Outcome::Success, 5);
    QCOMPARE(c.nextWakeMs(5), 5);
    c.unpark(5, ready);
    QCOMPARE(ready.pop().row, 9);
    QCOMPARE(c.parked(), 0);
}

void tst_HostPacer::snapshotSaysWhy()
{
    HostPacing p;
    p.rates = {{QStringLiteral("a"), 50, 0}};
    p.breakerFailures = 1;
    HostPacer pacer(p);
    const int a = pacer.hostIndex("http://a:80");
    const int b = pacer.hostIndex("http://b:80");
    for (qint64 t = 0; t < 1000; t += 20)
        QVERIFY(pacer.tryStart(a, t));
    QVERIFY(pacer.tryStart(b, 0));
    pacer.finish(b, HostPacer::Outcome::Failure, 0, QStringLiteral("connection refused"));
    const QVector<HostPaceInfo> s = pacer.snapshot(1000);
    QCOMPARE(s.size(), 2);
    QCOMPARE(s[a].host, QStringLiteral("http://a:80"));
    QCOMPARE(s[a].limitPerSecond, 50.0);
    QCOMPARE(s[a].ratePerSecond, 50.0);
    QCOMPARE(s[a].inFlight, 50);
    QCOMPARE(s[b].state, HostPaceInfo::State::Broken);
    QCOMPARE(s[b].why, QStringLiteral("connection refused"));
    QCOMPARE(s[b].limitPerSecond, 0.0);
}

QTEST_GUILESS_MAIN(tst_HostPacer)
#include "tst_hostpacer.moc"
