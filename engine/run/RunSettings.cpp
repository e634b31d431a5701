#include "RunSettings.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QThread>

namespace Brigade {

int RunSettings::effectiveWorkers() const
{
    return workers > 0 ? workers : qMax(1, QThread::idealThreadCount());
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
