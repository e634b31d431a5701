// The engine with real brigade-worker processes against a local HTTP test server.
#include "EngineHarness.h"
#include "Sanitizers.h"
#include "TestHttpServer.h"
#include "protocol/Messages.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QTest>
#include <QtEndian>

#include <csignal>
#include <sys/resource.h>

using namespace Brigade;
using namespace Brigade::Test;

class tst_Engine : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void computeResults();
    void completionOrderNotSubmissionOrder();
    void fetchResults();
    void retriesToSuccess();
    void retryingCountsTasksOnALaterAttempt();
    void simulatedFailuresAreRetried();
    void permanentFailures();
    void timeouts();
    void computeTimeoutFreesItsThread();
    void cancelRun();
    void cancelIsNoThroughput();
    void endedRunsRateIsItsAverage();
    void cancelOneTask();
    void retryFailedTasks();
    void thousandsOfConcurrentFetches();
    void hostConnectionsCappedByDefault();
    void httpRequestFieldsReachTheServer();
    void workerKilledMidRun();
    void garbageFromWorkerIsContained();
    void workerExitsWhenStdinCloses();
    void loadIsSampled();

private:
    TestHttpServer m_server;
    QByteArray url(const QByteArray &pathAndQuery) const
    {
        return m_server.baseUrl() + pathAndQuery;
    }
};

static QString fetchLine(const QString &id, const QByteArray &url, const QString &extra = {})
{
    return QStringLiteral(R"({"id":"%1","fetch":"%2"%3})")
            .arg(id, QString::fromUtf8(url),
                 extra.isEmpty() ? QString() : QLatin1Char(',') + extra);
}

void tst_Engine::initTestCase()
{
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    QVERIFY(m_server.listen());
}

void tst_Engine::computeResults()
{
    EngineHarness h;
    QVERIFY2(h.load({R"({"id":"s0","compute":{"op":"sum_to","n":0}})",
                     R"({"id":"s1","compute":{"op":"sum_to","n":100000}})",
                     R"({"id":"s2","compute":{"op":"sum_to","n":4294967295}})",
                     R"({"id":"abc","compute":{"op":"sha256","rounds":1}})",
                     R"({"id":"abc2","compute":{"op":"sha256","rounds":2}})",
                     R"({"id":"the cat the dog the cat","compute":{"op":"wordcount","top":2}})",
                     R"({"id":"d","fetch":{"delay_ms":5},"compute":{"op":"sum_to","n":10}})"}),
             qPrintable(h.lastError));
    h.start();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.succeeded, 7);
    QCOMPARE(h.state(QStringLiteral("s0")).result, QByteArray("0"));
    QCOMPARE(h.state(QStringLiteral("s1")).result, QByteArray("5000050000"));
    QCOMPARE(h.state(QStringLiteral("s2")).result, QByteArray("9223372034707292160"));
    const QByteArray h1 = QCryptographicHash::hash("abc", QCryptographicHash::Sha256);
    QCOMPARE(h.state(QStringLiteral("abc")).result, '"' + h1.toHex() + '"');
    // The id is the input when nothing is fetched.
    const QByteArray h2
            = QCryptographicHash::hash(QCryptographicHash::hash("abc2", QCryptographicHash::Sha256),
                                       QCryptographicHash::Sha256);
    QCOMPARE(h.state(QStringLiteral("abc2")).result, '"' + h2.toHex() + '"');
    // the id is the input: "the" x3, then "cat" x2 before "dog"
    QCOMPARE(h.state(QStringLiteral("the cat the dog the cat")).result,
             QByteArray(R"([["the",3],["cat",2]])"));
    QCOMPARE(h.state(QStringLiteral("d")).result, QByteArray("55"));
    QCOMPARE(h.state(QStringLiteral("s1")).attempts, quint16(1));
    QCOMPARE(h.finishedOrder.size(), 7);
}

