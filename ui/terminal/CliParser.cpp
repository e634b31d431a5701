#include "CliParser.h"

#include "net/Url.h"
#include "run/RunSettingsRules.h"
#include "run/WorkerGroups.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>

namespace Brigade {

namespace {

struct Parser
{
    QCommandLineParser p;
    QCommandLineOption workers{{QStringLiteral("w"), QStringLiteral("workers")},
                               QStringLiteral("Worker processes (default: one per core)."),
                               QStringLiteral("N")};
    QCommandLineOption concurrency{{QStringLiteral("c"), QStringLiteral("concurrency")},
                                   QStringLiteral("Tasks in flight per worker (default 8192)."),
                                   QStringLiteral("K")};
    QCommandLineOption computeThreads{QStringLiteral("compute-threads"),
                                      QStringLiteral("Compute threads per worker (default 1)."),
                                      QStringLiteral("N")};
    QCommandLineOption maxAttempts{QStringLiteral("max-attempts"),
                                   QStringLiteral("Attempts per task unless it says (default 3)."),
                                   QStringLiteral("N")};
    QCommandLineOption timeout{
            QStringLiteral("timeout-ms"),
            QStringLiteral("Per-attempt timeout unless the task says (default none)."),
            QStringLiteral("MS")};
    QCommandLineOption maxBytes{QStringLiteral("max-bytes"),
                                QStringLiteral("Largest fetched body (default 64 MiB)."),
                                QStringLiteral("BYTES")};
    QCommandLineOption retryOn{QStringLiteral("retry-on"),
                               QStringLiteral("Failures that are retried, comma-separated from "
                                              "network,timeout,5xx,4xx,compute,too-large,tls,"
                                              "protocol,exit,program (default "
                                              "network,timeout,5xx,program)."),
                               QStringLiteral("LIST")};
    QCommandLineOption backoff{
            QStringLiteral("backoff-ms"),
            QStringLiteral("Backoff base and cap between attempts (default 100,30000)."),
            QStringLiteral("BASE[,MAX]")};
    QCommandLineOption output{{QStringLiteral("o"), QStringLiteral("output")},
                              QStringLiteral("Write one record per task, in completion order, "
                                             "to FILE (.jsonl or .csv)."),
                              QStringLiteral("FILE")};
    QCommandLineOption skipInvalid{
            QStringLiteral("skip-invalid"),
            QStringLiteral("Run the valid tasks of a batch with errors; with - or "
                           "--follow, skip bad lines and read on (else "
                           "reading stops at the first).")};
    QCommandLineOption progress{QStringLiteral("progress"),
                                QStringLiteral("auto, live, plain or none (default auto: live on "
                                               "a terminal, a line every few seconds otherwise)."),
                                QStringLiteral("MODE")};
    QCommandLineOption seed{QStringLiteral("seed"),
                            QStringLiteral("Seed for random delays and backoff jitter."),
                            QStringLiteral("N")};
    QCommandLineOption workerProgram{
            QStringLiteral("worker-program"),
            QStringLiteral("The worker executable (default: brigade-worker "
                           "beside brigade)."),
            QStringLiteral("PATH")};
    QCommandLineOption heartbeatTimeout{
            QStringLiteral("heartbeat-timeout-ms"),
            QStringLiteral("Replace a worker silent this long (default 10000)."),
            QStringLiteral("MS")};
    QCommandLineOption memoryLimit{QStringLiteral("worker-memory-mb"),
                                   QStringLiteral("Cap each worker's memory; a worker over it "
                                                  "fails its tasks with a clear error."),
                                   QStringLiteral("MIB")};
    QCommandLineOption ssh{QStringLiteral("ssh"),
                           QStringLiteral("Also run workers on HOST through ssh; HOST*N for N of "
                                          "them (repeatable)."),
                           QStringLiteral("HOST[*N]")};
    QCommandLineOption sshOptions{QStringLiteral("ssh-options"),
                                  QStringLiteral("Extra ssh arguments, e.g. \"-p 2222 -i key\"."),
                                  QStringLiteral("ARGS")};
    QCommandLineOption slurm{QStringLiteral("slurm"),
                             QStringLiteral("Also run N workers as Slurm steps (srun)."),
                             QStringLiteral("N")};
    QCommandLineOption srunOptions{QStringLiteral("srun-options"),
                                   QStringLiteral("Extra srun arguments, e.g. \"--partition debug "
                                                  "--time 10\"."),
                                   QStringLiteral("ARGS")};
    QCommandLineOption slurmConf{QStringLiteral("slurm-conf"),
                                 QStringLiteral("The slurm.conf srun uses (default: $SLURM_CONF)."),
                                 QStringLiteral("FILE")};
    QCommandLineOption launcher{QStringLiteral("launcher"),
                                QStringLiteral("Also run workers with this command, the worker "
                                               "program included, e.g. \"docker exec -i box "
                                               "brigade-worker\" (the worker's options are "
                                               "appended)."),
                                QStringLiteral("COMMAND")};
    QCommandLineOption launcherWorkers{
            QStringLiteral("launcher-workers"),
            QStringLiteral("Workers started through --launcher (default 1)."), QStringLiteral("N")};
    QCommandLineOption remoteWorker{
            QStringLiteral("remote-worker"),
            QStringLiteral("The worker program on ssh hosts and Slurm nodes "
                           "(default brigade-worker)."),
            QStringLiteral("PATH")};
    QCommandLineOption queueTimeout{
            QStringLiteral("queue-timeout-ms"),
            QStringLiteral("Give up on a Slurm worker that waits longer for a "
                           "CPU (default: wait)."),
            QStringLiteral("MS")};
    QCommandLineOption maxHostConnections{
            QStringLiteral("max-host-connections"),
            QStringLiteral("Connections to one host for the whole run, shared among the workers "
                           "(default 256; 0: no cap). HTTP/2 carries many requests on each."),
            QStringLiteral("N")};
    QCommandLineOption http1{QStringLiteral("http1"), QStringLiteral("Never use HTTP/2.")};
    QCommandLineOption insecure{QStringLiteral("insecure"),
                                QStringLiteral("Do not verify TLS certificates or host names "
                                               "(anyone on the way can read and change the "
                                               "fetches).")};
    QCommandLineOption cacert{QStringLiteral("cacert"),
                              QStringLiteral("Trust the CA certificates in FILE (PEM) instead of "
                                             "the system's bundle (default: $SSL_CERT_FILE, "
                                             "$SSL_CERT_DIR, else the system's)."),
                              QStringLiteral("FILE")};
    QCommandLineOption proxy{QStringLiteral("proxy"),
                             QStringLiteral("Fetch through this proxy (http://, https://, "
                                            "socks5h:// ...; default: $http_proxy, $https_proxy, "
                                            "$no_proxy)."),
                             QStringLiteral("URL")};
    QCommandLineOption journal{{QStringLiteral("j"), QStringLiteral("journal")},
                               QStringLiteral("Record the run in this journal file (default: a new "
                                              "file in the user's data directory)."),
                               QStringLiteral("FILE")};
    QCommandLineOption noJournal{QStringLiteral("no-journal"),
                                 QStringLiteral("Do not record the run (a crash loses it).")};
    QCommandLineOption follow{
            QStringLiteral("follow"),
            QStringLiteral("Run the tasks of FILE and those appended to it while it grows, like "
                           "tail -f; only Ctrl-C ends the run (its unfinished tasks are "
                           "cancelled and --resume runs them)."),
            QStringLiteral("FILE")};
    QCommandLineOption maxQueued{
            QStringLiteral("max-queued"),
            QStringLiteral("brigade run - and --follow: stop reading while N tasks wait to "
                           "start (default 100000)."),
            QStringLiteral("N")};
    QCommandLineOption resume{QStringLiteral("resume"),
                              QStringLiteral("Resume the run recorded in JOURNAL: only tasks that "
                                             "had not finished run."),
                              QStringLiteral("JOURNAL")};
    QCommandLineOption help{{QStringLiteral("h"), QStringLiteral("help")},
                            QStringLiteral("Show this help.")};
    QCommandLineOption version{{QStringLiteral("v"), QStringLiteral("version")},
                               QStringLiteral("Show the version.")};

