#include "DataPaths.h"

#include <QCoreApplication>
#include <QDir>

namespace Brigade {

QString dataDir()
{
    return QDir::cleanPath(QCoreApplication::applicationDirPath()
                           + QStringLiteral("/../share/brigade"));
}

QString dataPath(const QString &relative)
{
    return QDir::cleanPath(dataDir() + QLatin1Char('/') + relative);
}

} // namespace Brigade
