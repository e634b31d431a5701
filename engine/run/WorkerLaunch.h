#pragma once

#include "RunSettings.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace Brigade {

// The command line that starts one worker of a group: the worker itself, or ssh / srun /
// a custom template wrapped around it. Never through a shell: arguments stay arguments.
struct WorkerLaunch
{
    QString program;
    QStringList arguments;
    QProcessEnvironment environment;
    bool mayQueue = false; // Slurm: waiting for a CPU before the hello is normal

    static WorkerLaunch forGroup(const WorkerGroup &group, const RunSettings &settings);
};

} // namespace Brigade
