// Measures what a launcher costs: worker startup (launch -> hello), round trip of one
// task, no-op throughput with plenty in flight (local pipe vs ssh vs srun), and a W3-like
// batch (fetch + sha256) on local workers vs local + second-host workers. Prints the
// numbers (qInfo, "bench:" lines); checks only that the work was done right.
#include "EngineHarness.h"
#include "RemoteInfra.h"
#include "TestHttpServer.h"
#include "batch/BatchParser.h"
#include "compute/ComputeRegistry.h"
#include "run/WorkerProcess.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>
#include <random>
#include <sys/resource.h>

using namespace Brigade;
using namespace Brigade::Test;

class tst_RemoteBench : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void workerStartup_data();
    void workerStartup();
    void roundTrip_data();
    void roundTrip();
    void throughput_data();
    void throughput();
    void w3LocalVsSecondHost();

private:
    void addLauncherRows();
    // The launch of one worker of kind ("local", "ssh", "srun"); skips when unavailable.
    bool launchFor(const QString &kind, WorkerLaunch *launch);

    RemoteInfra m_infra;
    RunSettings m_settings;
};

namespace {

// Under a sanitizer the numbers mean nothing and the runs only have to work: fewer tasks.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int Scale = 10;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr int Scale = 10;
#else
constexpr int Scale = 1;
#endif
#else
constexpr int Scale = 1;
#endif

double percentile(QVector<double> v, double p)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[qMin(v.size() - 1, int(p * double(v.size())))];
}

// One worker process spoken to directly, without the engine: the launcher's own cost.
class Channel
{
public:
    Channel(const WorkerLaunch &launch, const RunSettings &settings)
        : m_process(std::make_unique<WorkerProcess>(0, 1, launch, settings))
        , m_ready(m_process.get(), &WorkerProcess::ready)
        , m_lost(m_process.get(), &WorkerProcess::lost)
    {
        QObject::connect(m_process.get(), &WorkerProcess::resultsReceived,
                         [this](const QVector<AttemptResult> &r) {
                             m_received += int(r.size());
                             m_last = r.constLast();
                         });
    }
    ~Channel()
    {
        QSignalSpy stopped(m_process.get(), &WorkerProcess::stopped);
        m_process->stop();
        if (stopped.isEmpty())
            stopped.wait(5000);
    }

    // Starts the worker; the milliseconds until its hello, or -1.
    double start()
    {
        QElapsedTimer clock;
        clock.start();
        m_process->start();
        if (!m_ready.wait(60000))
            return -1;
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        ConfigureMsg cfg;
        cfg.concurrency = 1 << 20;
        QByteArray frame;
        Wire::encodeConfigure(&frame, cfg);
        m_process->send(frame);
        return ms;
    }

    void send(const QByteArray &frames) { m_process->send(frames); }
    // Waits until `total` results have come back; false on timeout or a lost worker.
    bool waitResults(int total, int timeoutMs = 60000)
    {
        QElapsedTimer clock;
        clock.start();
        QSignalSpy results(m_process.get(), &WorkerProcess::resultsReceived);
        while (m_received < total && m_lost.isEmpty() && clock.elapsed() < timeoutMs)
            results.wait(qMax<int>(1, timeoutMs - int(clock.elapsed())));
        return m_received >= total;
    }
    int received() const { return m_received; }
    const AttemptResult &last() const { return m_last; }
    QString lostReason() const
    {
        return m_lost.isEmpty() ? QString() : m_lost.constFirst().constFirst().toString();
    }

private:
    std::unique_ptr<WorkerProcess> m_process;
    QSignalSpy m_ready;
    QSignalSpy m_lost;
    int m_received = 0;
    AttemptResult m_last;
};

// One task's shape, parsed from a batch line as the engine would.
struct Shape
{
    TaskSpec spec;
    bool needsId = false;
};

Shape parseTask(const QString &line)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("one.jsonl"));
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(line.toUtf8());
    f.close();
    Batch batch = BatchParser::parseFile(path);
    Shape s;
    if (batch.hasErrors() || batch.tasks.isEmpty())
        return s;
    s.spec = batch.tasks.constFirst();
    const ComputeOp *op = ComputeRegistry::instance().op(s.spec.shape->compute.op);
    s.needsId = op && op->usesInput();
    return s;
}

