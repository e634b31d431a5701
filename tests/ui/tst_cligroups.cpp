// Where the CLI puts workers: --workers, --ssh, --slurm and --launcher with their options
// turned into RunSettings, and the messages for choices that cannot run; and how the
// workers fetch (the HTTP options and the failure kinds that are retried).
#include "DescribeGroups.h"
#include "terminal/CliParser.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;

namespace {

QString describe(const RunSettings &s)
{
    return Test::describeGroups(s);
}

// `brigade run b.jsonl ARGS`: the settings (defaults when refused) and the error.
std::pair<RunSettings, QString> parse(const QStringList &args)
{
    CliOptions options;
    QString error;
    const bool ok = CliParser::parse(
            QStringList{QStringLiteral("run"), QStringLiteral("b.jsonl")} + args, &options, &error);
    return std::make_pair(ok ? options.settings : RunSettings(), error);
}

} // namespace

class tst_CliGroups : public QObject
{
    Q_OBJECT
private slots:
    void groups_data();
    void groups();
    void refused_data();
    void refused();
    void httpOptions();
    void pacingOptions();
};

void tst_CliGroups::groups_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("local only") << QStringList{} << QStringLiteral("workers=0 queueTimeoutMs=0");
    QTest::newRow("ssh hosts") << QStringList{QStringLiteral("--ssh"),
                                              QStringLiteral("node2*4"),
                                              QStringLiteral("--ssh"),
                                              QStringLiteral("me@node3"),
                                              QStringLiteral("--ssh-options"),
                                              QStringLiteral("-p 2222 -o \"ProxyJump gw\"")}
                               << QStringLiteral(
                                          "workers=0 queueTimeoutMs=0\n"
                                          "kind=1 count=4 host=[node2] options=[-p|2222|-o|"
                                          "ProxyJump gw] remote=[] command=[] conf=[]\n"
                                          "kind=1 count=1 host=[me@node3] options=[-p|2222|-o|"
                                          "ProxyJump gw] remote=[] command=[] conf=[]");
    QTest::newRow("everything mixed")
            << QStringList{QStringLiteral("--workers"),
                           QStringLiteral("3"),
                           QStringLiteral("--ssh"),
                           QStringLiteral("node2*2"),
                           QStringLiteral("--slurm"),
                           QStringLiteral("5"),
                           QStringLiteral("--srun-options"),
                           QStringLiteral("--partition debug --time 10"),
                           QStringLiteral("--slurm-conf"),
                           QStringLiteral("/etc/slurm/slurm.conf"),
                           QStringLiteral("--launcher"),
                           QStringLiteral("docker exec -i box brigade-worker"),
                           QStringLiteral("--launcher-workers"),
                           QStringLiteral("2"),
                           QStringLiteral("--remote-worker"),
                           QStringLiteral("/opt/brigade/bin/brigade-worker"),
                           QStringLiteral("--queue-timeout-ms"),
                           QStringLiteral("60000")}
            << QStringLiteral("workers=3 queueTimeoutMs=60000\n"
                              "kind=1 count=2 host=[node2] options=[] "
                              "remote=[/opt/brigade/bin/brigade-worker] command=[] conf=[]\n"
                              "kind=2 count=5 host=[] options=[--partition|debug|--time|10] "
                              "remote=[/opt/brigade/bin/brigade-worker] command=[] "
                              "conf=[/etc/slurm/slurm.conf]\n"
                              "kind=3 count=2 host=[] options=[] remote=[] "
                              "command=[docker exec -i box brigade-worker] conf=[]");
    QTest::newRow("trailing star is one worker")
            << QStringList{QStringLiteral("--ssh"), QStringLiteral("node2*")}
            << QStringLiteral("workers=0 queueTimeoutMs=0\n"
                              "kind=1 count=1 host=[node2] options=[] remote=[] command=[] "
                              "conf=[]");
    QTest::newRow("remote only") << QStringList{QStringLiteral("--workers"), QStringLiteral("0"),
                                                QStringLiteral("--launcher"), QStringLiteral("sh")}
                                 << QStringLiteral("workers=0 queueTimeoutMs=0\n"
                                                   "kind=3 count=1 host=[] options=[] remote=[] "
                                                   "command=[sh] conf=[]");
}

void tst_CliGroups::groups()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    CliOptions options;
    QString error;
    QVERIFY2(CliParser::parse(QStringList{QStringLiteral("run"), QStringLiteral("b.jsonl")} + args,
                              &options, &error),
             qPrintable(error));
    QCOMPARE(describe(options.settings), expected);
}

