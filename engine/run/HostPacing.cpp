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

const HostRate *HostPacing::rateFor(const QString &key) const
{
    // key: scheme://host:port
    const qsizetype sep = key.indexOf(QLatin1String("://"));
    const QString hostPort = sep >= 0 ? key.mid(sep + 3) : key;
    const qsizetype colon = hostPort.lastIndexOf(QLatin1Char(':'));
    const QString host
            = colon > 0 && !hostPort.endsWith(QLatin1Char(']')) ? hostPort.left(colon) : hostPort;
    const HostRate *byHost = nullptr;
    const HostRate *byHostPort = nullptr;
    const HostRate *any = nullptr;
    for (const HostRate &r : rates) {
        if (r.host.compare(key, Qt::CaseInsensitive) == 0)
            return &r;
        if (r.host.compare(hostPort, Qt::CaseInsensitive) == 0)
            byHostPort = &r;
        else if (r.host.compare(host, Qt::CaseInsensitive) == 0)
            byHost = &r;
        else if (r.host == QLatin1String("*"))
            any = &r;
    }
    return byHostPort ? byHostPort : byHost ? byHost : any;
}

} // namespace Brigade
