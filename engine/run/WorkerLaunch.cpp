#include "WorkerLaunch.h"

#include <QDir>
#include <QProcess>

namespace Brigade {

WorkerLaunch WorkerLaunch::forGroup(const WorkerGroup &group, const RunSettings &settings)
{
    WorkerLaunch l;
    l.environment = QProcessEnvironment::systemEnvironment();
    QStringList workerArgs = settings.workerArguments;
    if (settings.workerMemoryLimitMb > 0)
        workerArgs << QStringLiteral("--memory-limit-mb")
                   << QString::number(settings.workerMemoryLimitMb);
    const QString remote = group.remoteProgram.isEmpty() ? QStringLiteral("brigade-worker")
                                                         : group.remoteProgram;
    switch (group.kind) {
    case WorkerGroup::Kind::Local:
        l.program = settings.effectiveWorkerProgram();
        l.arguments = workerArgs;
        break;
    case WorkerGroup::Kind::Ssh:
        // BatchMode: never prompt; -T: no remote terminal, the stream stays binary; one
        // shared master connection per host, so the second worker starts in milliseconds.
        l.program = QStringLiteral("ssh");
        l.arguments
                = QStringList{QStringLiteral("-T"),
                              QStringLiteral("-o"),
                              QStringLiteral("BatchMode=yes"),
                              QStringLiteral("-o"),
                              QStringLiteral("ControlMaster=auto"),
                              QStringLiteral("-o"),
                              QStringLiteral("ControlPath=%1/brigade-ssh-%C").arg(QDir::tempPath()),
                              QStringLiteral("-o"),
                              QStringLiteral("ControlPersist=60")}
                  + group.options + QStringList{group.host, QStringLiteral("--"), remote}
                  + workerArgs;
        break;
    case WorkerGroup::Kind::Slurm:
        // One single-CPU step per worker; --unbuffered relays our frames as they come.
        l.program = QStringLiteral("srun");
        l.arguments
                = QStringList{QStringLiteral("--unbuffered"), QStringLiteral("--quiet"),
                              QStringLiteral("-N1"), QStringLiteral("-n1"), QStringLiteral("-c1")}
                  + group.options + QStringList{QStringLiteral("--"), remote} + workerArgs;
        if (!group.slurmConf.isEmpty())
            l.environment.insert(QStringLiteral("SLURM_CONF"), group.slurmConf);
        l.mayQueue = true;
        break;
    case WorkerGroup::Kind::Command: {
        const QStringList parts = QProcess::splitCommand(group.command);
        l.program = parts.value(0);
        l.arguments = parts.mid(1) + workerArgs;
        break;
    }
    }
    return l;
}

} // namespace Brigade
