// How a worker should start a command's process, measured: N runs of /bin/true, K at once,
// from a process shaped like a brigade-worker (a Qt event loop, a compute thread, MB of
// touched memory), with each method:
//   qprocess     QProcess per command (fork of the whole address space, its own notifiers)
//   posix_spawn  glibc posix_spawn (CLONE_VM|CLONE_VFORK inside) + a pidfd notifier
//   clone        Brigade's spawnProcess: clone(CLONE_VM|CLONE_VFORK) + PR_SET_PDEATHSIG +
//                a pidfd notifier, stdout/stderr pipes read as they come (ChildProcess)
// Prints one JSON line per method: commands per second.
//   spawn_bench [--jobs N] [--parallel K] [--touch-mb MB] [--methods qprocess,posix_spawn,clone]
#include "worker/ChildProcess.h"
#include "worker/ProcessGuardian.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QThreadPool>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/resource.h>
#include <vector>

using namespace Brigade;

namespace {

double cpuSeconds(int who)
{
    rusage ru{};
    getrusage(who, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
           + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Run
{
    QString method;
    int jobs = 0;
    int parallel = 2;
    int started = 0;
    int finished = 0;
    QElapsedTimer clock;
    ProcessGuardian guardian;
};

void startOne(Run &run);

void finishOne(Run &run)
{
    ++run.finished;
    if (run.started < run.jobs)
        startOne(run);
    else if (run.finished == run.jobs)
        QCoreApplication::exit(0);
}

void startOne(Run &run)
{
    ++run.started;
    if (run.method == u"qprocess") {
        auto *p = new QProcess;
        QObject::connect(p, &QProcess::finished, p, [p, &run] {
            p->deleteLater();
            finishOne(run);
        });
        p->start(QStringLiteral("/bin/true"), {});
        return;
    }
    auto *child = new ChildProcess(&run.guardian);
    child->onExited = [child, &run](int) {
        child->deleteLater();
        finishOne(run);
    };
    ChildProcess::Options options;
    options.spawn.program = "/bin/true";
    options.spawn.argv = {QByteArray("/bin/true")};
    QString error;
    if (!child->start(std::move(options), &error)) {
        std::fprintf(stderr, "spawn failed: %s\n", qPrintable(error));
        QCoreApplication::exit(1);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    // The guardian of the commands is this program again (as it is brigade-worker there).
    if (argc == 2 && std::strcmp(argv[1], "--guardian") == 0)
        return ProcessGuardian::main();
    std::signal(SIGPIPE, SIG_IGN);
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption jobsOption(QStringLiteral("jobs"), QStringLiteral("Commands."),
                                        QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption parallelOption(QStringLiteral("parallel"), QStringLiteral("At once."),
                                            QStringLiteral("K"), QStringLiteral("2"));
    const QCommandLineOption touchOption(QStringLiteral("touch-mb"),
                                         QStringLiteral("Memory the process has touched."),
                                         QStringLiteral("MB"), QStringLiteral("50"));
    const QCommandLineOption methodsOption(QStringLiteral("methods"), QStringLiteral("Methods."),
                                           QStringLiteral("LIST"),
                                           QStringLiteral("qprocess,posix_spawn,clone"));
    parser.addOptions({jobsOption, parallelOption, touchOption, methodsOption});
    parser.process(app);
    const int jobs = parser.value(jobsOption).toInt();
    const int parallel = parser.value(parallelOption).toInt();
    const size_t touchMb = parser.value(touchOption).toULongLong();
    // A worker's shape: touched memory a fork would have to map, an idle compute thread.
    std::vector<char> memory(touchMb << 20);
    std::memset(memory.data(), 1, memory.size());
    QThreadPool::globalInstance()->start([] {});
    const QStringList methods = parser.value(methodsOption).split(QLatin1Char(','));
    for (const QString &method : methods) {
        // spawnProcess() reads BRIGADE_SPAWN once per process: the other methods run in a
        // process of their own.
        if (method != u"qprocess" && methods.size() > 1) {
            QProcess self;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("BRIGADE_SPAWN"), method == u"posix_spawn"
                                                                ? QStringLiteral("posix_spawn")
                                                                : QStringLiteral("clone"));
            self.setProcessEnvironment(env);
            self.setProcessChannelMode(QProcess::ForwardedChannels);
            self.start(QCoreApplication::applicationFilePath(),
                       {QStringLiteral("--jobs"), QString::number(jobs),
                        QStringLiteral("--parallel"), QString::number(parallel),
                        QStringLiteral("--touch-mb"), QString::number(touchMb),
                        QStringLiteral("--methods"), method});
            self.waitForFinished(-1);
            continue;
        }
        Run run;
        run.method = method;
        run.jobs = jobs;
        run.parallel = parallel;
        const double selfBefore = cpuSeconds(RUSAGE_SELF);
        const double childrenBefore = cpuSeconds(RUSAGE_CHILDREN);
        QTimer::singleShot(0, [&run] {
            run.clock.start();
            for (int i = 0; i < run.parallel && run.started < run.jobs; ++i)
                startOne(run);
        });
        if (QCoreApplication::exec() != 0)
            return 1;
        const double seconds = double(run.clock.nsecsElapsed()) / 1e9;
        // The spawner's own CPU per command is what competes with the rest of a worker (and
        // with the engine) for the cores; the children's is the commands' own.
        const double self = cpuSeconds(RUSAGE_SELF) - selfBefore;
        const double children = cpuSeconds(RUSAGE_CHILDREN) - childrenBefore;
        std::printf("{\"method\":\"%s\",\"jobs\":%d,\"parallel\":%d,\"touched_mb\":%zu,"
                    "\"seconds\":%.4f,\"jobs_per_s\":%.1f,\"spawner_cpu_us_per_job\":%.1f,"
                    "\"children_cpu_us_per_job\":%.1f}\n",
                    qPrintable(method), jobs, parallel, touchMb, seconds, jobs / seconds,
                    self / jobs * 1e6, children / jobs * 1e6);
        std::fflush(stdout);
    }
    return 0;
}
