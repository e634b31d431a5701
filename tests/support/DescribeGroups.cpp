#include "DescribeGroups.h"

#include <QStringList>

namespace Brigade::Test {

QString describeGroups(const RunSettings &s)
{
    QStringList lines{
            QStringLiteral("workers=%1 queueTimeoutMs=%2").arg(s.workers).arg(s.queueTimeoutMs)};
    for (const WorkerGroup &g : s.groups) {
        lines << QStringLiteral("kind=%1 count=%2 host=[%3] options=[%4] remote=[%5] "
                                "command=[%6] conf=[%7]")
                         .arg(int(g.kind))
                         .arg(g.count)
                         .arg(g.host, g.options.join(QLatin1Char('|')), g.remoteProgram, g.command,
                              g.slurmConf);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace Brigade::Test
