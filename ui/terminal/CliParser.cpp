#include "CliParser.h"

#include "core/TaskSpec.h"
#include "net/Url.h"
#include "run/RunSettingsRules.h"
#include "run/WorkerGroups.h"
#include "session/FinishCommand.h"

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
    QCommandLineOption onlyRetried{QStringLiteral("only-retried"),
                                   QStringLiteral("retry-failed: write only the retried tasks' "
                                                  "records to --output (default: every task "
                                                  "of the run, those from before included).")};
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
    QCommandLineOption rate{QStringLiteral("rate"),
                            QStringLiteral("Start at most N requests a second (or /min) to HOST, "
                                           "for all workers together; HOST * for every host "
                                           "without a rate of its own; :burst=B lets B start at "
                                           "once after a quiet spell. Give one per host."),
                            QStringLiteral("HOST=N/s[:burst=B]")};
    QCommandLineOption hostInFlight{
            QStringLiteral("host-in-flight"),
            QStringLiteral("Requests in flight to one host for the whole run (default 0: no "
                           "cap)."),
            QStringLiteral("N")};
    QCommandLineOption breaker{QStringLiteral("breaker"),
                               QStringLiteral("Stop sending to a host after N failures in a row "
                                              "(connection errors, timeouts, 5xx, 429); one "
                                              "probe after the cool-down (default 0: never)."),
                               QStringLiteral("N")};
    QCommandLineOption breakerCooldown{
            QStringLiteral("breaker-cooldown-ms"),
            QStringLiteral("How long an open breaker waits before its probe (default 10000)."),
            QStringLiteral("MS")};
    QCommandLineOption maxPause{
            QStringLiteral("max-retry-after-ms"),
            QStringLiteral("The longest pause a Retry-After may ask of a host (default 300000)."),
            QStringLiteral("MS")};
    QCommandLineOption priorityAging{
            QStringLiteral("priority-aging-ms"),
            QStringLiteral("A waiting task gains one priority level per MS waited, so none "
                           "starves (default 1000)."),
            QStringLiteral("MS")};
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
                           "start; a batch run: stop taking brigade submit's tasks while "
                           "they do (default 100000)."),
            QStringLiteral("N")};
    QCommandLineOption resume{QStringLiteral("resume"),
                              QStringLiteral("Resume the run recorded in JOURNAL: only tasks that "
                                             "had not finished run. With a BATCH (edited or "
                                             "reordered since), finished tasks that are the "
                                             "same keep their results and the others run, in a "
                                             "new journal; JOURNAL then defaults to the batch's "
                                             "last one."),
                              QStringLiteral("JOURNAL")};
    QCommandLineOption explain{QStringLiteral("explain"),
                               QStringLiteral("Say what would run and why (kept, changed, new, "
                                              "failed before) and run nothing. =all: every "
                                              "task's line too; =N: the first N tasks' lines."),
                               QStringLiteral("all|N")};
    QCommandLineOption prune{QStringLiteral("prune"),
                             QStringLiteral("journals: remove old journals (by default all but "
                                            "the newest of each batch).")};
    QCommandLineOption keep{QStringLiteral("keep"),
                            QStringLiteral("journals --prune: keep the N newest journals of "
                                           "each batch."),
                            QStringLiteral("N")};
    QCommandLineOption olderThan{QStringLiteral("older-than"),
                                 QStringLiteral("journals --prune: remove the journals whose "
                                                "last run is more than DAYS days old."),
                                 QStringLiteral("DAYS")};
    QCommandLineOption group{QStringLiteral("group"),
                             QStringLiteral("retry-failed: only the tasks of failure group N, "
                                            "as brigade failures numbers them (repeatable)."),
                             QStringLiteral("N")};
    QCommandLineOption setHeader{QStringLiteral("set-header"),
                                 QStringLiteral("retry-failed: send this header with the retried "
                                                "fetches (repeatable; journaled)."),
                                 QStringLiteral("'NAME: VALUE'")};
    QCommandLineOption setHost{QStringLiteral("set-host"),
                               QStringLiteral("retry-failed: fetch from this host instead (a "
                                              "mirror; journaled)."),
                               QStringLiteral("HOST[:PORT]")};
    QCommandLineOption setTimeout{QStringLiteral("set-timeout-ms"),
                                  QStringLiteral("retry-failed: the retried tasks' own attempt "
                                                 "timeout (journaled)."),
                                  QStringLiteral("MS")};
    QCommandLineOption setAttempts{QStringLiteral("set-attempts"),
                                   QStringLiteral("retry-failed: the retried tasks' own number "
                                                  "of attempts (journaled)."),
                                   QStringLiteral("N")};
    QCommandLineOption reason{QStringLiteral("reason"),
                              QStringLiteral("skip: why the tasks are given up on (required; "
                                             "journaled)."),
                              QStringLiteral("TEXT")};
    QCommandLineOption onFinish{QStringLiteral("on-finish"),
                                QStringLiteral("Run CMD when the run ends (no shell: write sh -c "
                                               "'...' for one), with BRIGADE_* counts in its "
                                               "environment."),
                                QStringLiteral("CMD")};
    QCommandLineOption bell{QStringLiteral("bell"),
                            QStringLiteral("Ring the terminal bell when the run ends.")};
    QCommandLineOption submitTo{QStringLiteral("to"),
                                QStringLiteral("submit: the running Brigade to send to, as "
                                               "brigade submit lists them (default: the only "
                                               "one running)."),
                                QStringLiteral("NAME")};
    QCommandLineOption submitPriority{
            QStringLiteral("priority"),
            QStringLiteral("submit: the priority of the lines that have no \"priority\" of "
                           "their own (an integer, higher starts first); kept in the run's "
                           "journal."),
            QStringLiteral("N")};
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
                "  brigade failures JOURNAL      a run's failures grouped by cause\n"
                "  brigade journals [--prune]    the journals runs left; remove old ones\n"
                "  brigade skip JOURNAL --reason TEXT [--group N]  give up on failed tasks\n"
                "  brigade submit [--to NAME] [--priority N] FILE  add FILE's tasks (- for\n"
                "                          stdin) to a brigade run or window that is going on\n"
                "  brigade COMMAND --help        a command's own options and exit statuses"));
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
                      onlyRetried,
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
                      rate,
                      hostInFlight,
                      breaker,
                      breakerCooldown,
                      maxPause,
                      priorityAging,
                      http1,
                      insecure,
                      cacert,
                      proxy,
                      journal,
                      noJournal,
                      follow,
                      maxQueued,
                      submitTo,
                      submitPriority,
                      resume,
                      explain,
                      prune,
                      keep,
                      olderThan,
                      group,
                      setHeader,
                      setHost,
                      setTimeout,
                      setAttempts,
                      reason,
                      onFinish,
                      bell,
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

