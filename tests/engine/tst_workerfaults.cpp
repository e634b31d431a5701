// Workers that misbehave: garbage on stdout, an oversized or malformed frame, silence, an
// early exit, running out of memory under a cap. Each is killed and replaced, the tasks
// it held are retried on the others, and the run ends with every task accounted for.
#include "EngineHarness.h"
#include "Sanitizers.h"
#include "TestHttpServer.h"
#include "protocol/Messages.h"

#include <QFile>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <cerrno>
#include <csignal>
#include <numeric>

using namespace Brigade;
using namespace Brigade::Test;

namespace {

QByteArray frameHeader(quint32 length, FrameType type)
{
    QByteArray h(int(FrameHeaderSize), '\0');
    qToLittleEndian(length, h.data());
    h[4] = char(type);
    return h;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

bool runToEnd(EngineHarness &h, int timeoutMs)
{
    QSignalSpy finished(&h.engine(), &Engine::finished);
    h.start();
    return finished.wait(timeoutMs);
}

} // namespace

class tst_WorkerFaults : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void badWorkerIsReplaced_data();
    void badWorkerIsReplaced();
    void workerOverMemoryCap();
    void announcedLengthIsNotReserved();

private:
    TestHttpServer m_server;
};

void tst_WorkerFaults::initTestCase()
{
    QVERIFY(m_server.listen());
}

void tst_WorkerFaults::badWorkerIsReplaced_data()
{
    QTest::addColumn<QByteArray>("bad");       // what the worker writes after the hello
    QTest::addColumn<bool>("exits");           // then exits 7, or stays (and must be killed)
    QTest::addColumn<QString>("reason");       // what the engine says about it
    QTest::addColumn<int>("heartbeatTimeout"); // ms

    QTest::newRow("garbage") << QByteArray("this is not a frame, just text\n") << false
                             << "sent a bad frame (corrupt stream: unknown frame type 32)" << 30000;
    // One byte over the limit, and no payload behind it: the header alone condemns it.
    QTest::newRow("oversized frame")
            << frameHeader(MaxFramePayload + 1, FrameType::Results) << false
            << "sent a bad frame (corrupt stream: frame of 67108865 bytes exceeds the "
               "67108864 byte limit)"
            << 30000;
    QTest::newRow("malformed results")
            << frameHeader(3, FrameType::Results) + QByteArray("\x01\x02\x03", 3) << false
            << "sent a malformed results frame" << 30000;
    QTest::newRow("engine-only frame") << frameHeader(0, FrameType::Shutdown) << false
                                       << "sent an unexpected frame (type 7)" << 30000;
    // Long enough for the real workers' heartbeats (every 500 ms) under a sanitizer too.
    const int silence = 3000 * SanitizerSlowdown;
    QTest::newRow("silent") << QByteArray() << false
                            << QStringLiteral("stopped answering for %1 ms").arg(silence)
                            << silence;
    QTest::newRow("exits") << QByteArray() << true << "exited with code 7" << 30000;
}

