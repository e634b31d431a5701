// brigade-worker's command line: what the engine passes, and --help/--version for a person
// checking a compute node; the parser as a table, then the real worker binary.
#include "worker/WorkerOptions.h"

#include <QProcess>
#include <QTest>

class tst_WorkerOptions : public QObject
{
    Q_OBJECT
private slots:
    void parse_data();
    void parse();
    void versionAndHelpFromTheBinary();
    void badArgumentExitsTwo();
};

void tst_WorkerOptions::parse_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<quint64>("memoryLimitMb");
    QTest::addColumn<bool>("help");
    QTest::addColumn<bool>("version");
    QTest::addColumn<QString>("error"); // a part of the message; empty: no error

    QTest::newRow("none") << QStringList{} << quint64(0) << false << false << QString();
    QTest::newRow("memory limit") << QStringList{"--memory-limit-mb", "512"} << quint64(512)
                                  << false << false << QString();
    QTest::newRow("version") << QStringList{"--version"} << quint64(0) << false << true
                             << QString();
    QTest::newRow("-v") << QStringList{"-v"} << quint64(0) << false << true << QString();
    QTest::newRow("help") << QStringList{"--help"} << quint64(0) << true << false << QString();
    QTest::newRow("-h") << QStringList{"-h"} << quint64(0) << true << false << QString();
    QTest::newRow("limit not a number") << QStringList{"--memory-limit-mb", "lots"} << quint64(0)
                                        << false << false << QString("not \"lots\"");
    QTest::newRow("limit zero") << QStringList{"--memory-limit-mb", "0"} << quint64(0) << false
                                << false << QString("above 0");
    QTest::newRow("limit missing") << QStringList{"--memory-limit-mb"} << quint64(0) << false
                                   << false << QString("--memory-limit-mb expects");
    QTest::newRow("unknown") << QStringList{"--frobnicate"} << quint64(0) << false << false
                             << QString("unknown argument \"--frobnicate\"");
    QTest::newRow("unknown after a good one")
            << QStringList{"--version", "extra"} << quint64(0) << false << true
            << QString("unknown argument \"extra\"");
}

void tst_WorkerOptions::parse()
{
    QFETCH(QStringList, args);
    QFETCH(quint64, memoryLimitMb);
    QFETCH(bool, help);
    QFETCH(bool, version);
    QFETCH(QString, error);
    const Brigade::WorkerOptions o = Brigade::WorkerOptions::parse(args);
    if (error.isEmpty()) {
        QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
        QCOMPARE(o.memoryLimitMb, memoryLimitMb);
    } else {
        QVERIFY2(o.error.contains(error), qPrintable(o.error));
    }
    QCOMPARE(o.showHelp, help);
    QCOMPARE(o.showVersion, version);
}

void tst_WorkerOptions::versionAndHelpFromTheBinary()
{
    QProcess worker;
    worker.start(QStringLiteral(BRIGADE_WORKER_PATH), {QStringLiteral("--version")});
    QVERIFY(worker.waitForFinished(30000));
    QCOMPARE(worker.exitCode(), 0);
    QCOMPARE(worker.readAllStandardOutput(), QByteArray("brigade-worker " BRIGADE_VERSION "\n"));

    worker.start(QStringLiteral(BRIGADE_WORKER_PATH), {QStringLiteral("--help")});
    QVERIFY(worker.waitForFinished(30000));
    QCOMPARE(worker.exitCode(), 0);
    QCOMPARE(QString::fromLocal8Bit(worker.readAllStandardOutput()),
             Brigade::WorkerOptions::helpText());
}

void tst_WorkerOptions::badArgumentExitsTwo()
{
    QProcess worker;
    worker.start(QStringLiteral(BRIGADE_WORKER_PATH), {QStringLiteral("--frobnicate")});
    QVERIFY(worker.waitForFinished(30000));
    QCOMPARE(worker.exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker.exitCode(), 2);
    const QByteArray err = worker.readAllStandardError();
    QVERIFY2(err.contains("brigade-worker: unknown argument \"--frobnicate\""), err.constData());
    QVERIFY(err.contains("--help"));
}

QTEST_GUILESS_MAIN(tst_WorkerOptions)
#include "tst_workeroptions.moc"
