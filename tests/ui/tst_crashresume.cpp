// Nothing lost: the real brigade CLI killed with SIGKILL at random points and resumed from
// its journal, and workers killed under it, against a local HTTP server.
#include "ProcessTree.h"
#include "TestHttpServer.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <sys/resource.h>

using namespace Brigade::Test;

class tst_CrashResume : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void engineKilledAndResumed();
    void workersKilledEverySecond();

private:
    QByteArray expectedResult(int i) const;
    QString writeBatch(int tasks, const QByteArray &delay = "[0,60]");
    // id -> record of an output file; fails the test on a duplicate id.
    QHash<QString, QJsonObject> readOutput(const QString &path, bool *duplicates);

    TestHttpServer m_server;
    QTemporaryDir m_dir;
    int m_tasks = 20000;
};

void tst_CrashResume::initTestCase()
{
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    QVERIFY(m_server.listen());
}

// Every fourth task fetches from the server and hashes the body; the rest sum after a delay.
QByteArray tst_CrashResume::expectedResult(int i) const
{
    if (i % 4 == 0) {
        QByteArray h = TestHttpServer::body(256, i);
        for (int r = 0; r < 2; ++r)
            h = QCryptographicHash::hash(h, QCryptographicHash::Sha256);
        return '"' + h.toHex() + '"';
    }
    return QByteArray::number(qint64(i) * (i + 1) / 2);
}

QString tst_CrashResume::writeBatch(int tasks, const QByteArray &delay)
{
    const QString path = m_dir.filePath(QStringLiteral("batch-%1.jsonl").arg(tasks));
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    for (int i = 0; i < tasks; ++i) {
        QByteArray line;
        if (i % 4 == 0)
            line = "{\"id\":\"t" + QByteArray::number(i) + "\",\"fetch\":\"" + m_server.baseUrl()
                   + "/delay?ms=" + QByteArray::number(i % 40) + "&bytes=256&seed="
                   + QByteArray::number(i) + "\",\"compute\":{\"op\":\"sha256\",\"rounds\":2}}\n";
        else
            line = "{\"id\":\"t" + QByteArray::number(i) + "\",\"fetch\":{\"delay_ms\":" + delay
                   + "},"
                     "\"compute\":{\"op\":\"sum_to\",\"n\":"
                   + QByteArray::number(i) + "}}\n";
        f.write(line);
    }
    return path;
}

QHash<QString, QJsonObject> tst_CrashResume::readOutput(const QString &path, bool *duplicates)
{
    QHash<QString, QJsonObject> records;
    *duplicates = false;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return records;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        const QString id = o.value(QLatin1String("id")).toString();
        if (records.contains(id))
            *duplicates = true;
        records.insert(id, o);
    }
    return records;
}