// An assign frame of rows [first, first + count) of the same task.
QByteArray assignFrame(const Shape &s, int first, int count)
{
    QByteArray frame;
    Wire::AssignBuilder b(&frame);
    for (int row = first; row < first + count; ++row)
        b.add(row, 1, 0, *s.spec.shape, s.spec.url(), 1 << 20,
              s.needsId ? s.spec.id.toUtf8() : QByteArray());
    b.finish();
    return frame;
}

// A no-op task, and one whose reply is about 3 KiB (past the ~1 KiB where srun's stdio
// starts to stall on delayed ACKs).
QString taskLine(bool bigReply)
{
    if (!bigReply)
        return QStringLiteral(R"({"id":"noop","compute":{"op":"sum_to","n":0}})");
    QStringList words;
    for (int i = 0; i < 300; ++i)
        words << QStringLiteral("w%1").arg(i);
    return QStringLiteral(R"({"id":"%1","compute":{"op":"wordcount","top":300}})")
            .arg(words.join(QLatin1Char(' ')));
}

} // namespace

void tst_RemoteBench::initTestCase()
{
    QString why;
    QVERIFY2(m_infra.open(&why), qPrintable(why));
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    m_settings.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    m_settings.heartbeatTimeoutMs = 30000;
}

bool tst_RemoteBench::launchFor(const QString &kind, WorkerLaunch *launch)
{
    WorkerGroup g;
    if (kind == QLatin1String("ssh")) {
        if (m_infra.node2Status() != QLatin1String("ok"))
            return false;
        g = m_infra.sshGroup(1);
    } else if (kind == QLatin1String("srun")) {
        if (m_infra.slurmStatus() != QLatin1String("ok"))
            return false;
        g = m_infra.slurmGroup(1, QStringLiteral("local"));
    }
    *launch = WorkerLaunch::forGroup(g, m_settings);
    return true;
}

#define LAUNCH_OR_SKIP(kind, launch)                                                               \
    do {                                                                                           \
        if (!launchFor(kind, &launch)) {                                                           \
            const QString why_ = kind == QLatin1String("ssh") ? m_infra.node2Status()              \
                                                              : m_infra.slurmStatus();             \
            BRIGADE_REQUIRE_INFRA(why_);                                                           \
        }                                                                                          \
    } while (false)

void tst_RemoteBench::addLauncherRows()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("local pipe") << QStringLiteral("local");
    QTest::newRow("ssh") << QStringLiteral("ssh");
    QTest::newRow("srun") << QStringLiteral("srun");
}

void tst_RemoteBench::workerStartup_data()
{
    addLauncherRows();
}

void tst_RemoteBench::workerStartup()
{
    QFETCH(QString, kind);
    WorkerLaunch launch;
    LAUNCH_OR_SKIP(kind, launch);
    // ssh's first worker opens the connection; the others share it (ControlMaster).
    QVector<double> ms;
    for (int i = 0; i < 5; ++i) {
        Channel c(launch, m_settings);
        const double t = c.start();
        QVERIFY2(t >= 0, qPrintable(c.lostReason()));
        ms << t;
    }
    qInfo("bench: startup %s: first %.1f ms, then median %.1f ms (launch -> hello, 5 workers)",
          qPrintable(kind), ms.first(), percentile(ms.mid(1), 0.5));
}

void tst_RemoteBench::roundTrip_data()
{
    addLauncherRows();
}

void tst_RemoteBench::roundTrip()
{
    QFETCH(QString, kind);
    WorkerLaunch launch;
    LAUNCH_OR_SKIP(kind, launch);
    Channel c(launch, m_settings);
    QVERIFY2(c.start() >= 0, qPrintable(c.lostReason()));
    for (const bool big : {false, true}) {
        const Shape s = parseTask(taskLine(big));
        QVERIFY(s.spec.shape);
        QVector<double> ms;
        qsizetype replyBytes = 0;
        for (int i = 0; i < 40; ++i) {
            QElapsedTimer clock;
            clock.start();
            c.send(assignFrame(s, i, 1)); // one task in flight: each waits for the last
            QVERIFY2(c.waitResults(c.received() + 1, 10000), qPrintable(c.lostReason()));
            ms << double(clock.nsecsElapsed()) / 1e6;
            QCOMPARE(c.last().error, ErrorKind::None);
            replyBytes = c.last().result.size();
        }
        qInfo("bench: round trip %s, %lld-byte reply: median %.2f ms, p90 %.2f ms "
              "(1 task in flight, 40 tasks)",
              qPrintable(kind), qint64(replyBytes), percentile(ms, 0.5), percentile(ms, 0.9));
    }
}

