// brigade-worker: runs task attempts for a Brigade engine, speaking frames on stdin/stdout.
#include "worker/MemoryLimit.h"
#include "worker/ProcessGuardian.h"
#include "worker/WorkerOptions.h"
#include "worker/WorkerRuntime.h"

#include <QCoreApplication>

#include <cstdio>
#include <cstring>

int main(int argc, char *argv[])
{
    // The guardian of the worker's commands and programs is the worker binary again.
    if (argc == 2 && std::strcmp(argv[1], "--guardian") == 0)
        return Brigade::ProcessGuardian::main();
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    const Brigade::WorkerOptions options = Brigade::WorkerOptions::parse(args);
    if (!options.error.isEmpty()) {
        std::fprintf(stderr, "brigade-worker: %s\nTry 'brigade-worker --help'.\n",
                     options.error.toLocal8Bit().constData());
        return 2;
    }
    if (options.showHelp) {
        std::fputs(Brigade::WorkerOptions::helpText().toLocal8Bit().constData(), stdout);
        return 0;
    }
    if (options.showVersion) {
        std::printf("brigade-worker %s\n", BRIGADE_VERSION);
        return 0;
    }
    if (options.memoryLimitMb > 0)
        Brigade::MemoryLimit::apply(options.memoryLimitMb, 1);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("brigade-worker"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BRIGADE_VERSION));
    Brigade::WorkerRuntime runtime;
    runtime.start();
    return app.exec();
}