void tst_Engine::completionOrderNotSubmissionOrder()
{
    EngineHarness h;
    h.settings.workers = 1;
    QVERIFY(h.load({R"({"id":"slow","fetch":{"delay_ms":600}})",
                    R"({"id":"medium","fetch":{"delay_ms":300}})",
                    R"({"id":"fast","fetch":{"delay_ms":1}})"}));
    h.start();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.finishedOrder,
             (QVector<int>{h.row(QStringLiteral("fast")), h.row(QStringLiteral("medium")),
                           h.row(QStringLiteral("slow"))}));
    QCOMPARE(h.state(QStringLiteral("slow")).result, QByteArray(R"({"delay_ms":600})"));
    QVERIFY(h.state(QStringLiteral("slow")).fetchUs >= 600000);
}

void tst_Engine::fetchResults()
{
    EngineHarness h;
    const QByteArray body = TestHttpServer::body(4096, 3);
    QVERIFY(h.load({fetchLine(QStringLiteral("sha"), url("/delay?ms=10&bytes=4096&seed=3"),
                              QStringLiteral(R"("compute":{"op":"sha256","rounds":3})")),
                    fetchLine(QStringLiteral("plain"), url("/delay?ms=0&bytes=100&seed=1")),
                    fetchLine(QStringLiteral("words"), url("/delay?ms=0&bytes=4096&seed=3"),
                              QStringLiteral(R"("compute":{"op":"wordcount","top":1})"))}));
    h.start();
    QVERIFY(h.waitFinished());
    QByteArray d = body;
    for (int i = 0; i < 3; ++i)
        d = QCryptographicHash::hash(d, QCryptographicHash::Sha256);
    const TaskState sha = h.state(QStringLiteral("sha"));
    QCOMPARE(sha.status, TaskStatus::Succeeded);
    QCOMPARE(sha.result, '"' + d.toHex() + '"');
    QCOMPARE(sha.httpStatus, quint16(200));
    QCOMPARE(sha.bytes, 4096);
    QCOMPARE(h.state(QStringLiteral("plain")).result, QByteArray(R"({"status":200,"bytes":100})"));
    const QJsonArray top = QJsonDocument::fromJson(h.state(QStringLiteral("words")).result).array();
    QCOMPARE(top.size(), 1);
    QVERIFY(top[0].toArray()[1].toInt() > 1);
}

void tst_Engine::retriesToSuccess()
{
    EngineHarness h;
    QVERIFY(h.load({fetchLine(QStringLiteral("flaky"), url("/flaky?key=r1&fails=2"),
                              QStringLiteral(R"("max_attempts":3)"))}));
    h.start();
    QVERIFY(h.waitFinished());
    const TaskState st = h.state(QStringLiteral("flaky"));
    QCOMPARE(st.status, TaskStatus::Succeeded);
    QCOMPARE(st.attempts, quint16(3));
    const auto history = h.store().attemptHistory(h.row(QStringLiteral("flaky")));
    QCOMPARE(history.size(), 2);
    QCOMPARE(history[0].httpStatus, quint16(503));
    QCOMPARE(history[1].attempt, quint16(2));
    QCOMPARE(h.finishedOrder.size(), 1);
    // The workers' counts tell attempts from tasks: three attempts, one task.
    qint64 attempts = 0, tasks = 0;
    for (const WorkerInfo &w : h.loadSamples.last().workers) {
        attempts += w.finished;
        tasks += w.tasksEnded;
    }
    QCOMPARE(attempts, qint64(3));
    QCOMPARE(tasks, qint64(1));
}

