// One set of rules for run settings: the limits and messages the command line, the Run
// Settings dialog and the worker placement editor all take from RunSettingsRules.
#include "run/RunSettingsFile.h"
#include "run/RunSettingsRules.h"
#include "run/WorkerGroups.h"

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;
using Rules = RunSettingsRules;
using Field = RunSettingsRules::Field;

class tst_RunSettingsRules : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void defaultsAreValid();
    void numbersOutOfRange_data();
    void numbersOutOfRange();
    void sshHosts_data();
    void sshHosts();
    void slurmFields();
    void environment();
    void fileHoldsValuesToTheLimits();
    void rates_data();
    void rates();
    void pacingLimits();
};

void tst_RunSettingsRules::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("BrigadeRulesTest"));
    QSettings().clear();
}

void tst_RunSettingsRules::rates_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<double>("perSecond");
    QTest::addColumn<int>("burst");
    QTest::addColumn<QString>("error"); // a part of it; empty: valid
    QTest::newRow("per second") << "api.example.com=10/s"
                                << "api.example.com" << 10.0 << 0 << "";
    QTest::newRow("every host") << "*=100/s"
                                << "*" << 100.0 << 0 << "";
    QTest::newRow("per minute") << "h=30/min"
                                << "h" << 0.5 << 0 << "";
    QTest::newRow("burst") << "h:8080=2.5/s:burst=5"
                           << "h:8080" << 2.5 << 5 << "";
    QTest::newRow("scheme") << "https://h:8443=1/s"
                            << "https://h:8443" << 1.0 << 0 << "";
    QTest::newRow("no rate") << "h"
                             << "" << 0.0 << 0 << "is not a rate";
    QTest::newRow("no unit") << "h=10"
                             << "" << 0.0 << 0 << "is not a rate";
    QTest::newRow("negative") << "h=-1/s"
                              << "" << 0.0 << 0 << "is not a rate";
    QTest::newRow("zero") << "h=0/s"
                          << "" << 0.0 << 0 << "must be from";
    QTest::newRow("path") << "h/x=1/s"
                          << "" << 0.0 << 0 << "is not a host";
    QTest::newRow("wildcard part") << "*.example.com=1/s"
                                   << "" << 0.0 << 0 << "is not a host";
}

void tst_RunSettingsRules::rates()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const Result<HostRate> rate = Rules::parseRate(text);
    if (!error.isEmpty()) {
        QVERIFY(!rate);
        QVERIFY2(rate.error().contains(error), qPrintable(rate.error()));
        return;
    }
    QVERIFY2(rate.ok(), qPrintable(rate.error()));
    QTEST(rate->host, "host");
    QTEST(rate->perSecond, "perSecond");
    QTEST(rate->burst, "burst");
    // What text() writes, parseRate reads back the same.
    const Result<HostRate> again = Rules::parseRate(rate->text());
    QVERIFY2(again.ok(), qPrintable(rate->text()));
    QVERIFY(qAbs(again->perSecond - rate->perSecond) < 1e-9);
    QCOMPARE(again->burst, rate->burst);
}

void tst_RunSettingsRules::pacingLimits()
{
    RunSettings s;
    s.pacing.rates = {{QStringLiteral("h"), 0, 0}};
    s.pacing.hostInFlight = -1;
    s.pacing.breakerCooldownMs = 0;
    const QList<Rules::Problem> problems = Rules::check(s);
    QCOMPARE(problems.size(), 3);
    QCOMPARE(problems[0].field, Field::Rate);
    QCOMPARE(problems[1].field, Field::HostInFlight);
    QCOMPARE(problems[2].field, Field::BreakerCooldownMs);
}

void tst_RunSettingsRules::defaultsAreValid()
{
    QVERIFY(Rules::check(RunSettings{}).isEmpty());
    RunSettings s;
    s.groups << WorkerGroups::ssh(QStringLiteral("node2"), 4, {}, {})
             << WorkerGroups::slurm(3, QStringLiteral("--partition debug"), {}, {})
             << WorkerGroups::launcher(QStringLiteral("sh -c \"exec brigade-worker\""), 2);
    QVERIFY(Rules::check(s).isEmpty());
}

void tst_RunSettingsRules::numbersOutOfRange_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("expected");
    QTest::newRow("concurrency") << 0
                                 << QStringLiteral("Tasks in flight per worker must be a whole "
                                                   "number from 1 to 1000000, not 0.");
    QTest::newRow("attempts")
            << 1
            << QStringLiteral("Attempts per task must be a whole number from 1 to 100, not 101.");
    QTest::newRow("backoff order")
            << 2
            << QStringLiteral("The longest backoff (10 ms) is shorter than the first (20 ms).");
    QTest::newRow("ssh workers")
            << 3
            << QStringLiteral("Workers on node2 must be a whole number from 1 to 1024, not 1025.");
    QTest::newRow("host connections")
            << 4
            << QStringLiteral("Connections per host must be a whole number from 0 to 100000, not "
                              "-1.");
    QTest::newRow("proxy") << 5
                           << QStringLiteral("unsupported proxy scheme \"ftp\" (expected http, "
                                             "https, socks4, socks4a, socks5 or socks5h)");
}

