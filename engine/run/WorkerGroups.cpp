#include "WorkerGroups.h"

#include <QProcess>

namespace Brigade::WorkerGroups {

bool parseSshSpec(const QString &spec, QString *host, int *count)
{
    const QString h = spec.section(QLatin1Char('*'), 0, 0);
    const QString n = spec.section(QLatin1Char('*'), 1);
    bool ok = true;
    const int c = n.isEmpty() ? 1 : n.toInt(&ok);
    if (h.isEmpty() || !ok || c < 1 || c > MaxPerSshHost)
        return false;
    *host = h;
    *count = c;
    return true;
}

QString sshSpec(const QString &host, int count)
{
    return count == 1 ? host : QStringLiteral("%1*%2").arg(host).arg(count);
}

QStringList splitArguments(const QString &text)
{
    return QProcess::splitCommand(text);
}

QString joinArguments(const QStringList &arguments)
{
    QStringList quoted;
    for (const QString &a : arguments) {
        bool plain = !a.isEmpty();
        for (QChar c : a)
            plain = plain && !c.isSpace() && c != QLatin1Char('"');
        if (plain) {
            quoted.append(a);
        } else {
            // splitCommand reads three quotes inside quotes as one literal quote.
            QString q = a;
            q.replace(QLatin1Char('"'), QStringLiteral("\"\"\""));
            quoted.append(QLatin1Char('"') + q + QLatin1Char('"'));
        }
    }
    return quoted.join(QLatin1Char(' '));
}

WorkerGroup ssh(const QString &host, int count, const QString &sshOptions,
                const QString &remoteProgram)
{
    WorkerGroup g;
    g.kind = WorkerGroup::Kind::Ssh;
    g.host = host;
    g.count = count;
    g.options = splitArguments(sshOptions);
    g.remoteProgram = remoteProgram;
    return g;
}

WorkerGroup slurm(int count, const QString &srunOptions, const QString &slurmConf,
                  const QString &remoteProgram)
{
    WorkerGroup g;
    g.kind = WorkerGroup::Kind::Slurm;
    g.count = count;
    g.options = splitArguments(srunOptions);
    g.slurmConf = slurmConf;
    g.remoteProgram = remoteProgram;
    return g;
}

WorkerGroup launcher(const QString &command, int count)
{
    WorkerGroup g;
    g.kind = WorkerGroup::Kind::Command;
    g.command = command;
    g.count = count;
    return g;
}

} // namespace Brigade::WorkerGroups