    Parser()
    {
        p.setApplicationDescription(QStringLiteral(
                "Brigade runs a batch of tasks on a worker process per core.\n\n"
                "  brigade                 open the window\n"
                "  brigade BATCH           open BATCH in the window (headless "
                "when there is no display)\n"
                "  brigade run BATCH [options]   run BATCH headless\n"
                "  brigade run LIST [options] -- PROG ARG...  run PROG once per line of LIST\n"
                "                          (- for stdin; {} is the line, appended when no\n"
                "                          placeholder is given)\n"
                "  brigade run - [options]       run JSON Lines tasks from stdin as they\n"
                "                          arrive (with -- PROG ARG...: lines of arguments);\n"
                "                          the run ends at the end of input\n"
                "  brigade run --follow FILE     the same with a file that keeps growing\n"
                "  brigade run --resume JOURNAL  finish a run that was interrupted\n"
                "  brigade retry-failed JOURNAL  run the failed tasks of a run again\n"
                "  brigade export JOURNAL -o FILE  write a run's results\n"
                "  brigade failures JOURNAL      a run's failures grouped by cause"));
        p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
        p.addOptions({workers,
                      concurrency,
                      computeThreads,
                      maxAttempts,
                      timeout,
                      maxBytes,
                      retryOn,
                      backoff,
                      output,
                      skipInvalid,
                      progress,
                      seed,
                      workerProgram,
                      heartbeatTimeout,
                      memoryLimit,
                      ssh,
                      sshOptions,
                      slurm,
                      srunOptions,
                      slurmConf,
                      launcher,
                      launcherWorkers,
                      remoteWorker,
                      queueTimeout,
                      maxHostConnections,
                      http1,
                      insecure,
                      cacert,
                      proxy,
                      journal,
                      noJournal,
                      follow,
                      maxQueued,
                      resume,
                      help,
                      version});
        p.addPositionalArgument(QStringLiteral("command"), QStringLiteral("run"));
        p.addPositionalArgument(QStringLiteral("batch"),
                                QStringLiteral("A .jsonl task file or a .txt list of URLs."));
    }
};

using Rules = RunSettingsRules;
using Field = RunSettingsRules::Field;

// The option's value within the limit the rules give its setting.
bool intOption(const QCommandLineParser &p, const QCommandLineOption &o, Field field, qint64 *value,
               QString *error)
{
    if (!p.isSet(o))
        return true;
    const qint64 min = Rules::limit(field).min;
    const qint64 max = Rules::limit(field).max;
    bool ok = false;
    const QString text = p.value(o);
    const qint64 v = text.toLongLong(&ok);
    if (!ok || v < min || v > max) {
        *error = QStringLiteral("--%1 expects a whole number from %2 to %3, not \"%4\"")
                         .arg(o.names().constLast())
                         .arg(min)
                         .arg(max)
                         .arg(text);
        return false;
    }
    *value = v;
    return true;
}

bool parseGroups(const Parser &P, RunSettings &s, QString *error)
{
    const QString remote = P.p.value(P.remoteWorker);
    for (const QString &spec : P.p.values(P.ssh)) {
        QString host;
        int count = 0;
        if (!WorkerGroups::parseSshSpec(spec, &host, &count)) {
            *error = QStringLiteral("--ssh expects HOST or HOST*N with N from 1 to %1, not \"%2\"")
                             .arg(WorkerGroups::MaxPerSshHost)
                             .arg(spec);
            return false;
        }
        s.groups.append(WorkerGroups::ssh(host, count, P.p.value(P.sshOptions), remote));
    }
    if (P.p.isSet(P.slurm)) {
        qint64 n = 0;
        if (!intOption(P.p, P.slurm, Field::GroupWorkers, &n, error))
            return false;
        s.groups.append(WorkerGroups::slurm(int(n), P.p.value(P.srunOptions),
                                            P.p.value(P.slurmConf), remote));
    }
    if (P.p.isSet(P.launcher)) {
        qint64 n = 1;
        if (!intOption(P.p, P.launcherWorkers, Field::GroupWorkers, &n, error))
            return false;
        const QString command = P.p.value(P.launcher);
        if (WorkerGroups::splitArguments(command).isEmpty()) {
            *error = QStringLiteral("--launcher needs a command");
            return false;
        }
        s.groups.append(WorkerGroups::launcher(command, int(n)));
    }
    qint64 q = 0;
    if (!intOption(P.p, P.queueTimeout, Field::QueueTimeoutMs, &q, error))
        return false;
    s.queueTimeoutMs = quint32(q);
    return true;
}

} // namespace

QString CliParser::helpText()
{
    return Parser().p.helpText();
}

QList<HelpTopic> CliParser::helpTopics()
{
    return {HelpTopic{QString(), helpText()}};
}

bool CliParser::parse(const QStringList &arguments, CliOptions *o, QString *error)
{
    Parser P;
    // Everything after "--" is the command of brigade run LIST -- PROG ARG..., options and
    // all: it is not Brigade's to parse.
    QStringList args = arguments;
    const qsizetype dashes = args.indexOf(QStringLiteral("--"));
    if (dashes >= 0) {
        o->commandLine = args.mid(dashes + 1);
        args = args.mid(0, dashes);
        if (o->commandLine.isEmpty() || o->commandLine.first().isEmpty()) {
            *error = QStringLiteral("-- needs a command to run (brigade run LIST -- PROG ARG...)");
            return false;
        }
    }
    QStringList argv{QStringLiteral("brigade")};
    argv += args;
    if (!P.p.parse(argv)) {
        *error = P.p.errorText();
        return false;
    }
    if (P.p.isSet(P.help)) {
        o->command = CliOptions::Command::Help;
        return true;
    }
    if (P.p.isSet(P.version)) {
        o->command = CliOptions::Command::Version;
        return true;
    }
    QStringList pos = P.p.positionalArguments();
    const QString verb = pos.value(0);
    if (dashes >= 0
        && (verb == QLatin1String("retry-failed") || verb == QLatin1String("export")
            || verb == QLatin1String("failures") || P.p.isSet(P.resume))) {
        *error = QStringLiteral("-- PROG ARG... goes with brigade run LIST only (a journal "
                                "already holds its command)");
        return false;
    }
    if (verb == QLatin1String("retry-failed") || verb == QLatin1String("export")
        || verb == QLatin1String("failures")) {
        o->command = verb == QLatin1String("export")     ? CliOptions::Command::Export
                     : verb == QLatin1String("failures") ? CliOptions::Command::Failures
                                                         : CliOptions::Command::RetryFailed;
        if (pos.size() != 2) {
            *error = QStringLiteral("%1 expects one journal file (brigade %1 JOURNAL)").arg(verb);
            return false;
        }
        o->journalPath = pos[1];
        if (o->command == CliOptions::Command::Export && !P.p.isSet(P.output)) {
            *error = QStringLiteral("export needs --output FILE (.jsonl or .csv)");
            return false;
        }
    } else {
        if (verb == QLatin1String("run"))
            pos.removeFirst();
        if (P.p.isSet(P.follow)) {
            if (!pos.isEmpty() || P.p.isSet(P.resume)) {
                *error = QStringLiteral("--follow takes the file to run instead of a batch "
                                        "file (brigade run --follow FILE)");
                return false;
            }
            o->followPath = P.p.value(P.follow);
            o->batchPath = o->followPath;
            o->journalPath = P.p.value(P.journal);
        } else if (P.p.isSet(P.resume)) {
            if (!pos.isEmpty()) {
                *error = QStringLiteral("--resume takes the journal instead of a batch file");
                return false;
            }
            o->resume = true;
            o->journalPath = P.p.value(P.resume);
        } else if (pos.isEmpty()) {
            *error = dashes >= 0 ? QStringLiteral("missing the list of inputs (brigade run LIST "
                                                  "-- PROG ARG...; - reads the list from stdin)")
                                 : QStringLiteral("missing the batch file to run (brigade run "
                                                  "BATCH)");
            return false;
        } else if (pos.size() > 1 && verb != QLatin1String("run") && !QFileInfo::exists(verb)) {
            // "brigade frobnicate x.jsonl": a mistyped command, not two batches.
            *error = QStringLiteral("unknown command \"%1\" (the commands are run, "
                                    "retry-failed, export and failures; see brigade --help)")
                             .arg(verb);
            return false;
        } else if (pos.size() > 1) {
            *error = QStringLiteral("unexpected argument \"%1\" (one batch file at a time)")
                             .arg(pos[1]);
            return false;
        } else {
            o->batchPath = pos.first();
            o->journalPath = P.p.value(P.journal);
        }
    }
    o->noJournal = P.p.isSet(P.noJournal);
    if (o->noJournal && (P.p.isSet(P.journal) || o->resume)) {
        *error = QStringLiteral("--no-journal cannot be combined with --journal or --resume");
        return false;
    }
    o->outputPath = P.p.value(P.output);
    o->skipInvalid = P.p.isSet(P.skipInvalid);
    if (P.p.isSet(P.maxQueued)) {
        bool ok = false;
        o->maxQueued = P.p.value(P.maxQueued).toLongLong(&ok);
        if (!ok || o->maxQueued < 1) {
            *error = QStringLiteral("--max-queued expects a whole number of tasks, at least 1 "
                                    "(got \"%1\")")
                             .arg(P.p.value(P.maxQueued));
            return false;
        }
        if (!o->isFed()) {
            *error = QStringLiteral("--max-queued goes with brigade run - or --follow FILE");
            return false;
        }
    }
    RunSettings &s = o->settings;
    qint64 v = 0;
    if (!intOption(P.p, P.workers, Field::Workers, &v, error))
        return false;
    s.workers = int(v);
    if (!parseGroups(P, s, error))
        return false;
    if (P.p.isSet(P.workers) && s.workers == 0 && s.groups.isEmpty()) {
        *error = QStringLiteral("--workers 0 leaves no worker to run anything (add --ssh, --slurm "
                                "or --launcher workers)");
        return false;
    }
    v = s.concurrency;
    if (!intOption(P.p, P.concurrency, Field::Concurrency, &v, error))
        return false;
    s.concurrency = int(v);
    v = s.computeThreads;
    if (!intOption(P.p, P.computeThreads, Field::ComputeThreads, &v, error))
        return false;
    s.computeThreads = int(v);
    v = s.maxAttempts;
    if (!intOption(P.p, P.maxAttempts, Field::MaxAttempts, &v, error))
        return false;
    s.maxAttempts = int(v);
    v = s.timeoutMs;
    if (!intOption(P.p, P.timeout, Field::TimeoutMs, &v, error))
        return false;
    s.timeoutMs = quint32(v);
    v = s.maxBytes;
    if (!intOption(P.p, P.maxBytes, Field::MaxBytes, &v, error))
        return false;
    s.maxBytes = v;
    v = 0;
    if (!intOption(P.p, P.seed, Field::Seed, &v, error))
        return false;
    s.seed = quint32(v);
    v = s.heartbeatTimeoutMs;
    if (!intOption(P.p, P.heartbeatTimeout, Field::HeartbeatTimeoutMs, &v, error))
        return false;
    s.heartbeatTimeoutMs = quint32(v);
    s.workerProgram = P.p.value(P.workerProgram);
    v = 0;
    if (!intOption(P.p, P.memoryLimit, Field::WorkerMemoryMb, &v, error))
        return false;
    s.workerMemoryLimitMb = quint64(v);
    v = s.maxHostConnections;
    if (!intOption(P.p, P.maxHostConnections, Field::MaxHostConnections, &v, error))
        return false;
    s.maxHostConnections = int(v);
    s.http1 = P.p.isSet(P.http1);
    s.insecure = P.p.isSet(P.insecure);
    if (P.p.isSet(P.cacert)) {
        const QString path = P.p.value(P.cacert);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("--cacert: cannot read %1: %2").arg(path, file.errorString());
            return false;
        }
        s.caCertificates = file.read(64 * 1024 * 1024);
        if (!s.caCertificates.contains("-----BEGIN CERTIFICATE-----")) {
            *error = QStringLiteral("--cacert: %1 holds no PEM certificate (-----BEGIN "
                                    "CERTIFICATE-----)")
                             .arg(path);
            return false;
        }
    }
    if (P.p.isSet(P.proxy)) {
        s.proxy = P.p.value(P.proxy).toUtf8();
        // An empty value would mean "the environment's": say it is not a proxy.
        if (s.proxy.isEmpty()) {
            *error = QStringLiteral("--proxy: %1").arg(Url::proxyProblem(s.proxy));
            return false;
        }
    }