void tst_Engine::retryingCountsTasksOnALaterAttempt()
{
    // A task on its second attempt is retrying, not running, until it ends.
    EngineHarness h;
    QVERIFY(h.load({fetchLine(QStringLiteral("hang"), url("/hang"),
                              QStringLiteral(R"("timeout_ms":1500,"max_attempts":2)")),
                    fetchLine(QStringLiteral("hang2"), url("/hang"),
                              QStringLiteral(R"("timeout_ms":30000,"max_attempts":1)"))}));
    h.start();
    QTRY_VERIFY_WITH_TIMEOUT(h.lastStats.running == 2, 10000);
    QCOMPARE(h.lastStats.retrying, 0);
    QTRY_VERIFY_WITH_TIMEOUT(h.state(QStringLiteral("hang")).attempts == 2
                                     && h.state(QStringLiteral("hang")).status
                                                == TaskStatus::Running
                                     && h.lastStats.retrying == 1,
                             10000);
    QCOMPARE(h.lastStats.running, 1);
    QCOMPARE(h.lastStats.queued, 0);
    QCOMPARE(h.lastStats.total, 2);
    h.engine().cancel();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.retrying, 0);
    QCOMPARE(h.lastStats.cancelled, 2);
}

void tst_Engine::simulatedFailuresAreRetried()
{
    EngineHarness h;
    QStringList lines{R"({"id":"always","fetch":{"delay_ms":1,"fail_rate":1},"max_attempts":2})"};
    for (int i = 0; i < 200; ++i)
        lines << QStringLiteral(R"({"id":"f%1","fetch":{"delay_ms":[1,5],"fail_rate":0.5},)"
                                R"("max_attempts":40})")
                         .arg(i);
    QVERIFY(h.load(lines));
    h.start();
    QVERIFY(h.waitFinished(20000));
    const TaskState always = h.state(QStringLiteral("always"));
    QCOMPARE(always.status, TaskStatus::Failed);
    QCOMPARE(always.error, ErrorKind::Network); // transient: it was retried
    QCOMPARE(always.attempts, quint16(2));
    QVERIFY2(always.message.toString().startsWith(QLatin1String("simulated failure")),
             qPrintable(always.message));
    int retried = 0;
    for (int i = 0; i < 200; ++i) {
        const QString id = QStringLiteral("f%1").arg(i);
        const TaskState st = h.state(id);
        QCOMPARE(st.status, TaskStatus::Succeeded);
        QCOMPARE(qsizetype(h.store().attemptHistory(h.row(id)).size()), qsizetype(st.attempts - 1));
        retried += st.attempts > 1;
    }
    // Half the attempts fail: about 100 of 200 tasks need a second one.
    QVERIFY2(retried > 60 && retried < 140, qPrintable(QString::number(retried)));
    QCOMPARE(h.lastStats.failed, 1);
}

void tst_Engine::permanentFailures()
{
    EngineHarness h;
    QVERIFY(h.load({fetchLine(QStringLiteral("404"), url("/status?code=404")),
                    fetchLine(QStringLiteral("500"), url("/status?code=500"),
                              QStringLiteral(R"("max_attempts":2)")),
                    fetchLine(QStringLiteral("refused"), "http://127.0.0.1:1/x",
                              QStringLiteral(R"("max_attempts":2)")),
                    QStringLiteral(R"({"id":"big","fetch":{"url":"%1","max_bytes":1000}})")
                            .arg(QString::fromUtf8(url("/big?bytes=5000")))}));
    h.start();
    QVERIFY(h.waitFinished());
    const TaskState a = h.state(QStringLiteral("404"));
    QCOMPARE(a.status, TaskStatus::Failed);
    QCOMPARE(a.attempts, quint16(1)); // 4xx is not retried
    QCOMPARE(a.httpStatus, quint16(404));
    QCOMPARE(a.error, ErrorKind::HttpStatus);
    const TaskState b = h.state(QStringLiteral("500"));
    QCOMPARE(b.status, TaskStatus::Failed);
    QCOMPARE(b.attempts, quint16(2));
    const TaskState c = h.state(QStringLiteral("refused"));
    QCOMPARE(c.status, TaskStatus::Failed);
    QCOMPARE(c.error, ErrorKind::Network);
    QCOMPARE(c.attempts, quint16(2));
    const TaskState d = h.state(QStringLiteral("big"));
    QCOMPARE(d.status, TaskStatus::Failed);
    QCOMPARE(d.error, ErrorKind::TooLarge);
    QCOMPARE(h.lastStats.failed, 4);
}

