// Failures grouped by cause, over the messages real workers write: tasks that fail against
// the local test server, a closed port, missing files, timeouts and simulated flaky IO,
// grouped live by the engine and again from the run's journal.
#include "TestFiles.h"
#include "TestHttpServer.h"
#include "failures/FailureGroups.h"
#include "journal/Journal.h"
#include "session/RunSession.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;
using namespace Brigade::Test;

class tst_FailureGroups : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void sameCause_data();
    void sameCause();
    void liveGroupsAddUp();
    void journalGivesTheSameGroups();
    void recoveredTasksLeaveTheirGroup();
    void findsTheRowsOfAGroup();
    // Bookkeeping of the groups themselves, with causes made up for the purpose.
    void histogramStretchesWithTime();
    void tooManyCausesShareAGroup();
    void summaryMergesByFewerFields();
    void exampleIsATaskOfTheGroup();
    void hostOfUrl_data();
    void hostOfUrl();
    void exitCodesAreCauses();

private:
    int rowOf(const QString &id) const { return m_run->store()->rowOf(id); }

    QTemporaryDir m_dir;
    TestHttpServer m_server;
    quint16 m_closedPort = 0;
    QString m_journal;
    std::unique_ptr<RunSession> m_run;
    FailureSummary m_live;
    QDateTime m_startedAt;
};

void tst_FailureGroups::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
    {
        QTcpServer probe; // a port nobody listens on once it is closed
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        m_closedPort = probe.serverPort();
    }
    const QByteArray closed = "http://127.0.0.1:" + QByteArray::number(m_closedPort);
    const QByteArray missing = m_dir.filePath(QStringLiteral("nothing-here")).toUtf8();
    auto url = [](const QByteArray &id, const QByteArray &u, const QByteArray &extra = {}) {
        return "{\"id\":\"" + id + "\",\"fetch\":{\"url\":\"" + u + "\"" + extra + "}}\n";
    };
    QByteArray batch;
    batch += "{\"defaults\":{\"max_attempts\":1}}\n";
    batch += url("hang-1", m_server.url("/hang?item=123"), ",\"timeout_ms\":150");
    batch += url("hang-2", m_server.url("/hang?item=456"), ",\"timeout_ms\":150");
    batch += url("missing-404-1", m_server.url("/item/123"));
    batch += url("missing-404-2", m_server.url("/item/456"));
    batch += url("error-500", m_server.url("/status?code=500"));
    batch += url("refused-1", closed + "/a/1");
    batch += url("refused-2", closed + "/b/2");
    batch += url("file-1", "file://" + missing + "/one.txt");
    batch += url("file-2", "file://" + missing + "/two.txt");
    batch += url("large-1", m_server.url("/big?bytes=5000"), ",\"max_bytes\":100");
    batch += url("large-2", m_server.url("/big?bytes=7000"), ",\"max_bytes\":100");
    batch += "{\"id\":\"flaky-1\",\"fetch\":{\"delay_ms\":1,\"fail_rate\":1}}\n";
    batch += "{\"id\":\"flaky-2\",\"fetch\":{\"delay_ms\":[2,5],\"fail_rate\":1}}\n";
    // Retried until it succeeds: its failed attempt counts, the task is in no group.
    batch += "{\"id\":\"recovers\",\"max_attempts\":3,\"fetch\":\""
             + m_server.url("/flaky?key=r&fails=1") + "\"}\n";
    batch += "{\"id\":\"fine\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n";
    const QString path = writeTestFile(m_dir, QStringLiteral("failing.jsonl"), batch);

    Result<OpenedRun> opened = RunSession::open(path);
    QVERIFY2(opened, qPrintable(opened.error()));
    QVERIFY2(!opened->batch->hasErrors(), qPrintable(opened->batch->errors.value(0).toString()));
    m_journal = m_dir.filePath(QStringLiteral("failing.journal"));
    m_run = std::make_unique<RunSession>();
    m_run->setJournalPath(m_journal);
    m_run->adopt(std::move(*opened));
    connect(m_run.get(), &RunSession::failuresChanged, this,
            [this](const FailureSummary &s) { m_live = s; });
    RunSettings settings;
    settings.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    settings.workers = 2;
    settings.seed = 3;
    settings.retry.baseDelayMs = 10;
    settings.retry.maxDelayMs = 20;
    m_startedAt = QDateTime::currentDateTime();
    QSignalSpy finished(m_run.get(), &RunSession::finished);
    const Result<Job *> job = m_run->run(settings);
    QVERIFY2(job, qPrintable(job.error()));
    QVERIFY(finished.wait(60000));
}