void tst_CrashResume::engineKilledAndResumed()
{
    const QString batch = writeBatch(m_tasks, "[50,250]"); // long enough that kills land
    const QString journal = m_dir.filePath(QStringLiteral("crash.journal"));
    QRandomGenerator rng(20261121);
    QList<qint64> orphans;
    int kills = 0;
    QString output;
    for (int round = 0; round < 8; ++round) {
        output = m_dir.filePath(QStringLiteral("out-%1.jsonl").arg(round));
        QStringList args{QStringLiteral("run")};
        // A kill before the journal was complete leaves none (it is renamed into place
        // when whole): then the run starts over, as a user would.
        if (!QFile::exists(journal))
            args << batch << QStringLiteral("--journal") << journal;
        else
            args << QStringLiteral("--resume") << journal;
        args << QStringLiteral("-o") << output << QStringLiteral("--progress")
             << QStringLiteral("none") << QStringLiteral("--workers") << QStringLiteral("2")
             << QStringLiteral("--concurrency") << QStringLiteral("500");
        QProcess p;
        QSignalSpy done(&p, &QProcess::finished); // waiting on it keeps the server serving
        p.start(QStringLiteral(BRIGADE_APP_PATH), args);
        QVERIFY(p.waitForStarted());
        const bool lastRound = round >= 5;
        if (!lastRound) {
            // Kill it at a random point of the run, as a crash or a power cut would.
            QTimer killer;
            killer.setSingleShot(true);
            connect(&killer, &QTimer::timeout, &p, [&] {
                // Once the run has ended, processId() is 0, and kill(0) would kill our whole
                // process group (ctest and CI included).
                const qint64 pid = p.processId();
                if (pid <= 0)
                    return;
                orphans += childProcesses(pid);
                ::kill(pid_t(pid), SIGKILL);
            });
            killer.start(int(rng.bounded(150, 900)));
            QVERIFY(done.wait(60000));
            if (p.exitStatus() == QProcess::CrashExit) {
                ++kills;
                continue;
            }
        } else {
            QVERIFY(done.wait(120000));
        }
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        break;
    }
    QVERIFY2(kills >= 3, qPrintable(QStringLiteral("only %1 kills landed").arg(kills)));
    // The workers of a killed engine notice their stdin closed and leave.
    for (qint64 pid : std::as_const(orphans))
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 10000);

    bool duplicates = false;
    const auto records = readOutput(output, &duplicates);
    QVERIFY(!duplicates);
    QCOMPARE(records.size(), m_tasks);
    for (int i = 0; i < m_tasks; ++i) {
        const QJsonObject o = records.value(QStringLiteral("t%1").arg(i));
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("succeeded"));
        const QJsonValue result = o.value(QLatin1String("result"));
        const QByteArray text = result.isString() ? '"' + result.toString().toUtf8() + '"'
                                                  : QByteArray::number(result.toInteger());
        QCOMPARE(text, expectedResult(i));
    }
    qInfo("engine SIGKILLed %d times across resumes; %d tasks, each exactly once", kills, m_tasks);
}

void tst_CrashResume::workersKilledEverySecond()
{
    // Slow enough that the run lasts several seconds whatever the machine.
    const QString batch = writeBatch(m_tasks, "[100,300]");
    const QString output = m_dir.filePath(QStringLiteral("workers.jsonl"));
    QProcess p;
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            {QStringLiteral("run"), batch, QStringLiteral("--no-journal"), QStringLiteral("-o"),
             output, QStringLiteral("--progress"), QStringLiteral("none"),
             QStringLiteral("--max-attempts"), QStringLiteral("20"), QStringLiteral("--workers"),
             QStringLiteral("2"), QStringLiteral("--concurrency"), QStringLiteral("400")});
    QVERIFY(p.waitForStarted());
    int kills = 0;
    QRandomGenerator rng(7);
    QTimer killer;
    killer.setInterval(700);
    connect(&killer, &QTimer::timeout, &p, [&] {
        const QList<qint64> workers = childProcesses(p.processId());
        if (!workers.isEmpty()
            && ::kill(pid_t(workers[int(rng.bounded(qsizetype(workers.size())))]), SIGKILL) == 0)
            ++kills;
    });
    killer.start();
    QSignalSpy done(&p, &QProcess::finished);
    QVERIFY(done.wait(180000));
    killer.stop();
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QVERIFY2(kills >= 2, qPrintable(QString::number(kills)));
    bool duplicates = false;
    const auto records = readOutput(output, &duplicates);
    QVERIFY(!duplicates);
    QCOMPARE(records.size(), m_tasks);
    int retried = 0;
    for (const QJsonObject &o : records) {
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("succeeded"));
        retried += o.value(QLatin1String("attempts")).toInt() > 1;
    }
    QVERIFY(retried > 0); // the kills hit tasks in flight, and they were retried
    qInfo("%d workers SIGKILLed; %d tasks retried; every task exactly once", kills, retried);
}

QTEST_GUILESS_MAIN(tst_CrashResume)
#include "tst_crashresume.moc"