void tst_Engine::timeouts()
{
    // The slow body's headers must arrive within its timeout, also in a sanitized worker;
    // the whole body (10 s) never does.
    const int slowTimeoutMs = 400 * Test::SanitizerSlowdown;
    EngineHarness h;
    QVERIFY(h.load(
            {fetchLine(QStringLiteral("hang"), url("/hang"),
                       QStringLiteral(R"("timeout_ms":200,"max_attempts":2)")),
             fetchLine(QStringLiteral("slowbody"),
                       url("/slow?bytes=100000&chunk=100&interval_ms=10"),
                       QStringLiteral(R"("timeout_ms":%1,"max_attempts":1)").arg(slowTimeoutMs)),
             R"({"id":"slowdelay","fetch":{"delay_ms":5000},"timeout_ms":100,"max_attempts":1})"}));
    h.start();
    QVERIFY(h.waitFinished(20000));
    const TaskState st = h.state(QStringLiteral("hang"));
    QCOMPARE(st.status, TaskStatus::Failed);
    QCOMPARE(st.error, ErrorKind::Timeout);
    QCOMPARE(st.attempts, quint16(2));
    QVERIFY(st.message.toString().contains(QLatin1String("200 ms")));
    // A timed-out fetch reports how long it ran and what it got, not 0 ms and no bytes.
    QVERIFY2(st.fetchUs >= 190000, qPrintable(QString::number(st.fetchUs)));
    QCOMPARE(st.bytes, 0);
    const TaskState slow = h.state(QStringLiteral("slowbody"));
    QCOMPARE(slow.error, ErrorKind::Timeout);
    QCOMPARE(slow.httpStatus, quint16(200));
    QVERIFY2(slow.fetchUs >= (slowTimeoutMs - 10) * 1000,
             qPrintable(QString::number(slow.fetchUs)));
    QVERIFY2(slow.bytes > 0 && slow.bytes < 100000, qPrintable(QString::number(slow.bytes)));
    const TaskState delay = h.state(QStringLiteral("slowdelay"));
    QCOMPARE(delay.error, ErrorKind::Timeout);
    QVERIFY(delay.fetchUs >= 90000);
    QCOMPARE(delay.bytes, -1); // nothing is fetched by a simulated delay
    QVERIFY(h.lastStats.elapsedMs < 4000);
}

void tst_Engine::computeTimeoutFreesItsThread()
{
    // A compute that times out stops, so the task queued behind it on the worker's one
    // compute thread runs instead of waiting seconds for a sum nobody wants (the timed-out
    // attempt's cancel flag reaches the compute thread).
    EngineHarness h;
    h.settings.workers = 1;
    h.settings.computeThreads = 1;
    QVERIFY(h.load(
            {R"({"id":"huge","compute":{"op":"sum_to","n":4294967295},"timeout_ms":100,"max_attempts":1})",
             QStringLiteral(
                     R"({"id":"next","compute":{"op":"sum_to","n":100000},"timeout_ms":%1,"max_attempts":1})")
                     .arg(600 * Test::SanitizerSlowdown)}));
    h.start();
    QVERIFY(h.waitFinished(20000));
    QCOMPARE(h.state(QStringLiteral("huge")).error, ErrorKind::Timeout);
    const TaskState next = h.state(QStringLiteral("next"));
    QCOMPARE(next.status, TaskStatus::Succeeded);
    QCOMPARE(next.result, QByteArray("5000050000"));
}

void tst_Engine::cancelRun()
{
    EngineHarness h;
    QStringList lines;
    for (int i = 0; i < 500; ++i)
        lines << QStringLiteral(R"({"fetch":{"delay_ms":%1}})").arg(i < 10 ? 1 : 30000);
    QVERIFY(h.load(lines));
    h.start();
    QTRY_COMPARE_WITH_TIMEOUT(h.finishedOrder.size(), 10, 20000);
    h.engine().cancel();
    QVERIFY(h.waitFinished(10000));
    QCOMPARE(h.lastStats.succeeded, 10);
    QCOMPARE(h.lastStats.cancelled, 490);
    QCOMPARE(h.finishedOrder.size(), 500);
    QCOMPARE(QSet<int>(h.finishedOrder.begin(), h.finishedOrder.end()).size(), 500);
}