void tst_FailureGroups::sameCause_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    auto row = [](const char *a, const char *b, bool same) {
        QTest::addRow("%s %s %s", a, same ? "=" : "!=", b)
                << QString::fromLatin1(a) << QString::fromLatin1(b) << same;
    };
    row("hang-1", "hang-2", true); // timeouts on two items
    row("missing-404-1", "missing-404-2", true);
    row("missing-404-1", "error-500", false);
    row("refused-1", "refused-2", true); // two paths on one closed port
    row("refused-1", "hang-1", false);
    row("file-1", "file-2", true);
    row("file-1", "refused-1", false);
    row("large-1", "large-2", true);
    row("flaky-1", "flaky-2", true);
    row("flaky-1", "refused-1", false); // both network errors, different messages
    row("hang-1", "missing-404-1", false);
}

void tst_FailureGroups::sameCause()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    // The engine's groups, asked for the rows of a's group.
    const int rowA = rowOf(a);
    const int rowB = rowOf(b);
    QVERIFY(rowA >= 0 && rowB >= 0);
    const TaskState stA = m_run->store()->state(rowA);
    const TaskState stB = m_run->store()->state(rowB);
    QCOMPARE(stA.status, TaskStatus::Failed);
    QCOMPARE(stB.status, TaskStatus::Failed);
    const FailureCause causeA = FailureCause::of(m_run->store()->spec(rowA), stA);
    const FailureCause causeB = FailureCause::of(m_run->store()->spec(rowB), stB);
    QVERIFY2((causeA == causeB) == same,
             qPrintable(QStringLiteral("%1 | %2").arg(causeA.label(), causeB.label())));
    // The live groups agree: one group has both, or each is in another.
    int groupA = -1, groupB = -1;
    for (const FailureGroup &g : m_live.groups) {
        if (g.cause == causeA)
            groupA = g.ids.first();
        if (g.cause == causeB)
            groupB = g.ids.first();
    }
    QVERIFY(groupA >= 0 && groupB >= 0);
    QCOMPARE(groupA == groupB, same);
}

void tst_FailureGroups::liveGroupsAddUp()
{
    QCOMPARE(m_live.failedTasks, qint64(13));
    QCOMPARE(m_live.retryingTasks, qint64(0));
    QCOMPARE(m_live.failedAttempts, qint64(14)); // and the one that recovered
    // timeouts, 404, 500, refused, files, too large, flaky: 7 with tasks, 1 recovered (503).
    QCOMPARE(m_live.activeGroupCount, 7);
    QCOMPARE(m_live.groupCount, 8);
    qint64 tasks = 0;
    const qint64 before = m_startedAt.toMSecsSinceEpoch() - 1000;
    const qint64 after = QDateTime::currentMSecsSinceEpoch() + 1000;
    for (const FailureGroup &g : m_live.groups) {
        tasks += g.tasks();
        QVERIFY(!g.cause.signature.isEmpty());
        QVERIFY(g.firstAtMs >= before && g.firstAtMs <= g.lastAtMs && g.lastAtMs <= after);
        quint32 inHistogram = 0;
        for (quint32 n : g.histogram)
            inHistogram += n;
        QCOMPARE(qint64(inHistogram), g.attempts);
        QCOMPARE(g.workerHosts.size(), 1);
        QCOMPARE(g.workerHosts.first().second, g.attempts);
        QVERIFY2(!g.workerHosts.first().first.isEmpty(), qPrintable(g.cause.label()));
        if (g.tasks() > 0) {
            QVERIFY(g.exampleRow >= 0);
            QCOMPARE(m_run->store()->spec(g.exampleRow).id, g.exampleId);
            QCOMPARE(m_run->store()->state(g.exampleRow).message, g.exampleMessage);
        }
    }
    QCOMPARE(tasks, qint64(13));
    // Ordered by tasks: the groups of two come before the groups of one.
    for (int i = 1; i < m_live.groups.size(); ++i)
        QVERIFY(m_live.groups[i - 1].tasks() >= m_live.groups[i].tasks());
}

