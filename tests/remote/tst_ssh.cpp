// Workers on a second host through ssh, beside local ones: brigade-node2, a network
// namespace with its own hostname and sshd (tests/remote/infra.sh).
#include "EngineHarness.h"
#include "RemoteInfra.h"
#include "SumBatch.h"
#include "protocol/Messages.h"

#include <QSet>
#include <QSysInfo>
#include <QTest>

using namespace Brigade;
using namespace Brigade::Test;

class tst_Ssh : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void tasksRunOnBothHosts();
    void killedWorkersTasksAreRetried();
    void hostGoneMidRunFinishesElsewhere();
    void flakyHostTakenOutOfRotation();
    void wrongProtocolVersionIsRefused();
    void wrongProtocolVersionThroughTheCli();

private:
    // Starts h, holding tasks back until every worker said hello; each slot's host.
    bool startWhenAllRunning(EngineHarness &h, QHash<int, QString> *hostOfSlot);

    RemoteInfra m_infra;
};

// Rows whose attempt was lost with its worker, and the slots they were lost on.
static QHash<int, QSet<int>> lostAttempts(EngineHarness &h, int n)
{
    QHash<int, QSet<int>> lost;
    for (int row = 0; row < n; ++row) {
        for (const AttemptRecord &a : h.store().attemptHistory(row)) {
            if (a.error == ErrorKind::WorkerLost)
                lost[row].insert(a.worker);
        }
    }
    return lost;
}

void tst_Ssh::initTestCase()
{
    QString why;
    QVERIFY2(m_infra.open(&why), qPrintable(why));
}

void tst_Ssh::init()
{
    if (m_infra.node2Status() == QLatin1String("ok"))
        QVERIFY(m_infra.setNode2Link(true));
}

void tst_Ssh::cleanup()
{
    if (m_infra.node2Status() == QLatin1String("ok"))
        QVERIFY(m_infra.setNode2Link(true));
}

bool tst_Ssh::startWhenAllRunning(EngineHarness &h, QHash<int, QString> *hostOfSlot)
{
    const int workers = h.settings.effectiveWorkers();
    h.start();
    h.engine().pause(); // so every worker gets a share: ssh ones say hello later
    if (!QTest::qWaitFor(
                [&] { return countInState(h.loadSamples, WorkerState::Running) == workers; },
                30000))
        return false;
    for (const WorkerInfo &w : lastWorkers(h.loadSamples))
        hostOfSlot->insert(w.slot, w.host);
    h.engine().resume();
    return true;
}

void tst_Ssh::tasksRunOnBothHosts()
{
    BRIGADE_REQUIRE_INFRA(m_infra.node2Status());
    const int n = 400;
    EngineHarness h;
    h.settings.workers = 2;
    h.settings.groups = {m_infra.sshGroup(2)};
    h.settings.concurrency = 8;
    QVERIFY(h.load(sumTasks(n, 5)));
    QHash<int, QString> hostOfSlot;
    QVERIFY(startWhenAllRunning(h, &hostOfSlot));
    QCOMPARE(hostOfSlot.size(), 4);
    // The host each worker reported in its hello: local slots first, then node2's.
    QCOMPARE(hostOfSlot.value(0), QSysInfo::machineHostName());
    QCOMPARE(hostOfSlot.value(1), QSysInfo::machineHostName());
    QCOMPARE(hostOfSlot.value(2), m_infra.node2Host());
    QCOMPARE(hostOfSlot.value(3), m_infra.node2Host());
    QVERIFY(m_infra.node2Host() != QSysInfo::machineHostName());
    const QVector<WorkerInfo> workers = lastWorkers(h.loadSamples);
    QCOMPARE(workers.value(0).group, QStringLiteral("local"));
    QCOMPARE(workers.value(2).group, QStringLiteral("ssh ") + m_infra.node2Host());

    QVERIFY(h.waitFinished(60000));
    verifySums(h, n);
    QHash<QString, int> tasksPerHost;
    for (int i = 0; i < n; ++i)
        ++tasksPerHost[hostOfSlot.value(h.state(QStringLiteral("t%1").arg(i)).worker)];
    qInfo() << "local + ssh, tasks per host:" << tasksPerHost;
    QCOMPARE(tasksPerHost.size(), 2);
    QVERIFY(tasksPerHost.value(QSysInfo::machineHostName()) > 0);
    QVERIFY(tasksPerHost.value(m_infra.node2Host()) > 0);
}

