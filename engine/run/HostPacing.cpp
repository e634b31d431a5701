#include "HostPacing.h"

namespace Brigade {

QString HostRate::text() const
{
    QString t = host + QLatin1Char('=');
    if (perSecond < 1 && perSecond > 0)
        t += QString::number(perSecond * 60, 'g', 6) + QLatin1String("/min");
    else
        t += QString::number(perSecond, 'g', 6) + QLatin1String("/s");
    if (burst > 0)
        t += QStringLiteral(":burst=%1").arg(burst);
    return t;
}

HostPacing HostPacing::under(const HostPacing &run) const
{
    const HostPacing defaults;
    HostPacing out = run;
    out.rates = rates + run.rates;
    if (run.hostInFlight == defaults.hostInFlight)
        out.hostInFlight = hostInFlight;
    if (run.breakerFailures == defaults.breakerFailures)
        out.breakerFailures = breakerFailures;
    if (run.breakerCooldownMs == defaults.breakerCooldownMs)
        out.breakerCooldownMs = breakerCooldownMs;
    if (run.maxPauseMs == defaults.maxPauseMs)
        out.maxPauseMs = maxPauseMs;
    if (run.priorityAgingMs == defaults.priorityAgingMs)
        out.priorityAgingMs = priorityAgingMs;
    return out;
}

const HostRate *HostPacing::rateFor(const QString &key) const
{
    // key: scheme://host:port
    const qsizetype sep = key.indexOf(QLatin1String("://"));
    const QString hostPort = sep >= 0 ? key.mid(sep + 3) : key;
    const qsizetype colon = hostPort.lastIndexOf(QLatin1Char(':'));
    const QString host
            = colon > 0 && !hostPort.endsWith(QLatin1Char(']')) ? hostPort.left(colon) : hostPort;
    const HostRate *byKey = nullptr;
    const HostRate *byHost = nullptr;
    const HostRate *byHostPort = nullptr;
    const HostRate *any = nullptr;
    for (const HostRate &r : rates) { // the last of each kind wins
        if (r.host.compare(key, Qt::CaseInsensitive) == 0)
            byKey = &r;
        else if (r.host.compare(hostPort, Qt::CaseInsensitive) == 0)
            byHostPort = &r;
        else if (r.host.compare(host, Qt::CaseInsensitive) == 0)
            byHost = &r;
        else if (r.host == QLatin1String("*"))
            any = &r;
    }
    return byKey ? byKey : byHostPort ? byHostPort : byHost ? byHost : any;
}

} // namespace Brigade