bool parsePacing(const Parser &P, HostPacing &pacing, QString *error)
{
    for (const QString &text : P.p.values(P.rate)) {
        Result<HostRate> rate = Rules::parseRate(text);
        if (!rate) {
            *error = QStringLiteral("--rate: ") + rate.error();
            return false;
        }
        pacing.rates.append(*rate);
    }
    qint64 v = pacing.hostInFlight;
    if (!intOption(P.p, P.hostInFlight, Field::HostInFlight, &v, error))
        return false;
    pacing.hostInFlight = int(v);
    v = pacing.breakerFailures;
    if (!intOption(P.p, P.breaker, Field::BreakerFailures, &v, error))
        return false;
    pacing.breakerFailures = int(v);
    v = pacing.breakerCooldownMs;
    if (!intOption(P.p, P.breakerCooldown, Field::BreakerCooldownMs, &v, error))
        return false;
    pacing.breakerCooldownMs = quint32(v);
    v = pacing.maxPauseMs;
    if (!intOption(P.p, P.maxPause, Field::MaxPauseMs, &v, error))
        return false;
    pacing.maxPauseMs = quint32(v);
    v = pacing.priorityAgingMs;
    if (!intOption(P.p, P.priorityAging, Field::PriorityAgingMs, &v, error))
        return false;
    pacing.priorityAgingMs = v;
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

// retry-failed's --group and --set-*: which failed tasks, and how they change.
bool parseRetryChange(const Parser &P, CliOptions *o, QString *error)
{
    const bool retry = o->command == CliOptions::Command::RetryFailed;
    const bool skip = o->command == CliOptions::Command::Skip;
    o->reason = P.p.value(P.reason).trimmed();
    if (skip && o->reason.isEmpty()) {
        *error = QStringLiteral("skip needs --reason TEXT (why the tasks are given up on)");
        return false;
    }
    if (!skip && P.p.isSet(P.reason)) {
        *error = QStringLiteral("--reason goes with skip (brigade skip JOURNAL --reason TEXT)");
        return false;
    }
    for (const QCommandLineOption *option :
         {&P.group, &P.setHeader, &P.setHost, &P.setTimeout, &P.setAttempts}) {
        if (P.p.isSet(*option) && !retry && !(skip && option == &P.group)) {
            *error = QStringLiteral("--%1 goes with retry-failed (brigade retry-failed JOURNAL "
                                    "--%1 ...)")
                             .arg(option->names().constFirst());
            return false;
        }
    }
    for (const QString &text : P.p.values(P.group)) {
        bool ok = false;
        const int n = text.toInt(&ok);
        if (!ok || n < 1) {
            *error = QStringLiteral("--group expects a group number from brigade failures (1, "
                                    "2, ...), not \"%1\"")
                             .arg(text);
            return false;
        }
        o->groups.append(n);
    }
    SpecChange &c = o->change;
    for (const QString &text : P.p.values(P.setHeader)) {
        const auto header = SpecChange::parseHeader(text);
        if (!header) {
            *error = QStringLiteral("--set-header: %1").arg(header.error());
            return false;
        }
        c.headers.append(*header);
    }
    c.host = P.p.value(P.setHost).toUtf8();
    qint64 v = 0;
    if (!intOption(P.p, P.setTimeout, Field::TimeoutMs, &v, error))
        return false;
    c.timeoutMs = quint32(v);
    v = 0;
    if (!intOption(P.p, P.setAttempts, Field::MaxAttempts, &v, error))
        return false;
    c.maxAttempts = quint16(v);
    if (P.p.isSet(P.setTimeout) && c.timeoutMs == 0) {
        *error = QStringLiteral("--set-timeout-ms expects a timeout of 1 ms or more");
        return false;
    }
    if (!c.isEmpty()) {
        if (const Status ok = c.check(); !ok) {
            *error = QStringLiteral("retry-failed: %1").arg(ok.error());
            return false;
        }
    }
    return true;
}

bool parseFinish(const Parser &P, CliOptions *o, QString *error)
{
    o->bell = P.p.isSet(P.bell);
    if (!P.p.isSet(P.onFinish))
        return true;
    if (o->command == CliOptions::Command::Export || o->command == CliOptions::Command::Failures
        || o->command == CliOptions::Command::Skip) {
        *error = QStringLiteral("--on-finish goes with a run (run, --resume, retry-failed)");
        return false;
    }
    const Result<QStringList> command = FinishCommand::split(P.p.value(P.onFinish));
    if (!command) {
        *error = QStringLiteral("--on-finish: %1").arg(command.error());
        return false;
    }
    o->onFinish = *command;
    if (o->onFinish.isEmpty()) {
        *error = QStringLiteral("--on-finish needs a command");
        return false;
    }
    return true;
}

} // namespace

