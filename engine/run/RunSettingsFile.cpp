#include "RunSettingsFile.h"

#include "RunSettingsRules.h"
#include "net/Url.h"

#include <QSettings>

namespace Brigade {

namespace {
const QString Group = QStringLiteral("run");
const QString GroupsKey = QStringLiteral("workerGroups");
using Field = RunSettingsRules::Field;
} // namespace

RunSettings RunSettingsFile::load(const RunSettings &base)
{
    RunSettings s = base;
    QSettings settings;
    settings.beginGroup(Group);
    const auto value = [&settings](const QString &key, Field field, qint64 fallback) {
        const RunSettingsRules::Limit l = RunSettingsRules::limit(field);
        return qBound(l.min, settings.value(key, fallback).toLongLong(), l.max);
    };
    s.workers = int(value(QStringLiteral("workers"), Field::Workers, s.workers));
    s.concurrency = int(value(QStringLiteral("concurrency"), Field::Concurrency, s.concurrency));
    s.computeThreads
            = int(value(QStringLiteral("computeThreads"), Field::ComputeThreads, s.computeThreads));
    s.maxAttempts = int(value(QStringLiteral("maxAttempts"), Field::MaxAttempts, s.maxAttempts));
    s.retry.baseDelayMs = quint32(
            value(QStringLiteral("backoffBaseMs"), Field::BackoffMs, s.retry.baseDelayMs));
    s.retry.maxDelayMs = quint32(
            qMax<qint64>(s.retry.baseDelayMs, value(QStringLiteral("backoffMaxMs"),
                                                    Field::BackoffMs, s.retry.maxDelayMs)));
    s.timeoutMs = quint32(value(QStringLiteral("timeoutMs"), Field::TimeoutMs, s.timeoutMs));
    s.queueTimeoutMs = quint32(
            value(QStringLiteral("queueTimeoutMs"), Field::QueueTimeoutMs, s.queueTimeoutMs));
    // Hosts and HTTP. Rates and a CA file that no longer pass the rules are dropped: the
    // run then uses the defaults rather than fail.
    s.maxBytes = value(QStringLiteral("maxBytes"), Field::MaxBytes, s.maxBytes);
    s.maxHostConnections = int(value(QStringLiteral("maxHostConnections"),
                                     Field::MaxHostConnections, s.maxHostConnections));
    s.http1 = settings.value(QStringLiteral("http1"), s.http1).toBool();
    const QString proxy = settings.value(QStringLiteral("proxy")).toString();
    if (!proxy.isEmpty() && Url::proxyProblem(proxy.toUtf8()).isEmpty())
        s.proxy = proxy.toUtf8();
    const QString caFile = settings.value(QStringLiteral("caCertificatesFile")).toString();
    if (!caFile.isEmpty()) {
        if (const Result<QByteArray> pem = RunSettingsRules::readCaCertificates(caFile)) {
            s.caCertificates = *pem;
            s.caCertificatesFile = caFile;
        }
    }
    HostPacing &p = s.pacing;
    if (settings.contains(QStringLiteral("rates"))) {
        p.rates.clear();
        for (const QString &text : settings.value(QStringLiteral("rates")).toStringList()) {
            if (const Result<HostRate> rate = RunSettingsRules::parseRate(text))
                p.rates.append(*rate);
        }
    }
    p.hostInFlight
            = int(value(QStringLiteral("hostInFlight"), Field::HostInFlight, p.hostInFlight));
    p.breakerFailures = int(
            value(QStringLiteral("breakerFailures"), Field::BreakerFailures, p.breakerFailures));
    p.breakerCooldownMs = quint32(value(QStringLiteral("breakerCooldownMs"),
                                        Field::BreakerCooldownMs, p.breakerCooldownMs));
    p.maxPauseMs
            = quint32(value(QStringLiteral("maxRetryAfterMs"), Field::MaxPauseMs, p.maxPauseMs));
    p.priorityAgingMs
            = value(QStringLiteral("priorityAgingMs"), Field::PriorityAgingMs, p.priorityAgingMs);
    if (settings.contains(GroupsKey + QStringLiteral("/size"))) {
        s.groups.clear();
        const int n = settings.beginReadArray(GroupsKey);
        for (int i = 0; i < n; ++i) {
            settings.setArrayIndex(i);
            WorkerGroup g;
            const int kind = settings.value(QStringLiteral("kind")).toInt();
            if (kind < int(WorkerGroup::Kind::Ssh) || kind > int(WorkerGroup::Kind::Command))
                continue;
            g.kind = WorkerGroup::Kind(kind);
            g.count = int(value(
                    QStringLiteral("count"),
                    g.kind == WorkerGroup::Kind::Ssh ? Field::SshWorkers : Field::GroupWorkers, 1));
            g.host = settings.value(QStringLiteral("host")).toString();
            g.options = settings.value(QStringLiteral("options")).toStringList();
            g.remoteProgram = settings.value(QStringLiteral("remoteProgram")).toString();
            g.command = settings.value(QStringLiteral("command")).toString();
            g.slurmConf = settings.value(QStringLiteral("slurmConf")).toString();
            s.groups.append(g);
        }
        settings.endArray();
    }
    return s;
}

void RunSettingsFile::save(const RunSettings &s)
{
    QSettings settings;
    settings.beginGroup(Group);
    settings.setValue(QStringLiteral("workers"), s.workers);
    settings.setValue(QStringLiteral("concurrency"), s.concurrency);
    settings.setValue(QStringLiteral("computeThreads"), s.computeThreads);
    settings.setValue(QStringLiteral("maxAttempts"), s.maxAttempts);
    settings.setValue(QStringLiteral("backoffBaseMs"), s.retry.baseDelayMs);
    settings.setValue(QStringLiteral("backoffMaxMs"), s.retry.maxDelayMs);
    settings.setValue(QStringLiteral("timeoutMs"), s.timeoutMs);
    settings.setValue(QStringLiteral("queueTimeoutMs"), s.queueTimeoutMs);
    // Not --insecure: off in every new session, so it never stays on by accident.
    settings.setValue(QStringLiteral("maxBytes"), s.maxBytes);
    settings.setValue(QStringLiteral("maxHostConnections"), s.maxHostConnections);
    settings.setValue(QStringLiteral("http1"), s.http1);
    settings.setValue(QStringLiteral("proxy"), QString::fromUtf8(s.proxy));
    settings.setValue(QStringLiteral("caCertificatesFile"), s.caCertificatesFile);
    QStringList rates;
    for (const HostRate &rate : s.pacing.rates)
        rates << rate.text();
    settings.setValue(QStringLiteral("rates"), rates);
    settings.setValue(QStringLiteral("hostInFlight"), s.pacing.hostInFlight);
    settings.setValue(QStringLiteral("breakerFailures"), s.pacing.breakerFailures);
    settings.setValue(QStringLiteral("breakerCooldownMs"), s.pacing.breakerCooldownMs);
    settings.setValue(QStringLiteral("maxRetryAfterMs"), s.pacing.maxPauseMs);
    settings.setValue(QStringLiteral("priorityAgingMs"), s.pacing.priorityAgingMs);
    settings.remove(GroupsKey);
    settings.beginWriteArray(GroupsKey, int(s.groups.size()));
    for (int i = 0; i < s.groups.size(); ++i) {
        const WorkerGroup &g = s.groups[i];
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("kind"), int(g.kind));
        settings.setValue(QStringLiteral("count"), g.count);
        settings.setValue(QStringLiteral("host"), g.host);
        settings.setValue(QStringLiteral("options"), g.options);
        settings.setValue(QStringLiteral("remoteProgram"), g.remoteProgram);
        settings.setValue(QStringLiteral("command"), g.command);
        settings.setValue(QStringLiteral("slurmConf"), g.slurmConf);
    }
    settings.endArray();
}

} // namespace Brigade
