// The pacing benchmark (not a test): `brigade run --rate` against a local server that
// enforces the same per-client rate limit (tests/support/TestHttpServer's /limited, 429
// with Retry-After above it). Reports the run's wall time against the time the limit
// allows ((tasks - burst) / rate), what the server accepted and refused, and the most
// requests it saw in any one second. See tests/bench/README.md.
//
//   build/tests/bench/pacing_bench --tasks 600 --rate 100 --burst 5 --brigade-burst 3 --reps 3
#include "TestHttpServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>

using Brigade::Test::TestHttpServer;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addHelpOption();
    const QCommandLineOption tasksOpt(QStringLiteral("tasks"), QStringLiteral("Tasks."),
                                      QStringLiteral("N"), QStringLiteral("600"));
    const QCommandLineOption rateOpt(QStringLiteral("rate"), QStringLiteral("Requests a second."),
                                     QStringLiteral("R"), QStringLiteral("100"));
    const QCommandLineOption burstOpt(QStringLiteral("burst"), QStringLiteral("Burst."),
                                      QStringLiteral("B"), QStringLiteral("5"));
    // Brigade's own burst: smaller than the server's, the rest is headroom for requests
    // that leave together and arrive closer than they left.
    const QCommandLineOption ownBurstOpt(QStringLiteral("brigade-burst"),
                                         QStringLiteral("Brigade's burst (default 3)."),
                                         QStringLiteral("B"), QStringLiteral("3"));
    const QCommandLineOption workersOpt(QStringLiteral("workers"), QStringLiteral("Workers."),
                                        QStringLiteral("W"), QStringLiteral("2"));
    const QCommandLineOption repsOpt(QStringLiteral("reps"), QStringLiteral("Repetitions."),
                                     QStringLiteral("K"), QStringLiteral("3"));
    const QCommandLineOption appOpt(QStringLiteral("brigade"), QStringLiteral("brigade to run."),
                                    QStringLiteral("PATH"), QStringLiteral(BRIGADE_APP_PATH));
    p.addOptions({tasksOpt, rateOpt, burstOpt, ownBurstOpt, workersOpt, repsOpt, appOpt});
    p.process(app);
    const int tasks = p.value(tasksOpt).toInt();
    const int rate = p.value(rateOpt).toInt();
    const int burst = p.value(burstOpt).toInt();
    const int reps = p.value(repsOpt).toInt();
    const int ownBurst = p.value(ownBurstOpt).toInt();
    if (tasks <= burst || rate <= 0 || burst <= 0 || reps <= 0) {
        std::fprintf(stderr, "pacing_bench: need tasks > burst > 0, rate > 0, reps > 0\n");
        return 2;
    }

    TestHttpServer server;
    if (!server.listen()) {
        std::fprintf(stderr, "pacing_bench: cannot listen on 127.0.0.1\n");
        return 1;
    }
    QTemporaryDir dir;
    const double idealS = double(tasks - burst) / rate;
    std::printf("tasks %d, server limit %d/s burst %d, brigade --rate '*=%d/s:burst=%d', %s "
                "workers; the limit allows %.3f s\n",
                tasks, rate, burst, rate, ownBurst, qPrintable(p.value(workersOpt)), idealS);
    int status = 0;
    for (int rep = 0; rep < reps; ++rep) {
        const QByteArray client = "bench" + QByteArray::number(rep);
        const QString batch = dir.filePath(QStringLiteral("paced%1.jsonl").arg(rep));
        QFile f(batch);
        if (!f.open(QIODevice::WriteOnly))
            return 1;
        for (int i = 0; i < tasks; ++i) {
            f.write(R"({"id":"t)" + QByteArray::number(i) + R"(","fetch":")"
                    + server.url("/limited?client=" + client + "&rate=" + QByteArray::number(rate)
                                 + "&burst=" + QByteArray::number(burst)
                                 + "&i=" + QByteArray::number(i))
                    + "\"}\n");
        }
        f.close();
        QProcess proc;
        proc.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        proc.setStandardOutputFile(QProcess::nullDevice());
        QEventLoop loop;
        QObject::connect(&proc, &QProcess::finished, &loop, &QEventLoop::quit);
        QObject::connect(&proc, &QProcess::errorOccurred, &loop, &QEventLoop::quit);
        QElapsedTimer clock;
        clock.start();
        proc.start(p.value(appOpt),
                   {QStringLiteral("run"), batch, QStringLiteral("--no-journal"),
                    QStringLiteral("--progress"), QStringLiteral("none"),
                    QStringLiteral("--workers"), p.value(workersOpt), QStringLiteral("--rate"),
                    QStringLiteral("*=%1/s:burst=%2").arg(rate).arg(ownBurst)});
        loop.exec();
        const double s = double(clock.elapsed()) / 1000.0;
        const QVector<qint64> accepted = server.limitedAccepted(client);
        const int refused = server.limitedRejected(client);
        const int most = TestHttpServer::mostInWindow(accepted, 1000);
        const bool ok = proc.exitStatus() == QProcess::NormalExit && proc.exitCode() == 0
                        && accepted.size() == tasks;
        std::printf("rep %d: %.3f s, %.3fx ideal; server accepted %d, refused %d, most in 1 s "
                    "%d (limit %d + burst %d); exit %d%s\n",
                    rep + 1, s, s / idealS, int(accepted.size()), refused, most, rate, burst,
                    proc.exitCode(), ok ? "" : "  FAILED");
        std::fflush(stdout);
        if (!ok)
            status = 1;
    }
    return status;
}