namespace {

// One command's own help: its usage, what it does, the options it takes, its exit statuses.
struct CommandDoc
{
    QString name; // "run"
    QStringList usage;
    QString description;
    QList<QCommandLineOption> options;
    QStringList exitStatus; // "N  meaning"
};

QList<CommandDoc> commandDocs(const Parser &P)
{
    const QList<QCommandLineOption> settings{P.workers,
                                             P.concurrency,
                                             P.computeThreads,
                                             P.maxAttempts,
                                             P.timeout,
                                             P.maxBytes,
                                             P.retryOn,
                                             P.backoff,
                                             P.seed,
                                             P.workerProgram,
                                             P.heartbeatTimeout,
                                             P.memoryLimit,
                                             P.ssh,
                                             P.sshOptions,
                                             P.slurm,
                                             P.srunOptions,
                                             P.slurmConf,
                                             P.launcher,
                                             P.launcherWorkers,
                                             P.remoteWorker,
                                             P.queueTimeout,
                                             P.maxHostConnections,
                                             P.rate,
                                             P.hostInFlight,
                                             P.breaker,
                                             P.breakerCooldown,
                                             P.maxPause,
                                             P.priorityAging,
                                             P.http1,
                                             P.insecure,
                                             P.cacert,
                                             P.proxy};
    const QString interrupted = QStringLiteral(
            "130  a second Ctrl-C quit at once (the first cancels cleanly: status 1)");
    CommandDoc run{
            QStringLiteral("run"),
            {QStringLiteral("brigade run BATCH [options]"),
             QStringLiteral("brigade run LIST [options] -- PROG ARG..."),
             QStringLiteral("brigade run --resume JOURNAL [options]"),
             QStringLiteral("brigade run BATCH --resume [JOURNAL] [--explain[=all|N]] [options]")},
            QStringLiteral("Runs the tasks of BATCH (a .jsonl task file or a .txt list of URLs) "
                           "headless, with a live view on a terminal, and ends with a summary "
                           "on stdout. With -- PROG ARG..., runs PROG once per line of LIST (- "
                           "for stdin; {} is the line, appended when no placeholder is given). "
                           "The run is recorded in a journal; --resume JOURNAL runs what it did "
                           "not finish, cancelled tasks included. BATCH --resume runs a batch "
                           "edited or reordered since against its last journal (or JOURNAL): "
                           "a task is the same when its id, fetch, compute, command, arguments "
                           "and input are (not its attempts, timeouts or priority), and a "
                           "finished same task keeps its result; --explain says per task why "
                           "it will or will not run, and runs nothing."),
            {},
            {QStringLiteral("0    every task succeeded or was skipped with a reason"),
             QStringLiteral("1    some tasks failed or were cancelled"),
             QStringLiteral("2    bad usage or input: an unknown option, errors in the "
                            "batch, no task to run, an -o that names an input"),
             interrupted}};
    run.options << P.output << P.skipInvalid << P.progress << P.journal << P.noJournal << P.resume
                << P.explain << P.follow << P.maxQueued << P.onFinish << P.bell << settings
                << P.help;
    CommandDoc retry{QStringLiteral("retry-failed"),
                     {QStringLiteral("brigade retry-failed JOURNAL [BATCH] [--explain[=all|N]] "
                                     "[options]")},
                     QStringLiteral("Runs the failed tasks of the run recorded in JOURNAL again, "
                                    "with fresh attempts, and records them in the same journal. "
                                    "The run settings are this command's, not the first run's. "
                                    "-o writes a record for every task of the run (those that "
                                    "finished before from the journal); --only-retried writes "
                                    "the retried tasks alone. With BATCH (edited or reordered "
                                    "since), the tasks that finished and are the same keep "
                                    "their results and the others run, failed tasks included, "
                                    "in a new journal."),
                     {},
                     {QStringLiteral("0    every task retried succeeded"),
                      QStringLiteral("1    some still failed or were cancelled"),
                      QStringLiteral("2    bad usage, or JOURNAL is not a readable journal"),
                      interrupted}};
    retry.options << P.explain << P.output << P.onlyRetried << P.group << P.setHeader << P.setHost
                  << P.setTimeout << P.setAttempts << P.progress << P.onFinish << P.bell << settings
                  << P.help;
    CommandDoc exportDoc{QStringLiteral("export"),
                         {QStringLiteral("brigade export JOURNAL -o FILE")},
                         QStringLiteral("Writes the results recorded in JOURNAL to FILE (.jsonl "
                                        "or .csv), one record per finished task, without "
                                        "running anything."),
                         {P.output, P.help},
                         {QStringLiteral("0    written"),
                          QStringLiteral("2    bad usage, JOURNAL is not a readable journal, or "
                                         "FILE could not be written")}};
    CommandDoc failures{QStringLiteral("failures"),
                        {QStringLiteral("brigade failures JOURNAL")},
                        QStringLiteral("Lists the failures of the run recorded in JOURNAL, "
                                       "grouped by cause, with when and where each happened, "
                                       "on stdout."),
                        {P.help},
                        {QStringLiteral("0    listed"),
                         QStringLiteral("2    bad usage, or JOURNAL is not a readable journal")}};
    CommandDoc journals{
            QStringLiteral("journals"),
            {QStringLiteral("brigade journals [--prune [--keep N | --older-than DAYS]]")},
            QStringLiteral("Lists the journals runs left in the default folder, newest first: "
                           "when each last ran, its counts (ok, failed, tasks still open), its "
                           "size, its batch and its file. --prune removes old ones: all but "
                           "the newest of each batch, the N newest with --keep N, or those "
                           "last run more than DAYS days ago with --older-than DAYS. A journal "
                           "given with --journal elsewhere is not touched."),
            {P.prune, P.keep, P.olderThan, P.help},
            {QStringLiteral("0    listed, or pruned"),
             QStringLiteral("1    a journal could not be removed"),
             QStringLiteral("2    bad usage")}};
    CommandDoc skip{QStringLiteral("skip"),
                    {QStringLiteral("brigade skip JOURNAL --reason TEXT [--group N]...")},
                    QStringLiteral("Gives up on the failed tasks of the run recorded in JOURNAL "
                                   "(or those of failure group N, as brigade failures numbers "
                                   "them), with a reason that the journal keeps. A skipped task "
                                   "is finished and not a failure."),
                    {P.reason, P.group, P.help},
                    {QStringLiteral("0    every task now succeeded or was skipped"),
                     QStringLiteral("1    some tasks are still failed or unfinished"),
                     QStringLiteral("2    bad usage, or JOURNAL is not a readable journal")}};
    CommandDoc submit{
            QStringLiteral("submit"),
            {QStringLiteral("brigade submit [--to NAME] [--priority N] FILE|-")},
            QStringLiteral("Adds the JSON Lines tasks of FILE (- for stdin) to the run of a "
                           "brigade run BATCH (or --resume JOURNAL) that is going on, through a "
                           "local socket only this user may use. They are parsed as lines "
                           "after the run's batch (its defaults apply) and journaled before "
                           "they count. Without --to, the only Brigade running takes them; "
                           "with several, they are listed. A bad line is reported as "
                           "FILE:LINE:COLUMN: message on stderr and the others are taken. "
                           "While the run holds --max-queued tasks that have not started, "
                           "the sending waits. Lines that run commands or call programs "
                           "(exec, call) are taken by a brigade run (whoever started it trusts "
                           "this user's socket); the window takes them too while it has a run "
                           "open, and a run of it that had ended runs again, but rejects "
                           "exec and call lines unless File > Accept Commands from brigade "
                           "submit is on in that window (off when it opens). --priority N "
                           "gives every line without a \"priority\" of its own priority N, "
                           "written into the line the journal keeps, so a resume keeps it."),
            {P.submitTo, P.submitPriority, P.help},
            {QStringLiteral("0    every task was accepted"),
             QStringLiteral("1    some lines were rejected, no Brigade is running, or the "
                            "run ended before taking them"),
             QStringLiteral("2    bad usage, FILE cannot be read, or several Brigades are "
                            "running and --to names none of them")}};
    return {run, retry, exportDoc, failures, journals, skip, submit};
}

// text in lines of at most width columns, as Qt lays out the options' descriptions.
QString wrapped(const QString &text, int width = 79)
{
    QStringList lines{QString()};
    for (const QString &word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (!lines.last().isEmpty() && lines.last().size() + 1 + word.size() > width)
            lines << QString();
        lines.last() += (lines.last().isEmpty() ? QString() : QStringLiteral(" ")) + word;
    }
    return lines.join(QLatin1Char('\n'));
}

QString commandHelp(const CommandDoc &doc)
{
    QCommandLineParser p;
    // The other forms of the command first, then what it does.
    QString description;
    for (qsizetype i = 1; i < doc.usage.size(); ++i)
        description += QStringLiteral("  ") + doc.usage[i] + QLatin1Char('\n');
    if (!description.isEmpty())
        description += QLatin1Char('\n');
    p.setApplicationDescription(description + wrapped(doc.description));
    p.addOptions(doc.options);
    QString text = p.helpText();
    // Qt's usage line names no command: the command's own instead.
    text.replace(0, text.indexOf(QLatin1Char('\n')), QStringLiteral("Usage: ") + doc.usage.first());
    if (!text.endsWith(QLatin1Char('\n')))
        text += QLatin1Char('\n');
    text += QStringLiteral("\nExit status:\n");
    for (const QString &line : doc.exitStatus) {
        // "N    meaning", the meaning wrapped under itself as Qt wraps the options'.
        const QString wrappedLine = wrapped(line.mid(5), 79 - 7);
        text += QStringLiteral("  ") + line.left(5)
                + QString(wrappedLine).replace(QLatin1Char('\n'), QStringLiteral("\n       "))
                + QLatin1Char('\n');
    }
    return text;
}

} // namespace

