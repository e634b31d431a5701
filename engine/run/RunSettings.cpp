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