void tst_FailureGroups::journalGivesTheSameGroups()
{
    Result<OpenedRun> opened = RunSession::open(m_journal);
    QVERIFY2(opened, qPrintable(opened.error()));
    QVERIFY(opened->failures);
    const FailureSummary fromJournal = opened->failures->summary();
    QCOMPARE(fromJournal.failedTasks, m_live.failedTasks);
    QCOMPARE(fromJournal.failedAttempts, m_live.failedAttempts);
    QCOMPARE(fromJournal.groupCount, m_live.groupCount);
    QCOMPARE(fromJournal.groups.size(), m_live.groups.size());
    for (const FailureGroup &live : m_live.groups) {
        const auto it = std::find_if(fromJournal.groups.cbegin(), fromJournal.groups.cend(),
                                     [&](const FailureGroup &g) { return g.cause == live.cause; });
        QVERIFY2(it != fromJournal.groups.cend(), qPrintable(live.cause.label()));
        QCOMPARE(it->failed, live.failed);
        QCOMPARE(it->attempts, live.attempts);
        // Hosts and times come from the journal too (times of its records: the run's span).
        QCOMPARE(it->workerHosts, live.workerHosts);
        QVERIFY(it->firstAtMs >= live.firstAtMs - 1000 && it->lastAtMs <= live.lastAtMs + 1000);
        QVERIFY(!it->histogram.isEmpty());
        if (it->tasks() > 0)
            QCOMPARE(opened->store->spec(it->exampleRow).id, it->exampleId);
    }
}

void tst_FailureGroups::recoveredTasksLeaveTheirGroup()
{
    const int row = rowOf(QStringLiteral("recovers"));
    QCOMPARE(m_run->store()->state(row).status, TaskStatus::Succeeded);
    const auto recovered = std::find_if(m_live.groups.cbegin(), m_live.groups.cend(),
                                        [](const FailureGroup &g) { return g.tasks() == 0; });
    QVERIFY(recovered != m_live.groups.cend());
    QCOMPARE(recovered->cause.error, ErrorKind::HttpStatus);
    QCOMPARE(recovered->cause.httpStatus, quint16(503));
    QCOMPARE(recovered->attempts, qint64(1));
    QCOMPARE(recovered->exampleRow, -1);
    QCOMPARE(recovered->exampleMessage, QStringLiteral("HTTP 503"));
    // Recovered groups come last.
    QVERIFY(&*recovered == &m_live.groups.last());
}

void tst_FailureGroups::findsTheRowsOfAGroup()
{
    const FailureGroup *timeouts = nullptr;
    for (const FailureGroup &g : m_live.groups) {
        if (g.cause.error == ErrorKind::Timeout)
            timeouts = &g;
    }
    QVERIFY(timeouts);
    QSignalSpy found(m_run.get(), &RunSession::failureRowsFound);
    const quint64 token = m_run->findFailureRows(timeouts->ids);
    QVERIFY(found.wait(10000));
    QCOMPARE(found.first().at(0).toULongLong(), token);
    QVector<int> expected{rowOf(QStringLiteral("hang-1")), rowOf(QStringLiteral("hang-2"))};
    std::sort(expected.begin(), expected.end());
    QCOMPARE(found.first().at(1).value<QVector<int>>(), expected);
}

