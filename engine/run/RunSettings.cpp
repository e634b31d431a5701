#include "RunSettings.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QThread>

namespace Brigade {

QString WorkerGroup::label() const
{
    switch (kind) {
    case Kind::Local:
        return QStringLiteral("local");
    case Kind::Ssh:
        return QStringLiteral("ssh %1").arg(host);
    case Kind::Slurm:
        return QStringLiteral("slurm");
    case Kind::Command:
        return command;
    }
    return {};
}

QList<WorkerGroup> RunSettings::slotGroups() const
{
    QList<WorkerGroup> result;
    const int local
            = workers > 0 ? workers : (groups.isEmpty() ? qMax(1, QThread::idealThreadCount()) : 0);
    for (int i = 0; i < local; ++i)
        result.append(WorkerGroup{});
    for (const WorkerGroup &g : groups) {
        for (int i = 0; i < g.count; ++i)
            result.append(g);
    }
    return result;
}

int RunSettings::hostConnectionsPerWorker(int workers) const
{
    if (maxHostConnections <= 0)
        return 0;
    return qMax(1, maxHostConnections / qMax(1, workers));
}

QString RunSettings::insecureWarning()
{
    return QStringLiteral("WARNING: TLS certificates and host names are NOT verified "
                          "(--insecure): anyone between here and the servers can read and "
                          "change what this run fetches.");
}

QString RunSettings::effectiveWorkerProgram() const
{
    if (!workerProgram.isEmpty())
        return workerProgram;
    const QByteArray env = qgetenv("BRIGADE_WORKER");
    if (!env.isEmpty())
        return QString::fromLocal8Bit(env);
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("brigade-worker"));
}

} // namespace Brigade