void tst_WorkerFaults::badWorkerIsReplaced()
{
    QFETCH(QByteArray, bad);
    QFETCH(bool, exits);
    QFETCH(QString, reason);
    QFETCH(int, heartbeatTimeout);

    // The worker program is a script that misbehaves on its first start only (mkdir is
    // atomic, so of two workers starting at once just one does) and is the real worker
    // from then on. It says a proper hello first and waits for its first assignment, so
    // it is holding tasks when it goes wrong.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray hello;
    HelloMsg msg;
    msg.host = QStringLiteral("impostor");
    msg.pid = 1;
    msg.cores = 1;
    msg.workerVersion = QStringLiteral(BRIGADE_VERSION);
    Wire::encodeHello(&hello, msg);
    QByteArray configure;
    Wire::encodeConfigure(&configure, ConfigureMsg{});
    QVERIFY(writeFile(dir.filePath(QStringLiteral("hello.bin")), hello));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("bad.bin")), bad));
    const QString script = dir.filePath(QStringLiteral("worker.sh"));
    QVERIFY(writeFile(script, "#!/bin/sh\n"
                              "d=\"$(dirname \"$0\")\"\n"
                              "if mkdir \"$d/started\" 2>/dev/null; then\n"
                              "    echo $$ > \"$d/bad.pid\"\n"
                              "    cat \"$d/hello.bin\"\n"
                              // the configure frame and the first byte of an assign
                              "    head -c "
                                      + QByteArray::number(configure.size() + 1)
                                      + " > /dev/null\n"
                                        "    cat \"$d/bad.bin\"\n"
                                      + (exits ? "    exit 7\n" : "    exec sleep 120\n")
                                      + "fi\n"
                                        "exec '" BRIGADE_WORKER_PATH "' \"$@\"\n"));
    QVERIFY(QFile::setPermissions(script, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));

    constexpr int Tasks = 400;
    EngineHarness h;
    h.settings.workers = 2;
    h.settings.concurrency = 50; // each worker gets a share, the bad one included
    h.settings.heartbeatTimeoutMs = quint32(heartbeatTimeout);
    h.settings.workerProgram = script;
    QStringList lines;
    for (int i = 0; i < Tasks; ++i)
        lines << QStringLiteral(
                         R"({"fetch":{"delay_ms":[20,120]},"compute":{"op":"sum_to","n":%1}})")
                         .arg(i);
    QVERIFY(h.load(lines));
    QVERIFY(runToEnd(h, 120000));

    const QString messages = h.workerMessages.join(QLatin1Char('\n'));
    QVERIFY2(messages.contains(QStringLiteral(" lost: ") + reason), qPrintable(messages));
    QCOMPARE(h.lastStats.succeeded, Tasks);
    QCOMPARE(h.finishedOrder.size(), Tasks);
    QCOMPARE(QSet<int>(h.finishedOrder.begin(), h.finishedOrder.end()).size(), Tasks);
    for (int i = 0; i < Tasks; ++i)
        QCOMPARE(h.store().state(i).result, QByteArray::number(qint64(i) * (i + 1) / 2));

    // The tasks it held ran again elsewhere, and say why their first attempt failed.
    int retried = 0;
    for (int i = 0; i < Tasks; ++i) {
        if (h.store().state(i).attempts < 2)
            continue;
        ++retried;
        const QList<AttemptRecord> history = h.store().attemptHistory(i);
        QVERIFY(!history.isEmpty());
        QCOMPARE(history[0].error, ErrorKind::WorkerLost);
        QVERIFY2(history[0].message.endsWith(reason), qPrintable(history[0].message));
    }
    QVERIFY(retried > 0);
    QVERIFY(retried <= 50);

    // It was killed, not left behind; its slot got a new worker.
    QFile pidFile(dir.filePath(QStringLiteral("bad.pid")));
    QVERIFY(pidFile.open(QIODevice::ReadOnly));
    const pid_t pid = pid_t(pidFile.readAll().trimmed().toInt());
    QVERIFY(pid > 0);
    QTRY_VERIFY_WITH_TIMEOUT(::kill(pid, 0) != 0 && errno == ESRCH, 10000);
    int restarts = 0;
    for (const WorkerInfo &w : h.loadSamples.last().workers)
        restarts += w.restarts;
    QCOMPARE(restarts, 1);

    // The engine is fine: it runs every task once more.
    QSignalSpy again(&h.engine(), &Engine::finished);
    h.finishedOrder.clear();
    QVector<int> all(Tasks);
    std::iota(all.begin(), all.end(), 0);
    h.engine().retryTasks(all);
    QVERIFY(again.wait(60000));
    QCOMPARE(h.finishedOrder.size(), Tasks);
    QCOMPARE(h.lastStats.succeeded, Tasks);
}