void tst_FailureGroups::histogramStretchesWithTime()
{
    FailureGroups groups(3);
    const FailureCause a{ErrorKind::Timeout, 0, QString(), QStringLiteral("a")};
    const FailureCause b{ErrorKind::Network, 0, QString(), QStringLiteral("b")};
    const qint64 t0 = 1'700'000'000'000;
    groups.record(0, QStringLiteral("x"), a, QStringLiteral("a"), {}, t0,
                  FailureGroups::Outcome::Failed);
    groups.record(1, QStringLiteral("y"), b, QStringLiteral("b"), {}, t0 + 30'500,
                  FailureGroups::Outcome::Failed);
    FailureSummary s = groups.summary();
    QCOMPARE(s.bucketMs, FailureGroups::FirstBucketMs);
    QCOMPARE(s.originMs, t0);
    // Past the last bucket: every group's buckets are twice as long, counts kept.
    groups.record(2, QStringLiteral("z"), a, QStringLiteral("a"), {}, t0 + 119'000,
                  FailureGroups::Outcome::Failed);
    s = groups.summary();
    QCOMPARE(s.bucketMs, 2 * FailureGroups::FirstBucketMs);
    for (const FailureGroup &g : s.groups) {
        QCOMPARE(g.histogram.size(), FailureGroups::HistogramBuckets);
        if (g.cause == a) {
            QCOMPARE(g.histogram[0], 1u);
            QCOMPARE(g.histogram[59], 1u);
            QCOMPARE(g.firstAtMs, t0);
            QCOMPARE(g.lastAtMs, t0 + 119'000);
        } else {
            QCOMPARE(g.histogram[15], 1u);
        }
    }
    // An unknown time counts, without a bucket.
    groups.record(2, QStringLiteral("z"), b, QStringLiteral("b"), {}, -1,
                  FailureGroups::Outcome::Failed);
    s = groups.summary();
    QCOMPARE(s.failedAttempts, 4);
    QCOMPARE(s.failedTasks, 3);
}

void tst_FailureGroups::tooManyCausesShareAGroup()
{
    const int n = FailureGroups::MaxGroups + 50;
    FailureGroups groups(n);
    for (int i = 0; i < n; ++i) {
        // Messages folding cannot merge: i in base 26 written with letters, not digits.
        QString letters;
        for (int k = i; k > 0 || letters.isEmpty(); k /= 26)
            letters += QLatin1Char(char('a' + k % 26));
        groups.record(i, QString::number(i),
                      FailureCause{ErrorKind::Compute, 0, QString(), letters}, letters, {}, -1,
                      FailureGroups::Outcome::Failed);
    }
    const FailureSummary s = groups.summary(-1);
    QCOMPARE(s.groupCount, FailureGroups::MaxGroups + 1);
    QCOMPARE(s.failedTasks, n);
    QCOMPARE(s.groups.first().tasks(), 50);
}

void tst_FailureGroups::summaryMergesByFewerFields()
{
    FailureGroups groups(4);
    const FailureCause one{ErrorKind::HttpStatus, 503, QStringLiteral("a.example"),
                           QStringLiteral("HTTP <n>")};
    FailureCause two = one;
    two.host = QStringLiteral("b.example");
    groups.record(0, QStringLiteral("t0"), one, QStringLiteral("HTTP 503"), QStringLiteral("n1"),
                  1000, FailureGroups::Outcome::Failed);
    groups.record(1, QStringLiteral("t1"), two, QStringLiteral("HTTP 503"), QStringLiteral("n2"),
                  2000, FailureGroups::Outcome::Failed);
    groups.record(2, QStringLiteral("t2"), two, QStringLiteral("HTTP 503"), QStringLiteral("n2"),
                  3000, FailureGroups::Outcome::Retrying);
    QCOMPARE(groups.summary().groupCount, 2);
    const FailureSummary merged = groups.summaryBy(FailureCause::Error | FailureCause::HttpStatus);
    QCOMPARE(merged.groupCount, 1);
    const FailureGroup &g = merged.groups.first();
    QCOMPARE(g.tasks(), 3);
    QCOMPARE(g.retrying, 1);
    QVERIFY(g.cause.host.isEmpty());
    QCOMPARE(g.firstAtMs, 1000);
    QCOMPARE(g.lastAtMs, 3000);
    QCOMPARE(g.workerHosts.first(), qMakePair(QStringLiteral("n2"), qint64(2)));
    QCOMPARE(g.exampleId, QStringLiteral("t1")); // from the bigger group
    QVector<int> rows = groups.rowsOf(g.ids);
    QCOMPARE(rows, (QVector<int>{0, 1, 2}));
}

void tst_FailureGroups::exampleIsATaskOfTheGroup()
{
    FailureGroups groups(3);
    const FailureCause c{ErrorKind::Timeout, 0, QString(), QStringLiteral("t")};
    const FailureCause other{ErrorKind::Network, 0, QString(), QStringLiteral("n")};
    groups.record(0, QStringLiteral("r0"), c, QStringLiteral("m0"), {}, -1,
                  FailureGroups::Outcome::Retrying);
    groups.record(1, QStringLiteral("r1"), c, QStringLiteral("m1"), {}, -1,
                  FailureGroups::Outcome::Failed);
    QCOMPARE(groups.summary().groups.first().exampleId, QStringLiteral("r1")); // failed for good
    groups.record(1, QStringLiteral("r1"), other, QStringLiteral("m1b"), {}, -1,
                  FailureGroups::Outcome::Failed); // run again, failed otherwise
    const FailureSummary s = groups.summary();
    const FailureGroup &first = s.groups.at(s.groups.at(0).cause == c ? 0 : 1);
    QCOMPARE(first.tasks(), 1);
    QCOMPARE(first.exampleRow, -1); // r1 left; r0 never replaced it
    groups.record(0, QStringLiteral("r0"), c, QStringLiteral("m0b"), {}, -1,
                  FailureGroups::Outcome::Failed);
    QCOMPARE(groups.summary().groups.first().exampleId, QStringLiteral("r0"));
    groups.clear(0);
    groups.clear(1);
    QCOMPARE(groups.summary().failedTasks, 0);
    QCOMPARE(groups.summary().activeGroupCount, 0);
    QCOMPARE(groups.groupOf(0), -1);
}

void tst_FailureGroups::hostOfUrl_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<QString>("host");
    QTest::newRow("port") << QByteArray("http://127.0.0.1:8080/a")
                          << QStringLiteral("127.0.0.1:8080");
    QTest::newRow("case") << QByteArray("HTTPS://Example.ORG?q=1") << QStringLiteral("example.org");
    QTest::newRow("user") << QByteArray("http://u:p@h.example/x@y") << QStringLiteral("h.example");
    QTest::newRow("ipv6") << QByteArray("http://[::1]:81/") << QStringLiteral("[::1]:81");
    QTest::newRow("file") << QByteArray("file:///tmp/x") << QString();
    QTest::newRow("no scheme") << QByteArray("/tmp/x") << QString();
}

void tst_FailureGroups::hostOfUrl()
{
    QFETCH(QByteArray, url);
    QFETCH(QString, host);
    QCOMPARE(FailureCause::hostOf(url), host);
}

void tst_FailureGroups::exitCodesAreCauses()
{
    FailureCause one{ErrorKind::Compute, 0, QString(), QStringLiteral("failed")};
    one.exitCode = 1;
    FailureCause two = one;
    two.exitCode = 2;
    QVERIFY(one != two);
    QVERIFY(one.label().contains(QLatin1String(" 1")));
    FailureGroups groups(2);
    groups.record(0, QStringLiteral("a"), one, QStringLiteral("failed"), {}, -1,
                  FailureGroups::Outcome::Failed);
    groups.record(1, QStringLiteral("b"), two, QStringLiteral("failed"), {}, -1,
                  FailureGroups::Outcome::Failed);
    QCOMPARE(groups.summary().groupCount, 2);
    QCOMPARE(groups.summaryBy(FailureCause::Fields(FailureCause::AllFields)
                              & ~FailureCause::Fields(FailureCause::ExitCode))
                     .groupCount,
             1);
}

QTEST_GUILESS_MAIN(tst_FailureGroups)
#include "tst_failuregroups.moc"