    if (P.p.isSet(P.retryOn)) {
        RetryPolicy &r = s.retry;
        r.retryNetwork = r.retryTimeout = r.retryServerErrors = r.retryClientErrors = false;
        r.retryCompute = r.retryTooLarge = r.retryTls = r.retryProtocol = false;
        r.retryExit = r.retryProgram = false;
        const QStringList kinds = P.p.value(P.retryOn).split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &k : kinds) {
            const QString t = k.trimmed();
            if (t == QLatin1String("network"))
                r.retryNetwork = true;
            else if (t == QLatin1String("timeout"))
                r.retryTimeout = true;
            else if (t == QLatin1String("5xx"))
                r.retryServerErrors = true;
            else if (t == QLatin1String("4xx"))
                r.retryClientErrors = true;
            else if (t == QLatin1String("compute"))
                r.retryCompute = true;
            else if (t == QLatin1String("too-large"))
                r.retryTooLarge = true;
            else if (t == QLatin1String("tls"))
                r.retryTls = true;
            else if (t == QLatin1String("protocol"))
                r.retryProtocol = true;
            else if (t == QLatin1String("exit"))
                r.retryExit = true;
            else if (t == QLatin1String("program"))
                r.retryProgram = true;
            else if (t != QLatin1String("none")) {
                *error = QStringLiteral("--retry-on: unknown failure kind \"%1\" (expected "
                                        "network, timeout, 5xx, 4xx, compute, too-large, tls, "
                                        "protocol, exit, program or none)")
                                 .arg(t);
                return false;
            }
        }
    }
    if (P.p.isSet(P.backoff)) {
        const QStringList parts = P.p.value(P.backoff).split(QLatin1Char(','));
        bool ok1 = false, ok2 = true;
        const uint base = parts.value(0).toUInt(&ok1);
        const uint max = parts.size() > 1 ? parts[1].toUInt(&ok2) : qMax(base, s.retry.maxDelayMs);
        if (!ok1 || !ok2 || parts.size() > 2 || max < base) {
            *error = QStringLiteral("--backoff-ms expects BASE or BASE,MAX in milliseconds with "
                                    "BASE <= MAX, not \"%1\"")
                             .arg(P.p.value(P.backoff));
            return false;
        }
        s.retry.baseDelayMs = base;
        s.retry.maxDelayMs = max;
    }
    // What no option checks alone: the same rules the window's settings follow.
    const QList<RunSettingsRules::Problem> problems = RunSettingsRules::check(s);
    if (!problems.isEmpty()) {
        const RunSettingsRules::Problem &first = problems.first();
        const QString option = first.field == Field::SshHost     ? QStringLiteral("--ssh: ")
                               : first.field == Field::Launcher  ? QStringLiteral("--launcher: ")
                               : first.field == Field::BackoffMs ? QStringLiteral("--backoff-ms: ")
                               : first.field == Field::Proxy     ? QStringLiteral("--proxy: ")
                                                                 : QString();
        *error = option + first.message;
        return false;
    }
    if (P.p.isSet(P.progress)) {
        const QString m = P.p.value(P.progress);
        if (m == QLatin1String("auto"))
            o->progress = CliOptions::Progress::Auto;
        else if (m == QLatin1String("live"))
            o->progress = CliOptions::Progress::Live;
        else if (m == QLatin1String("plain"))
            o->progress = CliOptions::Progress::Plain;
        else if (m == QLatin1String("none"))
            o->progress = CliOptions::Progress::None;
        else {
            *error = QStringLiteral("--progress expects auto, live, plain or none, not \"%1\"")
                             .arg(m);
            return false;
        }
    }
    return true;
}

} // namespace Brigade