void tst_CliGroups::refused_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    const QString sshMessage
            = QStringLiteral("--ssh expects HOST or HOST*N with N from 1 to 1024, not \"%1\"");
    for (const char *spec : {"*4", "node2*0", "node2*1025", "node2*x", "node2*-1"}) {
        QTest::newRow(spec) << QStringList{QStringLiteral("--ssh"), QLatin1String(spec)}
                            << sshMessage.arg(QLatin1String(spec));
    }
    QTest::newRow("slurm 0") << QStringList{QStringLiteral("--slurm"), QStringLiteral("0")}
                             << QStringLiteral("--slurm expects a whole number from 1 to 100000, "
                                               "not \"0\"");
    QTest::newRow("empty launcher")
            << QStringList{QStringLiteral("--launcher"), QStringLiteral("  ")}
            << QStringLiteral("--launcher needs a command");
    // The rules the window's settings follow: a host ssh would read as an option is refused.
    QTest::newRow("host like an option")
            << QStringList{QStringLiteral("--ssh=-oProxyCommand=nc")}
            << QStringLiteral("--ssh: \u201c-oProxyCommand=nc\u201d is not a host name: ssh would "
                              "read it as an option (give ssh options separately).");
    QTest::newRow("host twice")
            << QStringList{QStringLiteral("--ssh"), QStringLiteral("node2"),
                           QStringLiteral("--ssh"), QStringLiteral("node2*3")}
            << QStringLiteral("--ssh: node2 is listed twice: give it one entry with all its "
                              "workers.");
    QTest::newRow("no workers at all")
            << QStringList{QStringLiteral("--workers"), QStringLiteral("0")}
            << QStringLiteral("--workers 0 leaves no worker to run anything (add --ssh, --slurm "
                              "or --launcher workers)");
}

void tst_CliGroups::refused()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    CliOptions options;
    QString error;
    QVERIFY(!CliParser::parse(QStringList{QStringLiteral("run"), QStringLiteral("b.jsonl")} + args,
                              &options, &error));
    QCOMPARE(error, expected);
}

void tst_CliGroups::pacingOptions()
{
    const RunSettings defaults = parse({}).first;
    QVERIFY(defaults.pacing.rates.isEmpty());
    QCOMPARE(defaults.pacing.breakerFailures, 0);
    const RunSettings s
            = parse({QStringLiteral("--rate"), QStringLiteral("api.example.com=10/s:burst=5"),
                     QStringLiteral("--rate"), QStringLiteral("*=600/min"),
                     QStringLiteral("--host-in-flight"), QStringLiteral("4"),
                     QStringLiteral("--breaker"), QStringLiteral("5"),
                     QStringLiteral("--breaker-cooldown-ms"), QStringLiteral("2000"),
                     QStringLiteral("--max-retry-after-ms"), QStringLiteral("60000"),
                     QStringLiteral("--priority-aging-ms"), QStringLiteral("500")})
                      .first;
    QCOMPARE(s.pacing.rates.size(), 2);
    QCOMPARE(s.pacing.rates[0].host, QStringLiteral("api.example.com"));
    QCOMPARE(s.pacing.rates[0].burst, 5);
    QCOMPARE(s.pacing.rates[1].perSecond, 10.0);
    QCOMPARE(s.pacing.hostInFlight, 4);
    QCOMPARE(s.pacing.breakerFailures, 5);
    QCOMPARE(s.pacing.breakerCooldownMs, 2000u);
    QCOMPARE(s.pacing.maxPauseMs, 60000u);
    QCOMPARE(s.pacing.priorityAgingMs, 500);
    QVERIFY(parse({QStringLiteral("--rate"), QStringLiteral("fast")})
                    .second.startsWith(QStringLiteral("--rate: \u201cfast\u201d is not a rate")));
    QCOMPARE(parse({QStringLiteral("--breaker"), QStringLiteral("-1")}).second,
             QStringLiteral("--breaker expects a whole number from 0 to 1000000, not \"-1\""));
}

void tst_CliGroups::httpOptions()
{
    const RunSettings defaults = parse({}).first;
    QCOMPARE(defaults.maxHostConnections, 256);
    QVERIFY(!defaults.http1 && !defaults.insecure);
    QVERIFY(defaults.caCertificates.isEmpty() && defaults.proxy.isEmpty());
    QVERIFY(!defaults.retry.retryTls && !defaults.retry.retryProtocol);
    QCOMPARE(defaults.hostConnectionsPerWorker(2), 128);
    QCOMPARE(defaults.hostConnectionsPerWorker(1000), 1); // at least one each

    const RunSettings s = parse({QStringLiteral("--max-host-connections"), QStringLiteral("0"),
                                 QStringLiteral("--http1"), QStringLiteral("--insecure"),
                                 QStringLiteral("--proxy"), QStringLiteral("proxy.example:3128"),
                                 QStringLiteral("--retry-on"), QStringLiteral("tls,protocol")})
                                  .first;
    QCOMPARE(s.maxHostConnections, 0);
    QCOMPARE(s.hostConnectionsPerWorker(4), 0); // no cap
    QVERIFY(s.http1 && s.insecure);
    QCOMPARE(s.proxy, QByteArray("proxy.example:3128"));
    QVERIFY(s.retry.retryTls && s.retry.retryProtocol && !s.retry.retryNetwork);

    QTemporaryDir dir;
    QFile pem(dir.filePath(QStringLiteral("ca.pem")));
    QVERIFY(pem.open(QIODevice::WriteOnly));
    pem.write("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    pem.close();
    QCOMPARE(parse({QStringLiteral("--cacert"), pem.fileName()}).first.caCertificates,
             QByteArray("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
    QCOMPARE(parse({QStringLiteral("--proxy"), QStringLiteral("gopher://x")}).second,
             QStringLiteral("--proxy: unsupported proxy scheme \"gopher\" (expected http, https, "
                            "socks4, socks4a, socks5 or socks5h)"));
}

QTEST_GUILESS_MAIN(tst_CliGroups)
#include "tst_cligroups.moc"