void tst_Engine::cancelIsNoThroughput()
{
    // Tasks ended by a cancel did no work: the rate (and the chart drawn from it) stays 0
    // instead of jumping by every task cancelled at once.
    EngineHarness h;
    QStringList lines;
    for (int i = 0; i < 200; ++i)
        lines << QStringLiteral(R"({"fetch":{"delay_ms":30000}})");
    QVERIFY(h.load(lines));
    h.start();
    QTRY_VERIFY_WITH_TIMEOUT(h.lastStats.running == 200, 20000);
    h.engine().cancel();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.cancelled, 200);
    QCOMPARE(h.lastStats.rate, 0.0);
    for (const LoadSample &s : std::as_const(h.loadSamples))
        QCOMPARE(s.tasksPerSecond, 0.0);
}

void tst_Engine::endedRunsRateIsItsAverage()
{
    // 100 quick tasks and one straggler of 3.5 s: while it runs the recent rate falls to 0,
    // but the ended run's rate is the whole run's, tasks ended over the time they took.
    EngineHarness h;
    QStringList lines;
    for (int i = 0; i < 100; ++i)
        lines << QStringLiteral(R"({"compute":{"op":"sum_to","n":10}})");
    lines << QStringLiteral(R"({"id":"straggler","fetch":{"delay_ms":3500}})");
    QVERIFY(h.load(lines));
    h.start();
    QVERIFY(h.waitFinished(30000));
    QCOMPARE(h.lastStats.succeeded, 101);
    QVERIFY(h.lastStats.elapsedMs >= 3500);
    const double average = 101 * 1000.0 / double(h.lastStats.elapsedMs);
    QVERIFY2(qAbs(h.lastStats.rate - average) < average * 0.1,
             qPrintable(QStringLiteral("rate %1, average %2").arg(h.lastStats.rate).arg(average)));
}

void tst_Engine::cancelOneTask()
{
    EngineHarness h;
    QVERIFY(h.load({R"({"id":"long","fetch":{"delay_ms":30000}})",
                    R"({"id":"short","fetch":{"delay_ms":300}})"}));
    h.start();
    QTRY_COMPARE_WITH_TIMEOUT(h.state(QStringLiteral("long")).status, TaskStatus::Running, 10000);
    h.engine().cancelTasks({h.row(QStringLiteral("long"))});
    QVERIFY(h.waitFinished(10000));
    QCOMPARE(h.state(QStringLiteral("long")).status, TaskStatus::Cancelled);
    QCOMPARE(h.state(QStringLiteral("short")).status, TaskStatus::Succeeded);
}

void tst_Engine::retryFailedTasks()
{
    EngineHarness h;
    m_server.setFailing(true);
    QStringList lines;
    for (int i = 0; i < 20; ++i)
        lines << fetchLine(QStringLiteral("m%1").arg(i),
                           url("/maybe?key=m" + QByteArray::number(i)),
                           QStringLiteral(R"("max_attempts":1)"));
    lines << R"({"id":"fine","compute":{"op":"sum_to","n":3}})";
    QVERIFY(h.load(lines));
    h.start();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.failed, 20);
    const QVector<int> failed = h.store().rowsWithStatus(TaskStatus::Failed);
    QCOMPARE(failed.size(), 20);
    m_server.setFailing(false);
    h.isFinished = false;
    h.finishedOrder.clear();
    h.engine().retryTasks(failed);
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.succeeded, 21);
    QCOMPARE(h.finishedOrder.size(), 20);                         // only the retried ones ran again
    QCOMPARE(h.state(QStringLiteral("m3")).attempts, quint16(1)); // fresh attempt count
    QCOMPARE(h.state(QStringLiteral("fine")).result, QByteArray("6"));
}