void tst_WorkerFaults::workerOverMemoryCap()
{
#ifdef BRIGADE_SANITIZED
    QSKIP("a memory cap (setrlimit) cannot work beside a sanitizer's shadow memory");
#endif
    // A body of 300 MB (max_bytes allows 1 GiB) under a 200 MiB cap: the worker runs out
    // of memory, each time. Its neighbours lose an attempt with it, then succeed.
    EngineHarness h;
    h.settings.workers = 2;
    h.settings.workerMemoryLimitMb = 200;
    QStringList lines;
    lines << QStringLiteral(
                     R"({"id":"huge","fetch":{"url":"%1","max_bytes":1073741824},"max_attempts":2})")
                     .arg(QString::fromUtf8(m_server.url("/big?bytes=300000000")));
    for (int i = 0; i < 40; ++i) {
        lines << QStringLiteral(
                         R"({"id":"n%1","fetch":{"delay_ms":[50,400]},"compute":{"op":"sum_to","n":%1},"max_attempts":5})")
                         .arg(i);
        lines << QStringLiteral(R"({"id":"w%1","fetch":"%2","max_attempts":5})")
                         .arg(i)
                         .arg(QString::fromUtf8(m_server.url("/delay?ms=100&bytes=1000&seed="
                                                             + QByteArray::number(i))));
    }
    QVERIFY(h.load(lines));
    QVERIFY(runToEnd(h, 120000));

    const TaskState huge = h.state(QStringLiteral("huge"));
    QCOMPARE(huge.status, TaskStatus::Failed);
    QCOMPARE(huge.attempts, quint16(2));
    QCOMPARE(huge.error, ErrorKind::WorkerLost);
    QVERIFY2(huge.message.toString().contains(QLatin1String("memory limit of 200 MiB")),
             qPrintable(huge.message));
    const QList<AttemptRecord> history = h.store().attemptHistory(h.row(QStringLiteral("huge")));
    QCOMPARE(history.size(), 1);
    QVERIFY2(history[0].message.contains(QLatin1String("memory limit of 200 MiB")),
             qPrintable(history[0].message));

    qInfo("huge: %s", qPrintable(huge.message));
    QCOMPARE(h.lastStats.succeeded, 80);
    QCOMPARE(h.lastStats.failed, 1);
    QCOMPARE(h.finishedOrder.size(), 81);
    for (int i = 0; i < 40; ++i) {
        QCOMPARE(h.state(QStringLiteral("n%1").arg(i)).result,
                 QByteArray::number(qint64(i) * (i + 1) / 2));
        QCOMPARE(h.state(QStringLiteral("w%1").arg(i)).bytes, 1000);
    }
    int restarts = 0;
    for (const WorkerInfo &w : h.loadSamples.last().workers)
        restarts += w.restarts;
    QCOMPARE(restarts, 2);
}

void tst_WorkerFaults::announcedLengthIsNotReserved()
{
#ifdef BRIGADE_SANITIZED
    QSKIP("a memory cap (setrlimit) cannot work beside a sanitizer's shadow memory");
#endif
    // Answers that announce 67 MB and then go quiet, twenty of them in one worker under a
    // 200 MiB cap: nothing is set aside for a length before the bytes come, so they time
    // out on their own and the worker, and its other tasks, live on.
    EngineHarness h;
    h.settings.workers = 1;
    h.settings.workerMemoryLimitMb = 200;
    QStringList lines;
    for (int i = 0; i < 20; ++i)
        lines << QStringLiteral(R"({"id":"q%1","fetch":"%2","timeout_ms":1500,"max_attempts":1})")
                         .arg(i)
                         .arg(QString::fromUtf8(m_server.url("/announce?length=67000000&bytes=3&n="
                                                             + QByteArray::number(i))));
    for (int i = 0; i < 100; ++i)
        lines << QStringLiteral(R"({"id":"w%1","fetch":"%2","max_attempts":1})")
                         .arg(i)
                         .arg(QString::fromUtf8(m_server.url("/delay?ms=300&bytes=1000&seed="
                                                             + QByteArray::number(i))));
    QVERIFY(h.load(lines));
    QVERIFY(runToEnd(h, 60000));
    for (int i = 0; i < 20; ++i) {
        const TaskState q = h.state(QStringLiteral("q%1").arg(i));
        QCOMPARE(q.error, ErrorKind::Timeout);
        QCOMPARE(q.bytes, 3);
    }
    QCOMPARE(h.lastStats.succeeded, 100);
    QCOMPARE(h.lastStats.failed, 20);
    for (const WorkerInfo &w : h.loadSamples.last().workers)
        QCOMPARE(w.restarts, 0);
}

QTEST_GUILESS_MAIN(tst_WorkerFaults)
#include "tst_workerfaults.moc"