void tst_RunSettingsRules::numbersOutOfRange()
{
    QFETCH(int, which);
    QFETCH(QString, expected);
    RunSettings s;
    switch (which) {
    case 0:
        s.concurrency = 0;
        break;
    case 1:
        s.maxAttempts = 101;
        break;
    case 2:
        s.retry.baseDelayMs = 20;
        s.retry.maxDelayMs = 10;
        break;
    case 3:
        s.groups << WorkerGroups::ssh(QStringLiteral("node2"), 1025, {}, {});
        break;
    case 4:
        s.maxHostConnections = -1;
        break;
    case 5:
        s.proxy = "ftp://proxy.example:21";
        break;
    }
    const QList<Rules::Problem> problems = Rules::check(s);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.first().message, expected);
}

void tst_RunSettingsRules::sshHosts_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QStringLiteral("node2") << QString();
    QTest::newRow("user") << QStringLiteral("me@node2.example") << QString();
    QTest::newRow("option") << QStringLiteral("-oProxyCommand=nc")
                            << QStringLiteral("\u201c-oProxyCommand=nc\u201d is not a host name: "
                                              "ssh would read it as an option (give ssh options "
                                              "separately).");
    QTest::newRow("space") << QStringLiteral("node 2")
                           << QStringLiteral("\u201cnode 2\u201d is not a host name: it has a "
                                             "space in it.");
    QTest::newRow("star") << QStringLiteral("node2*0")
                          << QStringLiteral("\u201cnode2*0\u201d is not a host: write HOST or "
                                            "HOST*N with N from 1 to 1024.");
}

void tst_RunSettingsRules::sshHosts()
{
    QFETCH(QString, host);
    QFETCH(QString, expected);
    QCOMPARE(Rules::sshHostProblem(host), expected);
    RunSettings s;
    s.groups << WorkerGroups::ssh(host, 1, {}, {});
    const QList<Rules::Problem> problems = Rules::check(s);
    QCOMPARE(problems.isEmpty(), expected.isEmpty());
    if (!expected.isEmpty()) {
        QCOMPARE(problems.first().field, Field::SshHost);
        QCOMPARE(problems.first().message, expected);
    }
}

void tst_RunSettingsRules::slurmFields()
{
    QCOMPARE(Rules::partitionProblem(QStringLiteral("debug,batch")), QString());
    QVERIFY(Rules::partitionProblem(QStringLiteral("debug batch")).contains("is not a partition"));
    for (const char *ok : {"30", "2:00:00", "1-12", "1-12:00:00", "unlimited"})
        QCOMPARE(Rules::timeLimitProblem(QLatin1String(ok)), QString());
    QCOMPARE(Rules::timeLimitProblem(QStringLiteral("soon")),
             QStringLiteral("\u201csoon\u201d is not a time limit: write minutes (30), H:MM:SS "
                            "(2:00:00) or D-HH:MM:SS (1-12:00:00)."));
}

void tst_RunSettingsRules::environment()
{
    QTemporaryDir dir;
    RunSettings s;
    s.groups << WorkerGroups::launcher(QStringLiteral("no-such-launcher-here exec worker"), 1)
             << WorkerGroups::slurm(1, {}, dir.filePath(QStringLiteral("slurm.conf")), {});
    const QList<Rules::Problem> problems = Rules::checkEnvironment(s);
    QStringList messages;
    for (const Rules::Problem &p : problems)
        messages << p.message;
    QVERIFY2(messages.contains(
                     QStringLiteral("There is no program \u201cno-such-launcher-here\u201d "
                                    "on this machine's PATH.")),
             qPrintable(messages.join('\n')));
    QVERIFY2(messages.contains(QStringLiteral("There is no file \u201c%1\u201d for slurm.conf.")
                                       .arg(dir.filePath(QStringLiteral("slurm.conf")))),
             qPrintable(messages.join('\n')));
    RunSettings fine;
    fine.groups << WorkerGroups::launcher(QStringLiteral("sh -c true"), 1);
    QVERIFY(Rules::checkEnvironment(fine).isEmpty());
}

void tst_RunSettingsRules::fileHoldsValuesToTheLimits()
{
    RunSettings s;
    s.concurrency = 77;
    s.maxAttempts = 9;
    s.groups << WorkerGroups::ssh(QStringLiteral("node2"), 3, {}, {});
    RunSettingsFile::save(s);
    RunSettings loaded = RunSettingsFile::load();
    QCOMPARE(loaded.concurrency, 77);
    QCOMPARE(loaded.maxAttempts, 9);
    QCOMPARE(loaded.groups.size(), 1);
    QCOMPARE(loaded.groups.first().host, QStringLiteral("node2"));
    QCOMPARE(loaded.groups.first().count, 3);
    // A hand-edited file with values no front end accepts comes back within the limits.
    QSettings settings;
    settings.setValue(QStringLiteral("run/concurrency"), 0);
    settings.setValue(QStringLiteral("run/maxAttempts"), 5000);
    settings.sync();
    loaded = RunSettingsFile::load();
    QCOMPARE(loaded.concurrency, 1);
    QCOMPARE(loaded.maxAttempts, 100);
    QVERIFY(Rules::check(loaded).isEmpty());
}

QTEST_GUILESS_MAIN(tst_RunSettingsRules)
#include "tst_runsettingsrules.moc"