void tst_Engine::thousandsOfConcurrentFetches()
{
    EngineHarness h;
    QStringList lines;
    for (int i = 0; i < 3000; ++i)
        lines << fetchLine(QStringLiteral("c%1").arg(i),
                           url("/delay?ms=400&bytes=64&seed=" + QByteArray::number(i)));
    QVERIFY(h.load(lines));
    const int before = m_server.requestCount();
    h.settings.maxHostConnections = 0; // a server built for it: no cap
    h.start();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.succeeded, 3000);
    QCOMPARE(m_server.requestCount() - before, 3000);
    // Far more than 6 per host at once, or this takes 3000 * 0.4 / 12 s.
    QVERIFY2(m_server.peakInFlight() > 1000, qPrintable(QString::number(m_server.peakInFlight())));
}

void tst_Engine::hostConnectionsCappedByDefault()
{
    // The default is polite: a few hundred connections to a host for the whole run, shared
    // by the workers, however many requests are in flight.
    // Each request takes 300 ms so that one worker's half of the batch lasts over a second:
    // a second worker that starts late on a loaded machine still overlaps the first (at
    // 50 ms the first could finish its half alone, leaving the peak at one worker's share).
    EngineHarness h;
    h.settings.workers = 2;
    QStringList lines;
    for (int i = 0; i < 1200; ++i)
        lines << fetchLine(QStringLiteral("p%1").arg(i),
                           url("/delay?ms=300&bytes=16&seed=" + QByteArray::number(i)));
    QVERIFY(h.load(lines));
    m_server.resetCounters();
    h.start();
    QVERIFY(h.waitFinished(60000));
    QCOMPARE(h.lastStats.succeeded, 1200);
    const int cap = RunSettings().maxHostConnections;
    QCOMPARE(cap, 256);
    QVERIFY2(m_server.peakInFlight() <= cap, qPrintable(QString::number(m_server.peakInFlight())));
    QVERIFY2(m_server.peakInFlight() > cap / 2,
             qPrintable(QString::number(m_server.peakInFlight())));
    QVERIFY2(m_server.connectionCount() <= cap,
             qPrintable(QString::number(m_server.connectionCount())));
}

void tst_Engine::httpRequestFieldsReachTheServer()
{
    // Method, body, credentials and secret headers through the batch, the engine, the
    // protocol and the worker's client.
    qputenv("BRIGADE_ENGINE_TEST_PASSWORD", "s3cret");
    qputenv("BRIGADE_ENGINE_TEST_TOKEN", "token-1");
    EngineHarness h;
    QVERIFY2(
            h.load({QStringLiteral(
                            R"({"id":"post","fetch":{"url":"%1","method":"POST","body":"a=1&b=2",)"
                            R"("auth":{"user":"ann","password_env":"BRIGADE_ENGINE_TEST_PASSWORD"},)"
                            R"("headers":{"Cookie":{"env":"BRIGADE_ENGINE_TEST_TOKEN"},"X-Plain":"p"}}})")
                            .arg(QString::fromUtf8(url("/echo")))}),
            qPrintable(h.lastError));
    qunsetenv("BRIGADE_ENGINE_TEST_PASSWORD");
    qunsetenv("BRIGADE_ENGINE_TEST_TOKEN");
    h.start();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.state(QStringLiteral("post")).status, TaskStatus::Succeeded);
    const QByteArray head = m_server.lastRequestHead();
    QVERIFY2(head.startsWith("POST /echo HTTP/1.1\r\n"), head.constData());
    QVERIFY(head.contains("\r\nAuthorization: Basic " + QByteArray("ann:s3cret").toBase64()
                          + "\r\n"));
    QVERIFY(head.contains("\r\nCookie: token-1\r\n"));
    QVERIFY(head.contains("\r\nX-Plain: p\r\n"));
    QCOMPARE(m_server.lastRequestBody(), QByteArray("a=1&b=2"));
}