void tst_RemoteBench::throughput_data()
{
    addLauncherRows();
}

void tst_RemoteBench::throughput()
{
    QFETCH(QString, kind);
    WorkerLaunch launch;
    LAUNCH_OR_SKIP(kind, launch);
    Channel c(launch, m_settings);
    QVERIFY2(c.start() >= 0, qPrintable(c.lostReason()));
    for (const bool big : {false, true}) {
        const Shape s = parseTask(taskLine(big));
        const int total = (big ? 10000 : 100000) / Scale;
        const int window = 8192; // tasks in flight, the engine's default concurrency
        const int chunk = 2048;
        const int base = c.received();
        QElapsedTimer clock;
        clock.start();
        int sent = 0;
        while (c.received() - base < total) {
            while (sent < total && sent - (c.received() - base) + chunk <= window) {
                const int n = qMin(chunk, total - sent);
                c.send(assignFrame(s, sent, n));
                sent += n;
            }
            QVERIFY2(c.waitResults(qMin(base + total, c.received() + 1), 30000),
                     qPrintable(c.lostReason()));
        }
        const double seconds = double(clock.nsecsElapsed()) / 1e9;
        qInfo("bench: throughput %s, %s replies: %.0f tasks/s (%d tasks, %d in flight, "
              "1 worker)",
              qPrintable(kind), big ? "3 KiB" : "no-op", double(total) / seconds, total, window);
    }
}

void tst_RemoteBench::w3LocalVsSecondHost()
{
    BRIGADE_REQUIRE_INFRA(m_infra.node2Status());
    // Served on the host's side of node2's link, so both hosts' workers reach it; the
    // only test whose server is not on 127.0.0.1.
    TestHttpServer server;
    QVERIFY(server.listen(QHostAddress(m_infra.value(QStringLiteral("NODE2_HOST_ADDR")))));
    const int n = 2000 / Scale;
    std::mt19937 rng(20240601);
    std::uniform_int_distribution<int> delay(200, 699);
    QStringList lines;
    for (int i = 0; i < n; ++i)
        lines << QStringLiteral(R"({"id":"w3-%1","fetch":"%2/delay?ms=%3&bytes=16384&seed=%1",)"
                                R"("compute":{"op":"sha256","rounds":64}})")
                         .arg(i)
                         .arg(QString::fromLatin1(server.baseUrl()))
                         .arg(delay(rng));
    QHash<QString, QByteArray> reference;
    for (const bool withNode2 : {false, true}) {
        EngineHarness h;
        h.settings.workers = 2;
        if (withNode2)
            h.settings.groups = {m_infra.sshGroup(2)};
        QVERIFY(h.load(lines));
        QElapsedTimer clock;
        clock.start();
        h.start();
        QVERIFY(h.waitFinished(120000));
        const qint64 ms = clock.elapsed();
        QCOMPARE(h.lastStats.succeeded, qint64(n));
        QHash<QString, int> perGroup;
        for (int i = 0; i < n; ++i) {
            const QString id = QStringLiteral("w3-%1").arg(i);
            const TaskState st = h.state(id);
            ++perGroup[st.worker < 2 ? QStringLiteral("local") : QStringLiteral("node2")];
            if (withNode2)
                QCOMPARE(st.result, reference.value(id)); // same digests on either host
            else
                reference.insert(id, st.result);
        }
        qInfo("bench: W3-like (fetch 16 KiB after 200-700 ms + sha256 x64, %d tasks) on %s: "
              "%lld ms, %.0f tasks/s; tasks local %d, node2 %d",
              n, withNode2 ? "2 local + 2 node2 (ssh) workers" : "2 local workers", ms,
              1000.0 * n / double(ms), perGroup.value(QStringLiteral("local")),
              perGroup.value(QStringLiteral("node2")));
    }
}

QTEST_GUILESS_MAIN(tst_RemoteBench)
#include "tst_remotebench.moc"
