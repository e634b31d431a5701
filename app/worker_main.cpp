// brigade-worker: runs task attempts for a Brigade engine, speaking frames on stdin/stdout.
#include "worker/WorkerRuntime.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("brigade-worker"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BRIGADE_VERSION));
    Brigade::WorkerRuntime runtime;
    runtime.start();
    return app.exec();
}
