// Workers as Slurm steps (srun) on a one-machine cluster, and on two hosts where
// brigade-node2's slurmd could be started (tests/remote/infra.sh).
#include "EngineHarness.h"
#include "RemoteInfra.h"
#include "SumBatch.h"

#include <QElapsedTimer>
#include <QSet>
#include <QTest>

using namespace Brigade;
using namespace Brigade::Test;

class tst_Slurm : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void moreWorkersThanCpusQueue();
    void cancelEndsSlurmSteps();
    void queueTimeoutGivesUpOnTheWait();
    void workersOnTwoSlurmHosts();
    void cleanup();

private:
    RemoteInfra m_infra;
};

void tst_Slurm::initTestCase()
{
    QString why;
    QVERIFY2(m_infra.open(&why), qPrintable(why));
}

void tst_Slurm::cleanup()
{
    // Whatever a test left in Slurm must not hold CPUs the next one counts on.
    if (m_infra.slurmStatus() == QLatin1String("ok"))
        QTRY_VERIFY_WITH_TIMEOUT(m_infra.squeue(false).isEmpty(), 30000);
}

void tst_Slurm::moreWorkersThanCpusQueue()
{
    BRIGADE_REQUIRE_INFRA(m_infra.slurmStatus());
    const int cpus = m_infra.slurmCpus();
    QVERIFY(cpus > 0);
    const int n = 300;
    EngineHarness h;
    h.settings.workers = 0;
    h.settings.groups = {m_infra.slurmGroup(cpus + 1, QStringLiteral("local"))};
    h.settings.concurrency = 4;
    QVERIFY(h.load(sumTasks(n, 20)));
    h.start();
    h.engine().pause(); // the queue has to be seen before the batch is done

    // One CPU per step: cpus workers run, the last one waits in Slurm's queue.
    QTRY_VERIFY_WITH_TIMEOUT(countInState(h.loadSamples, WorkerState::Running) == cpus, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(m_infra.pendingJobs(), 1, 10000);
    QCOMPARE(countInState(h.loadSamples, WorkerState::Queued), 1);
    QSet<QString> jobIds;
    int queuedSlot = -1;
    int runningSlot = -1;
    for (const WorkerInfo &w : lastWorkers(h.loadSamples)) {
        if (w.state == WorkerState::Queued) {
            queuedSlot = w.slot;
            continue;
        }
        runningSlot = w.slot;
        QVERIFY2(!w.slurmJobId.isEmpty(), "a worker started by srun reported no SLURM_JOB_ID");
        jobIds.insert(w.slurmJobId);
        QCOMPARE(w.group, QStringLiteral("slurm"));
    }
    QCOMPARE(jobIds.size(), cpus); // one job per srun

    // A worker that goes away frees its CPU: the queued one gets it and says hello.
    h.engine().killWorker(runningSlot);
    QTRY_VERIFY_WITH_TIMEOUT(
            lastWorkers(h.loadSamples).value(queuedSlot).state == WorkerState::Running, 30000);
    const WorkerInfo late = lastWorkers(h.loadSamples).value(queuedSlot);
    QVERIFY(!late.slurmJobId.isEmpty());
    QVERIFY(!jobIds.contains(late.slurmJobId));
    const QVector<WorkerState> history = stateHistory(h.loadSamples, queuedSlot);
    QVERIFY(history.indexOf(WorkerState::Queued) >= 0);
    QVERIFY(history.indexOf(WorkerState::Queued) < history.indexOf(WorkerState::Running));

    h.engine().resume();
    QVERIFY(h.waitFinished(60000));
    verifySums(h, n);
    qint64 onLate = 0;
    for (int i = 0; i < n; ++i)
        onLate += h.state(QStringLiteral("t%1").arg(i)).worker == queuedSlot ? 1 : 0;
    QVERIFY2(onLate > 0, "the worker that waited for a CPU never ran a task");
}

void tst_Slurm::cancelEndsSlurmSteps()
{
    BRIGADE_REQUIRE_INFRA(m_infra.slurmStatus());
    const int cpus = m_infra.slurmCpus();
    const int n = 200;
    EngineHarness h;
    h.settings.workers = 0;
    h.settings.groups = {m_infra.slurmGroup(cpus + 1, QStringLiteral("local"))};
    QVERIFY(h.load(sumTasks(n, 600000)));
    h.start();
    QTRY_VERIFY_WITH_TIMEOUT(countInState(h.loadSamples, WorkerState::Running) == cpus, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(m_infra.squeue(true).size(), cpus, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_infra.pendingJobs(), 1, 10000);

    QElapsedTimer clock;
    clock.start();
    h.engine().cancel();
    QVERIFY(h.waitFinished(30000));
    QCOMPARE(h.lastStats.cancelled, qint64(n));
    // Running steps end when their workers see stdin close; the queued srun cancels its job.
    // Slurm's own step clean-up has been seen to take over 40 s on a loaded machine (it waits
    // for its own timers, not for Brigade), so the wait is long and measured on the clock.
    QVERIFY2(QTest::qWaitFor([&] { return m_infra.squeue(true).isEmpty(); }, 120000),
             qPrintable(m_infra.squeue(true).join(u',')));
    QVERIFY2(QTest::qWaitFor([&] { return m_infra.squeue(false).isEmpty(); }, 120000),
             qPrintable(m_infra.squeue(false).join(u',')));
    qInfo("cancel: Slurm steps and jobs gone %lld ms after cancel()", clock.elapsed());
}

void tst_Slurm::queueTimeoutGivesUpOnTheWait()
{
    BRIGADE_REQUIRE_INFRA(m_infra.slurmStatus());
    const int cpus = m_infra.slurmCpus();
    const int n = 200;
    EngineHarness h;
    h.settings.workers = 0;
    h.settings.groups = {m_infra.slurmGroup(cpus + 1, QStringLiteral("local"))};
    h.settings.queueTimeoutMs = 2000;
    QVERIFY(h.load(sumTasks(n, 20)));
    h.start();
    h.engine().pause();
    const QString expected = QStringLiteral("was not given a CPU within 2000 ms");
    QTRY_VERIFY_WITH_TIMEOUT(h.workerMessages.filter(expected).size() >= 1, 30000);
    // The given-up srun cancelled its job: only its replacement waits.
    QTRY_VERIFY_WITH_TIMEOUT(m_infra.pendingJobs() <= 1, 5000);
    h.engine().resume();
    QVERIFY(h.waitFinished(60000));
    verifySums(h, n);
}

void tst_Slurm::workersOnTwoSlurmHosts()
{
    BRIGADE_REQUIRE_INFRA(m_infra.slurmStatus());
    BRIGADE_REQUIRE_INFRA(m_infra.node2SlurmStatus());
    const int cpus = m_infra.slurmCpus();
    const int n = 400;
    EngineHarness h;
    h.settings.workers = 0;
    h.settings.groups = {m_infra.slurmGroup(2 * cpus, QStringLiteral("all"))};
    h.settings.concurrency = 8;
    QVERIFY(h.load(sumTasks(n, 5)));
    h.start();
    h.engine().pause(); // every worker gets a share once all have said hello
    QTRY_VERIFY_WITH_TIMEOUT(countInState(h.loadSamples, WorkerState::Running) == 2 * cpus, 30000);
    QHash<int, QString> hostOfSlot;
    for (const WorkerInfo &w : lastWorkers(h.loadSamples)) {
        QVERIFY(!w.slurmJobId.isEmpty());
        hostOfSlot.insert(w.slot, w.host);
    }
    const QList<QString> hostList = hostOfSlot.values();
    const QSet<QString> hosts(hostList.cbegin(), hostList.cend());
    QCOMPARE(hosts.size(), 2);
    QVERIFY(hosts.contains(m_infra.node2Host()));
    h.engine().resume();
    QVERIFY(h.waitFinished(60000));
    verifySums(h, n);
    QHash<QString, int> tasksPerHost;
    for (int i = 0; i < n; ++i)
        ++tasksPerHost[hostOfSlot.value(h.state(QStringLiteral("t%1").arg(i)).worker)];
    qInfo() << "slurm on two hosts, tasks per host:" << tasksPerHost;
    for (const QString &host : hosts)
        QVERIFY2(tasksPerHost.value(host) > 0, qPrintable(host + QStringLiteral(" ran nothing")));
}

QTEST_GUILESS_MAIN(tst_Slurm)
#include "tst_slurm.moc"