QString CliParser::helpText()
{
    return Parser().p.helpText();
}

QString CliParser::helpText(const QString &command)
{
    if (command.isEmpty())
        return helpText();
    const Parser P;
    for (const CommandDoc &doc : commandDocs(P)) {
        if (doc.name == command)
            return commandHelp(doc);
    }
    return helpText();
}

QStringList CliParser::commands()
{
    QStringList names;
    const Parser P;
    for (const CommandDoc &doc : commandDocs(P))
        names << doc.name;
    return names;
}

QList<HelpTopic> CliParser::helpTopics()
{
    QList<HelpTopic> topics{HelpTopic{QString(), helpText()}};
    const Parser P;
    for (const CommandDoc &doc : commandDocs(P))
        topics << HelpTopic{QStringLiteral("brigade ") + doc.name, commandHelp(doc)};
    return topics;
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
    // --resume and --explain may come without their value: "--resume" then takes the batch's
    // last journal and "--explain" prints the summary.
    for (qsizetype i = 0; i < args.size(); ++i) {
        const bool last
                = i + 1 == args.size() || (args[i + 1].startsWith(u'-') && args[i + 1] != u"-");
        if (args[i] == u"--resume" && last)
            args[i] = QStringLiteral("--resume=");
        else if (args[i] == u"--explain")
            args[i] = QStringLiteral("--explain=summary");
    }
    QStringList argv{QStringLiteral("brigade")};
    argv += args;
    if (!P.p.parse(argv)) {
        *error = P.p.errorText();
        return false;
    }
    if (P.p.isSet(P.help)) {
        o->command = CliOptions::Command::Help;
        // "brigade run --help": that command's own help.
        const QString verb = P.p.positionalArguments().value(0);
        if (commands().contains(verb))
            o->helpCommand = verb;
        return true;
    }
    if (P.p.isSet(P.version)) {
        o->command = CliOptions::Command::Version;
        return true;
    }
    QStringList pos = P.p.positionalArguments();
    const QString verb = pos.value(0);
    if (verb == QLatin1String("submit")) {
        o->command = CliOptions::Command::Submit;
        if (dashes >= 0 || pos.size() != 2) {
            *error = QStringLiteral("submit expects one file of tasks (brigade submit [--to "
                                    "NAME] FILE; - reads stdin)");
            return false;
        }
        o->batchPath = pos[1];
        o->submitTo = P.p.value(P.submitTo);
        if (P.p.isSet(P.submitPriority)) {
            bool ok = false;
            const QString text = P.p.value(P.submitPriority);
            const qint64 n = text.toLongLong(&ok);
            if (!ok || n < -MaxPriority || n > MaxPriority) {
                *error = QStringLiteral("--priority expects a whole number from %1 to %2, not "
                                        "\"%3\"")
                                 .arg(-MaxPriority)
                                 .arg(MaxPriority)
                                 .arg(text);
                return false;
            }
            o->submitPriority = qint32(n);
        }
        return true;
    }
    if (P.p.isSet(P.submitTo) || P.p.isSet(P.submitPriority)) {
        *error = QStringLiteral("%1 goes with brigade submit")
                         .arg(P.p.isSet(P.submitTo) ? QStringLiteral("--to")
                                                    : QStringLiteral("--priority"));
        return false;
    }
    if (dashes >= 0
        && (verb == QLatin1String("retry-failed") || verb == QLatin1String("export")
            || verb == QLatin1String("failures") || verb == QLatin1String("skip")
            || P.p.isSet(P.resume))) {
        *error = QStringLiteral("-- PROG ARG... goes with brigade run LIST only (a journal "
                                "already holds its command)");
        return false;
    }
    const bool pruneOptions = P.p.isSet(P.prune) || P.p.isSet(P.keep) || P.p.isSet(P.olderThan);
    if (verb == QLatin1String("journals")) {
        o->command = CliOptions::Command::Journals;
        if (pos.size() != 1) {
            *error = QStringLiteral("journals takes no file (brigade journals [--prune])");
            return false;
        }
        o->pruneJournals = P.p.isSet(P.prune);
        if (!o->pruneJournals && pruneOptions) {
            *error = QStringLiteral("--keep and --older-than go with brigade journals --prune");
            return false;
        }
        if (P.p.isSet(P.keep) && P.p.isSet(P.olderThan)) {
            *error = QStringLiteral("--keep and --older-than cannot be combined");
            return false;
        }
        for (const auto &[option, value] : {std::pair{&P.keep, &o->keepJournals},
                                            std::pair{&P.olderThan, &o->journalsOlderThanDays}}) {
            if (!P.p.isSet(*option))
                continue;
            bool ok = false;
            *value = P.p.value(*option).toInt(&ok);
            if (!ok || *value < 0 || *value > 100000) {
                *error = QStringLiteral("--%1 expects a whole number from 0 to 100000, not \"%2\"")
                                 .arg(option->names().constFirst(), P.p.value(*option));
                return false;
            }
        }
        if (o->pruneJournals && o->keepJournals < 0 && o->journalsOlderThanDays < 0)
            o->keepJournals = 1;
        return true;
    }
    if (pruneOptions) {
        *error = QStringLiteral("--prune, --keep and --older-than go with brigade journals");
        return false;
    }
    if (verb == QLatin1String("retry-failed") || verb == QLatin1String("export")
        || verb == QLatin1String("failures") || verb == QLatin1String("skip")) {
        o->command = verb == QLatin1String("export")     ? CliOptions::Command::Export
                     : verb == QLatin1String("failures") ? CliOptions::Command::Failures
                     : verb == QLatin1String("skip")     ? CliOptions::Command::Skip
                                                         : CliOptions::Command::RetryFailed;
        const bool withBatch = o->command == CliOptions::Command::RetryFailed && pos.size() == 3;
        if (pos.size() != 2 && !withBatch) {
            *error = o->command == CliOptions::Command::RetryFailed
                             ? QStringLiteral("retry-failed expects a journal file and maybe the "
                                              "batch, edited (brigade retry-failed JOURNAL "
                                              "[BATCH])")
                             : QStringLiteral("%1 expects one journal file (brigade %1 JOURNAL)")
                                       .arg(verb);
            return false;
        }
        o->journalPath = pos[1];
        if (withBatch) {
            o->edited = true;
            o->batchPath = pos[2];
            o->newJournalPath = P.p.value(P.journal);
        }
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
            if (pos.size() > 1) {
                *error = QStringLiteral("unexpected argument \"%1\" (one batch file at a time)")
                                 .arg(pos[1]);
                return false;
            }
            o->resume = true;
            o->journalPath = P.p.value(P.resume);
            if (!pos.isEmpty()) {
                o->edited = true;
                o->batchPath = pos.first();
                o->newJournalPath = P.p.value(P.journal);
            } else if (o->journalPath.isEmpty()) {
                *error = QStringLiteral("--resume needs the journal (brigade run --resume "
                                        "JOURNAL) or the batch (brigade run BATCH --resume)");
                return false;
            }
        } else if (pos.isEmpty()) {
            *error = dashes >= 0 ? QStringLiteral("missing the list of inputs (brigade run LIST "
                                                  "-- PROG ARG...; - reads the list from stdin)")
                                 : QStringLiteral("missing the batch file to run (brigade run "
                                                  "BATCH)");
            return false;
        } else if (pos.size() > 1 && verb != QLatin1String("run") && !QFileInfo::exists(verb)) {
            // "brigade frobnicate x.jsonl": a mistyped command, not two batches.
            *error = QStringLiteral("unknown command \"%1\" (the commands are run, "
                                    "retry-failed, export, failures, skip, journals and submit; "
                                    "see brigade "
                                    "--help)")
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
    if (!parseRetryChange(P, o, error) || !parseFinish(P, o, error))
        return false;
    if (o->edited && (!o->groups.isEmpty() || !o->change.isEmpty())) {
        *error = QStringLiteral("--group and --set-* go with brigade retry-failed JOURNAL "
                                "alone, not with a batch");
        return false;
    }
    if (P.p.isSet(P.explain)) {
        const QString value = P.p.value(P.explain);
        bool ok = true;
        o->explain = value == u"summary" ? 0
                     : value == u"all"   ? CliOptions::ExplainAll
                                         : value.toLongLong(&ok);
        if (!ok || o->explain < 0) {
            *error = QStringLiteral("--explain expects all or a number of tasks, not \"%1\"")
                             .arg(value);
            return false;
        }
        if (!o->resume && o->command != CliOptions::Command::RetryFailed) {
            *error = QStringLiteral("--explain goes with brigade run --resume and retry-failed");
            return false;
        }
    }
    o->noJournal = P.p.isSet(P.noJournal);
    if (o->noJournal && (P.p.isSet(P.journal) || o->resume)) {
        *error = QStringLiteral("--no-journal cannot be combined with --journal or --resume");
        return false;
    }
    o->outputPath = P.p.value(P.output);
    o->onlyRetried = P.p.isSet(P.onlyRetried);
    if (o->onlyRetried
        && (o->command != CliOptions::Command::RetryFailed || o->outputPath.isEmpty())) {
        *error = QStringLiteral("--only-retried goes with brigade retry-failed JOURNAL -o FILE");
        return false;
    }
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
        if (o->command != CliOptions::Command::Run) {
            *error = QStringLiteral("--max-queued goes with brigade run");
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
    if (!parsePacing(P, s.pacing, error))
        return false;
    s.http1 = P.p.isSet(P.http1);
    s.insecure = P.p.isSet(P.insecure);
    if (P.p.isSet(P.cacert)) {
        const Result<QByteArray> pem = RunSettingsRules::readCaCertificates(P.p.value(P.cacert));
        if (!pem) {
            *error = QStringLiteral("--cacert: ") + pem.error();
            return false;
        }
        s.caCertificates = *pem;
        s.caCertificatesFile = P.p.value(P.cacert);
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
                               : first.field == Field::Rate      ? QStringLiteral("--rate: ")
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
