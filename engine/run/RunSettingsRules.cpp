#include "RunSettingsRules.h"

#include "WorkerGroups.h"
#include "net/Url.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>

namespace Brigade {

namespace {

QString quoted(const QString &text)
{
    return QStringLiteral("\u201c%1\u201d").arg(text);
}

} // namespace

RunSettingsRules::Limit RunSettingsRules::limit(Field field)
{
    switch (field) {
    case Field::Workers:
        return {0, 1024};
    case Field::Concurrency:
        return {1, 1000000};
    case Field::ComputeThreads:
        return {1, 256};
    case Field::MaxAttempts:
        return {1, 100};
    case Field::TimeoutMs:
        return {0, 24LL * 3600 * 1000};
    case Field::MaxBytes:
        return {1, 1LL << 40};
    case Field::BackoffMs:
        return {0, 3600 * 1000};
    case Field::HeartbeatTimeoutMs:
        return {500, 3600 * 1000};
    case Field::WorkerMemoryMb:
        return {16, 1LL << 30};
    case Field::QueueTimeoutMs:
        return {0, 7LL * 24 * 3600 * 1000};
    case Field::Seed:
        return {0, 0xffffffffLL};
    case Field::MaxHostConnections:
        return {0, 100000};
    case Field::HostInFlight:
        return {0, 1000000};
    case Field::BreakerFailures:
        return {0, 1000000};
    case Field::BreakerCooldownMs:
        return {1, 24LL * 3600 * 1000};
    case Field::MaxPauseMs:
        return {0, 24LL * 3600 * 1000};
    case Field::PriorityAgingMs:
        return {1, 24LL * 3600 * 1000};
    case Field::SshWorkers:
        return {1, WorkerGroups::MaxPerSshHost};
    case Field::GroupWorkers:
        return {1, WorkerGroups::MaxPerGroup};
    case Field::Proxy:
    case Field::Rate:
    case Field::SshHost:
    case Field::Slurm:
    case Field::Launcher:
        break;
    }
    return {0, 0};
}

QString RunSettingsRules::sshHostProblem(const QString &host)
{
    if (host.isEmpty())
        return QStringLiteral("An ssh host has no name.");
    if (host.contains(QLatin1Char('*')))
        return QStringLiteral("%1 is not a host: write HOST or HOST*N with N from 1 to %2.")
                .arg(quoted(host))
                .arg(WorkerGroups::MaxPerSshHost);
    if (host.contains(QRegularExpression(QStringLiteral("\\s"))))
        return QStringLiteral("%1 is not a host name: it has a space in it.").arg(quoted(host));
    // ssh takes "-oProxyCommand=..." for an option: never let a host name be one.
    if (host.startsWith(QLatin1Char('-')))
        return QStringLiteral("%1 is not a host name: ssh would read it as an option (give ssh "
                              "options separately).")
                .arg(quoted(host));
    return {};
}

QString RunSettingsRules::partitionProblem(const QString &partition)
{
    static const QRegularExpression re(QStringLiteral(R"(^[\w.\-]+(,[\w.\-]+)*$)"));
    if (partition.isEmpty() || re.match(partition).hasMatch())
        return {};
    return QStringLiteral("%1 is not a partition name: use letters, digits, \"-\", \"_\" and "
                          "\".\", and commas between several.")
            .arg(quoted(partition));
}

// srun's --time: minutes, minutes:seconds, hours:minutes:seconds, days-hours,
// days-hours:minutes or days-hours:minutes:seconds; or no limit.
QString RunSettingsRules::timeLimitProblem(const QString &time)
{
    static const QRegularExpression re(
            QStringLiteral(
                    R"(^(\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2}|unlimited|infinite)$)"),
            QRegularExpression::CaseInsensitiveOption);
    if (time.isEmpty() || re.match(time).hasMatch())
        return {};
    return QStringLiteral("%1 is not a time limit: write minutes (30), H:MM:SS (2:00:00) or "
                          "D-HH:MM:SS (1-12:00:00).")
            .arg(quoted(time));
}

QString RunSettingsRules::slurmConfProblem(const QString &path)
{
    if (path.isEmpty() || QFileInfo(path).isFile())
        return {};
    return QStringLiteral("There is no file %1 for slurm.conf.").arg(quoted(path));
}

QString RunSettingsRules::programProblem(const QString &program, const QString &what)
{
    if (!QStandardPaths::findExecutable(program).isEmpty())
        return {};
    return QStringLiteral("%1 is not on this machine's PATH: %2.").arg(program, what);
}

QString RunSettingsRules::launcherProblem(const QString &command)
{
    const QStringList parts = WorkerGroups::splitArguments(command);
    if (parts.isEmpty())
        return QStringLiteral("The custom launcher has no command.");
    // The command runs here, without a shell: its program must be found here.
    const QString program = parts.first();
    if (program.contains(QLatin1Char('/'))) {
        if (!QFileInfo(program).isFile() || !QFileInfo(program).isExecutable())
            return QStringLiteral("%1 is not a program on this machine.").arg(quoted(program));
    } else if (QStandardPaths::findExecutable(program).isEmpty()) {
        return QStringLiteral("There is no program %1 on this machine's PATH.")
                .arg(quoted(program));
    }
    return {};
}

Result<HostRate> RunSettingsRules::parseRate(const QString &text)
{
    // HOST=N/s or HOST=N/min, then optional :burst=B. HOST may hold colons (a port, a
    // scheme), so the rate is what follows the last '='... of the part before ":burst=".
    static const QRegularExpression re(
            QStringLiteral(R"re(^(.+)=\s*([0-9]+(?:\.[0-9]+)?)\s*/\s*(s|sec|second|min|minute))re"
                           R"re((?::burst=([0-9]+))?$)re"),
            QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return Result<HostRate>::failure(
                QStringLiteral("%1 is not a rate: write HOST=N/s or HOST=N/min, optionally with "
                               ":burst=B (HOST may be * for every host), e.g. "
                               "api.example.com=10/s:burst=5.")
                        .arg(quoted(text)));
    HostRate rate;
    rate.host = m.captured(1).trimmed();
    const double n = m.captured(2).toDouble();
    rate.perSecond
            = m.captured(3).startsWith(QLatin1String("min"), Qt::CaseInsensitive) ? n / 60.0 : n;
    rate.burst
            = m.captured(4).isEmpty() ? 0 : int(qMin<qint64>(m.captured(4).toLongLong(), 1 << 30));
    if (const QString p = rateProblem(rate); !p.isEmpty())
        return Result<HostRate>::failure(p);
    return rate;
}

QString RunSettingsRules::rateProblem(const HostRate &rate)
{
    static const QRegularExpression bad(QStringLiteral("[\\s/?#@]"));
    QString host = rate.host;
    for (const char *scheme : {"http://", "https://"}) {
        if (host.startsWith(QLatin1String(scheme), Qt::CaseInsensitive))
            host = host.mid(qsizetype(qstrlen(scheme)));
    }
    if (host.isEmpty() || host.contains(bad)
        || (host.contains(QLatin1Char('*')) && rate.host != QLatin1String("*")))
        return QStringLiteral("%1 is not a host for a rate: write * or a host as URLs name it "
                              "(api.example.com, api.example.com:8080 or "
                              "https://api.example.com).")
                .arg(quoted(rate.host));
    if (!(rate.perSecond >= 0.001 && rate.perSecond <= 1e6))
        return QStringLiteral("The rate for %1 must be from 0.06/min to 1000000/s.")
                .arg(quoted(rate.host));
    if (rate.burst < 0 || rate.burst > 1000000)
        return QStringLiteral("The burst for %1 must be from 1 to 1000000.").arg(quoted(rate.host));
    return {};
}

Result<QList<HostRate>> RunSettingsRules::parseRates(const QString &lines)
{
    QList<HostRate> rates;
    const QStringList all = lines.split(QLatin1Char('\n'));
    int nonBlank = 0;
    for (const QString &line : all)
        nonBlank += line.trimmed().isEmpty() ? 0 : 1;
    for (int i = 0; i < all.size(); ++i) {
        if (all[i].trimmed().isEmpty())
            continue;
        const Result<HostRate> rate = parseRate(all[i]);
        if (!rate)
            return Result<QList<HostRate>>::failure(
                    nonBlank > 1 ? QStringLiteral("Line %1: %2").arg(i + 1).arg(rate.error())
                                 : rate.error());
        rates.append(*rate);
    }
    return rates;
}

Result<QByteArray> RunSettingsRules::readCaCertificates(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<QByteArray>::failure(
                QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    const QByteArray pem = file.read(64 * 1024 * 1024);
    if (!pem.contains("-----BEGIN CERTIFICATE-----"))
        return Result<QByteArray>::failure(
                QStringLiteral("%1 holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
                        .arg(path));
    return pem;
}

QList<RunSettingsRules::Problem> RunSettingsRules::check(const RunSettings &s)
{
    QList<Problem> problems;
    const auto number = [&](Field field, qint64 value, const QString &name) {
        if (withinLimit(field, value))
            return;
        const Limit l = limit(field);
        problems.append({field, QStringLiteral("%1 must be a whole number from %2 to %3, not %4.")
                                        .arg(name)
                                        .arg(l.min)
                                        .arg(l.max)
                                        .arg(value)});
    };
    number(Field::Workers, s.workers, QStringLiteral("Local workers"));
    number(Field::Concurrency, s.concurrency, QStringLiteral("Tasks in flight per worker"));
    number(Field::ComputeThreads, s.computeThreads, QStringLiteral("Compute threads"));
    number(Field::MaxAttempts, s.maxAttempts, QStringLiteral("Attempts per task"));
    number(Field::TimeoutMs, s.timeoutMs, QStringLiteral("The timeout"));
    number(Field::MaxBytes, s.maxBytes, QStringLiteral("The largest body"));
    number(Field::BackoffMs, s.retry.baseDelayMs, QStringLiteral("The first backoff"));
    number(Field::BackoffMs, s.retry.maxDelayMs, QStringLiteral("The longest backoff"));
    if (s.retry.maxDelayMs < s.retry.baseDelayMs)
        problems.append({Field::BackoffMs,
                         QStringLiteral("The longest backoff (%1 ms) is shorter than the first "
                                        "(%2 ms).")
                                 .arg(s.retry.maxDelayMs)
                                 .arg(s.retry.baseDelayMs)});
    number(Field::HeartbeatTimeoutMs, s.heartbeatTimeoutMs,
           QStringLiteral("The heartbeat timeout"));
    if (s.workerMemoryLimitMb != 0)
        number(Field::WorkerMemoryMb, qint64(s.workerMemoryLimitMb),
               QStringLiteral("The worker memory limit"));
    number(Field::QueueTimeoutMs, s.queueTimeoutMs, QStringLiteral("The queue timeout"));
    number(Field::MaxHostConnections, s.maxHostConnections, QStringLiteral("Connections per host"));
    if (!s.proxy.isEmpty()) {
        if (const QString p = Url::proxyProblem(s.proxy); !p.isEmpty())
            problems.append({Field::Proxy, p});
    }
    const HostPacing &pacing = s.pacing;
    for (const HostRate &rate : pacing.rates) {
        if (const QString p = rateProblem(rate); !p.isEmpty())
            problems.append({Field::Rate, p});
    }
    number(Field::HostInFlight, pacing.hostInFlight, QStringLiteral("Requests in flight per host"));
    number(Field::BreakerFailures, pacing.breakerFailures,
           QStringLiteral("Failures that open a host's breaker"));
    number(Field::BreakerCooldownMs, pacing.breakerCooldownMs,
           QStringLiteral("The breaker's cool-down"));
    number(Field::MaxPauseMs, pacing.maxPauseMs, QStringLiteral("The longest Retry-After pause"));
    number(Field::PriorityAgingMs, pacing.priorityAgingMs, QStringLiteral("Priority aging"));
    QSet<QString> hosts;
    for (const WorkerGroup &g : s.groups) {
        switch (g.kind) {
        case WorkerGroup::Kind::Ssh:
            number(Field::SshWorkers, g.count, QStringLiteral("Workers on %1").arg(g.host));
            if (const QString p = sshHostProblem(g.host); !p.isEmpty())
                problems.append({Field::SshHost, p});
            else if (hosts.contains(g.host))
                problems.append({Field::SshHost, QStringLiteral("%1 is listed twice: give it one "
                                                                "entry with all its workers.")
                                                         .arg(g.host)});
            hosts.insert(g.host);
            break;
        case WorkerGroup::Kind::Slurm:
            number(Field::GroupWorkers, g.count, QStringLiteral("Slurm workers"));
            break;
        case WorkerGroup::Kind::Command:
            number(Field::GroupWorkers, g.count, QStringLiteral("Launcher workers"));
            if (WorkerGroups::splitArguments(g.command).isEmpty())
                problems.append(
                        {Field::Launcher, QStringLiteral("The custom launcher has no command.")});
            break;
        case WorkerGroup::Kind::Local:
            break;
        }
    }
    return problems;
}

QList<RunSettingsRules::Problem> RunSettingsRules::checkEnvironment(const RunSettings &s)
{
    QList<Problem> problems;
    bool ssh = false;
    bool slurm = false;
    for (const WorkerGroup &g : s.groups) {
        if (g.kind == WorkerGroup::Kind::Ssh && !ssh) {
            ssh = true;
            if (const QString p = programProblem(QStringLiteral("ssh"),
                                                 QStringLiteral("ssh hosts are reached with it"));
                !p.isEmpty())
                problems.append({Field::SshHost, p});
        } else if (g.kind == WorkerGroup::Kind::Slurm) {
            if (!slurm) {
                slurm = true;
                if (const QString p
                    = programProblem(QStringLiteral("srun"),
                                     QStringLiteral("Slurm workers are started with it"));
                    !p.isEmpty())
                    problems.append({Field::Slurm, p});
            }
            if (const QString p = slurmConfProblem(g.slurmConf); !p.isEmpty())
                problems.append({Field::Slurm, p});
        } else if (g.kind == WorkerGroup::Kind::Command) {
            if (const QString p = launcherProblem(g.command); !p.isEmpty())
                problems.append({Field::Launcher, p});
        }
    }
    return problems;
}

} // namespace Brigade
