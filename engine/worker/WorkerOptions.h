#pragma once

#include <QString>
#include <QStringList>

namespace Brigade {

// The worker's own command line: "brigade-worker [--memory-limit-mb MIB]" as the engine
// starts it, and --help/--version for a person checking an installation (a compute node
// with only the brigade-worker package). Parsed before QCoreApplication exists, since the
// memory limit must be in place before Qt allocates anything.
struct WorkerOptions
{
    quint64 memoryLimitMb = 0; // 0: no limit
    bool showHelp = false;
    bool showVersion = false;
    QString error; // non-empty: a bad argument; the worker exits with status 2

    static WorkerOptions parse(const QStringList &args); // args without the program name
    static QString helpText();
};

} // namespace Brigade
