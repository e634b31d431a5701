// brigade-worker: runs task attempts for a Brigade engine, speaking frames on stdin/stdout.
#include "worker/MemoryLimit.h"
#include "worker/ProcessGuardian.h"
#include "worker/WorkerRuntime.h"

#include <QCoreApplication>

#include <cstring>

int main(int argc, char *argv[])
{
    if (argc == 2 && std::strcmp(argv[1], "--guardian") == 0)
        return Brigade::ProcessGuardian::main();
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--memory-limit-mb") == 0)
            Brigade::MemoryLimit::apply(std::strtoull(argv[i + 1], nullptr, 10), 1);
    }
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("brigade-worker"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BRIGADE_VERSION));
    Brigade::WorkerRuntime runtime;
    runtime.start();
    return app.exec();
}
