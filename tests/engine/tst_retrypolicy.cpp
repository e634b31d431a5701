// Which failures retry, and the backoff between attempts.
#include "core/RetryPolicy.h"

#include <QTest>

using namespace Brigade;

class tst_RetryPolicy : public QObject
{
    Q_OBJECT
private slots:
    void decisions_data();
    void decisions();
    void backoffGrowsAndIsJittered();
    void retryAfterIsHonoured();
    void backoffIsCapped();
};

void tst_RetryPolicy::decisions_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("retry");
    QTest::newRow("network") << int(ErrorKind::Network) << 0 << true;
    QTest::newRow("timeout") << int(ErrorKind::Timeout) << 0 << true;
    QTest::newRow("500") << int(ErrorKind::HttpStatus) << 500 << true;
    QTest::newRow("503") << int(ErrorKind::HttpStatus) << 503 << true;
    QTest::newRow("429") << int(ErrorKind::HttpStatus) << 429 << true;
    QTest::newRow("404") << int(ErrorKind::HttpStatus) << 404 << false;
    QTest::newRow("400") << int(ErrorKind::HttpStatus) << 400 << false;
    QTest::newRow("compute") << int(ErrorKind::Compute) << 0 << false;
    QTest::newRow("too large") << int(ErrorKind::TooLarge) << 0 << false;
    QTest::newRow("bad input") << int(ErrorKind::BadInput) << 0 << false;
    QTest::newRow("worker lost") << int(ErrorKind::WorkerLost) << 0 << true;
    QTest::newRow("success") << int(ErrorKind::None) << 200 << false;
}

void tst_RetryPolicy::decisions()
{
    QFETCH(int, kind);
    QFETCH(int, status);
    QFETCH(bool, retry);
    AttemptResult r;
    r.error = ErrorKind(kind);
    r.httpStatus = quint16(status);
    RetryPolicy p;
    QCOMPARE(p.shouldRetry(r), retry);
}

void tst_RetryPolicy::backoffGrowsAndIsJittered()
{
    RetryPolicy p;
    p.baseDelayMs = 100;
    p.maxDelayMs = 100000;
    std::mt19937 rng(1);
    for (int attempt = 1; attempt <= 6; ++attempt) {
        const quint32 cap = 100u << (attempt - 1);
        quint32 lo = UINT32_MAX, hi = 0;
        for (int i = 0; i < 2000; ++i) {
            const quint32 d = p.backoffMs(attempt, 0, rng);
            QVERIFY(d <= cap);
            lo = qMin(lo, d);
            hi = qMax(hi, d);
        }
        // Full jitter: the draws cover most of [0, cap].
        QVERIFY2(lo < cap / 10 && hi > cap * 9 / 10,
                 qPrintable(QStringLiteral("attempt %1: %2..%3").arg(attempt).arg(lo).arg(hi)));
    }
}

void tst_RetryPolicy::retryAfterIsHonoured()
{
    RetryPolicy p;
    std::mt19937 rng(2);
    for (int i = 0; i < 100; ++i)
        QVERIFY(p.backoffMs(1, 5000, rng) >= 5000);
    p.honourRetryAfter = false;
    quint32 maxSeen = 0;
    for (int i = 0; i < 100; ++i)
        maxSeen = qMax(maxSeen, p.backoffMs(1, 5000, rng));
    QVERIFY(maxSeen <= p.baseDelayMs);
}

void tst_RetryPolicy::backoffIsCapped()
{
    RetryPolicy p;
    p.baseDelayMs = 1000;
    p.maxDelayMs = 3000;
    std::mt19937 rng(3);
    for (int i = 0; i < 1000; ++i)
        QVERIFY(p.backoffMs(40, 0, rng) <= 3000);
}

QTEST_GUILESS_MAIN(tst_RetryPolicy)
#include "tst_retrypolicy.moc"