void tst_Ssh::killedWorkersTasksAreRetried()
{
    BRIGADE_REQUIRE_INFRA(m_infra.node2Status());
    const int n = 600;
    EngineHarness h;
    h.settings.workers = 1;
    h.settings.groups = {m_infra.sshGroup(2)};
    h.settings.concurrency = 4;
    QVERIFY(h.load(sumTasks(n, 50)));
    QHash<int, QString> hostOfSlot;
    QVERIFY(startWhenAllRunning(h, &hostOfSlot));
    // Mid-run: node2's workers have finished some tasks and hold more.
    QTRY_VERIFY_WITH_TIMEOUT(lastWorkers(h.loadSamples).value(1).finished > 0
                                     && lastWorkers(h.loadSamples).value(2).finished > 0
                                     && lastWorkers(h.loadSamples).value(1).inFlight > 0,
                             30000);
    QVERIFY(h.lastStats.finished() < n);
    QCOMPARE(m_infra.killNode2Workers(), 2);
    QVERIFY(h.waitFinished(60000));
    verifySums(h, n);

    const QHash<int, QSet<int>> lost = lostAttempts(h, n);
    QVERIFY2(!lost.isEmpty(), "no attempt was lost with the killed workers");
    QHash<int, int> finishedOn;
    for (auto it = lost.cbegin(); it != lost.cend(); ++it) {
        for (int slot : it.value())
            QVERIFY2(slot == 1 || slot == 2, "an attempt was lost on a worker nobody killed");
        const TaskState st = h.state(h.store().spec(it.key()).id);
        QVERIFY(st.attempts >= 2);
        ++finishedOn[st.worker];
    }
    // ssh started replacements on node2, which went on working.
    QVERIFY(lastWorkers(h.loadSamples).value(1).restarts >= 1);
    QVERIFY(lastWorkers(h.loadSamples).value(2).restarts >= 1);
    qInfo() << lost.size() << "attempts lost with node2's workers; their retries finished on"
            << "slot -> tasks" << finishedOn;
}

void tst_Ssh::hostGoneMidRunFinishesElsewhere()
{
    BRIGADE_REQUIRE_INFRA(m_infra.node2Status());
    // Enough work that the local worker alone is still busy (about 12 s) when node2 runs
    // out of chances (about 3 s): 2 killed workers + 1 replacement that cannot connect.
    const int n = 700;
    EngineHarness h;
    h.settings.workers = 1;
    h.settings.groups = {m_infra.sshGroup(2)};
    h.settings.concurrency = 4;
    h.settings.blocklistLostWorkers = 3;
    h.settings.heartbeatTimeoutMs = 5000; // ssh's keepalive (3 s here) usually notices first
    QStringList messages;
    connect(&h.engine(), &Engine::message, this, [&](const QString &m) { messages << m; });
    QVERIFY(h.load(sumTasks(n, 100)));
    QHash<int, QString> hostOfSlot;
    QVERIFY(startWhenAllRunning(h, &hostOfSlot));
    QTRY_VERIFY_WITH_TIMEOUT(lastWorkers(h.loadSamples).value(1).finished > 0
                                     && lastWorkers(h.loadSamples).value(2).finished > 0
                                     && lastWorkers(h.loadSamples).value(1).inFlight > 0,
                             30000);
    // The host drops off the network (link first, so no replacement can reach it), and
    // its workers die.
    QVERIFY(m_infra.setNode2Link(false));
    QCOMPARE(m_infra.killNode2Workers(), 2);
    // Replacements cannot reach it either: node2 goes out of rotation while the run goes on.
    const QString expected = QStringLiteral("host %1 taken out of rotation for this run: it lost "
                                            "3 workers")
                                     .arg(m_infra.node2Host());
    QTRY_VERIFY2_WITH_TIMEOUT(messages.contains(expected),
                              qPrintable(messages.join(QLatin1Char('\n'))), 30000);
    QVERIFY2(!h.isFinished, "the run ended before node2 was taken out of rotation");
    QVERIFY(h.waitFinished(90000));
    verifySums(h, n);

    const QHash<int, QSet<int>> lost = lostAttempts(h, n);
    QVERIFY2(!lost.isEmpty(), "no attempt was lost with node2");
    for (auto it = lost.cbegin(); it != lost.cend(); ++it) {
        const TaskState st = h.state(h.store().spec(it.key()).id);
        QCOMPARE(st.worker, qint16(0)); // the local worker: the only one left
        QVERIFY(st.attempts >= 2);
    }
    QCOMPARE(lastWorkers(h.loadSamples).value(1).state, WorkerState::Blocked);
    QCOMPARE(lastWorkers(h.loadSamples).value(2).state, WorkerState::Blocked);
    qInfo() << lost.size() << "attempts lost with node2, all finished on the local worker;"
            << messages;
}