void tst_Engine::workerKilledMidRun()
{
    EngineHarness h;
    QStringList lines;
    for (int i = 0; i < 4000; ++i)
        lines << QStringLiteral(
                         R"({"fetch":{"delay_ms":[20,300]},"compute":{"op":"sum_to","n":%1}})")
                         .arg(i);
    QVERIFY(h.load(lines));
    h.settings.concurrency = 500;
    h.start();
    QTRY_VERIFY_WITH_TIMEOUT(h.finishedOrder.size() > 500, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!h.loadSamples.isEmpty() && h.loadSamples.last().workers.size() == 2
                                     && h.loadSamples.last().workers[0].pid > 0,
                             10000);
    const qint64 pid = h.loadSamples.last().workers[0].pid;
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.succeeded, 4000);
    QCOMPARE(h.finishedOrder.size(), 4000);
    QCOMPARE(QSet<int>(h.finishedOrder.begin(), h.finishedOrder.end()).size(), 4000);
    QVERIFY(h.workerMessages.join(QLatin1Char('\n')).contains(QLatin1String("lost")));
    // Every sum is right, including those whose first attempt died with the worker.
    for (int i = 0; i < 4000; i += 97)
        QCOMPARE(h.store().state(i).result, QByteArray::number(qint64(i) * (i + 1) / 2));
    bool someRetried = false;
    for (int i = 0; i < 4000 && !someRetried; ++i)
        someRetried = h.store().state(i).attempts == 2;
    QVERIFY(someRetried);
}

void tst_Engine::garbageFromWorkerIsContained()
{
    EngineHarness h;
    h.settings.workers = 1;
    h.settings.maxWorkerRestarts = 2;
    h.settings.workerProgram = QStringLiteral("/bin/sh");
    h.settings.workerArguments
            = {QStringLiteral("-c"), QStringLiteral("printf 'this is not a frame'; exec sleep 30")};
    QVERIFY(h.load({R"({"id":"a","compute":{"op":"sum_to","n":1}})"}));
    h.start();
    QVERIFY(h.waitFinished(20000));
    QCOMPARE(h.state(QStringLiteral("a")).status, TaskStatus::Cancelled);
    QVERIFY(h.workerMessages.join(QLatin1Char('\n')).contains(QLatin1String("bad frame")));
}

void tst_Engine::workerExitsWhenStdinCloses()
{
    QProcess worker;
    worker.start(QStringLiteral(BRIGADE_WORKER_PATH), {});
    QVERIFY(worker.waitForStarted());
    // Busy with a long compute when its input goes away.
    QByteArray frames;
    ConfigureMsg cfg;
    Wire::encodeConfigure(&frames, cfg);
    Wire::AssignBuilder b(&frames);
    AssignTask t;
    t.row = 0;
    t.attempt = 1;
    t.op = 1;                                                // sum_to
    const quint64 n = qToLittleEndian(quint64(4294967295u)); // seconds of looping
    t.params = QByteArray(reinterpret_cast<const char *>(&n), 8);
    b.add(t);
    b.finish();
    worker.write(frames);
    QVERIFY(worker.waitForBytesWritten());
    QTRY_VERIFY_WITH_TIMEOUT(worker.bytesAvailable() > 0, 5000); // hello at least
    worker.closeWriteChannel();
    QVERIFY(worker.waitForFinished(10000));
}

void tst_Engine::loadIsSampled()
{
    EngineHarness h;
    QVERIFY(h.load({R"({"fetch":{"delay_ms":1200}})"}));
    h.start();
    QVERIFY(h.waitFinished());
    QVERIFY(h.loadSamples.size() >= 3); // several per second
    const LoadSample &s = h.loadSamples.last();
    QCOMPARE(s.cores.size(), QThread::idealThreadCount());
    for (double u : s.cores)
        QVERIFY(u >= 0.0 && u <= 1.0);
    QCOMPARE(s.workers.size(), 2);
}

QTEST_GUILESS_MAIN(tst_Engine)
#include "tst_engine.moc"