void tst_Ssh::flakyHostTakenOutOfRotation()
{
    BRIGADE_REQUIRE_INFRA(m_infra.node2Status());
    const int n = 400;
    EngineHarness h;
    h.settings.workers = 1;
    // node2's workers live for 400 ms each, then are killed.
    h.settings.groups
            = {m_infra.sshGroup(2, QStringLiteral("timeout -s KILL 0.4 " BRIGADE_WORKER_PATH))};
    h.settings.concurrency = 2;
    h.settings.maxAttempts = 5;
    h.settings.blocklistLostWorkers = 3;
    QStringList messages;
    connect(&h.engine(), &Engine::message, this, [&](const QString &m) { messages << m; });
    QVERIFY(h.load(sumTasks(n, 20)));
    h.start();
    const QString expected = QStringLiteral("host %1 taken out of rotation for this run: it lost "
                                            "3 workers")
                                     .arg(m_infra.node2Host());
    QTRY_VERIFY_WITH_TIMEOUT(messages.contains(expected), 30000);
    QVERIFY2(!h.isFinished, "the run ended before node2 was taken out of rotation");
    QTRY_COMPARE_WITH_TIMEOUT(countInState(h.loadSamples, WorkerState::Blocked), 2, 5000);
    QVERIFY(h.waitFinished(60000));
    verifySums(h, n);
    QCOMPARE(messages.filter(QStringLiteral("taken out of rotation")).size(), 1);
}

static WorkerGroup fakeWorkerGroup()
{
    WorkerGroup g;
    g.kind = WorkerGroup::Kind::Command;
    g.command = QStringLiteral("sh " BRIGADE_SOURCE_DIR "/tests/remote/fake-worker-v999.sh");
    return g;
}

void tst_Ssh::wrongProtocolVersionIsRefused()
{
    const int n = 50;
    EngineHarness h;
    h.settings.workers = 1;
    h.settings.groups = {fakeWorkerGroup()};
    QVERIFY(h.load(sumTasks(n, 0)));
    h.start();
    QVERIFY(h.waitFinished(30000));
    verifySums(h, n);
    const QString expected = QStringLiteral("worker 1 lost: speaks protocol version 999, this "
                                            "engine speaks %1; install the same Brigade version "
                                            "on every host")
                                     .arg(ProtocolVersion);
    QVERIFY2(h.workerMessages.contains(expected), qPrintable(h.workerMessages.join('\n')));
    // It never got a task.
    for (int i = 0; i < n; ++i)
        QCOMPARE(h.state(QStringLiteral("t%1").arg(i)).worker, qint16(0));
}

void tst_Ssh::wrongProtocolVersionThroughTheCli()
{
    QTemporaryDir dir;
    const QString batch = dir.filePath(QStringLiteral("batch.jsonl"));
    QFile f(batch);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(sumTasks(20, 0).join(QLatin1Char('\n')).toUtf8());
    f.close();
    QProcess p;
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            {QStringLiteral("run"), batch, QStringLiteral("--no-journal"),
             QStringLiteral("--progress"), QStringLiteral("none"), QStringLiteral("--workers"),
             QStringLiteral("1"), QStringLiteral("--worker-program"),
             QStringLiteral(BRIGADE_WORKER_PATH), QStringLiteral("--launcher"),
             fakeWorkerGroup().command, QStringLiteral("--launcher-workers"), QStringLiteral("1"),
             QStringLiteral("-o"), dir.filePath(QStringLiteral("out.jsonl"))});
    QVERIFY(p.waitForFinished(30000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(err.contains(QStringLiteral("speaks protocol version 999")), qPrintable(err));
}

QTEST_GUILESS_MAIN(tst_Ssh)
#include "tst_ssh.moc"
