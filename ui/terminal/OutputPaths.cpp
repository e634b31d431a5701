#include "OutputPaths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sys/stat.h>

namespace Brigade {

namespace {

// Where a file that does not exist would be: its directory resolved (links included).
QString wouldBe(const QString &path)
{
    const QFileInfo info(path);
    const QString dir = QFileInfo(info.absolutePath()).canonicalFilePath();
    return QDir(dir.isEmpty() ? info.absolutePath() : dir).filePath(info.fileName());
}

} // namespace

bool OutputPaths::sameFile(const QString &a, const QString &b)
{
    if (a.isEmpty() || b.isEmpty())
        return false;
    struct stat sa = {};
    struct stat sb = {};
    const bool hasA = ::stat(QFile::encodeName(a).constData(), &sa) == 0;
    const bool hasB = ::stat(QFile::encodeName(b).constData(), &sb) == 0;
    if (hasA && hasB)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (hasA != hasB)
        return false;
    return wouldBe(a) == wouldBe(b);
}

QString OutputPaths::check(const QString &output, const QList<Input> &inputs)
{
    for (const Input &in : inputs) {
        if (!sameFile(output, in.path))
            continue;
        const QString also
                = QFileInfo(output).absoluteFilePath() == QFileInfo(in.path).absoluteFilePath()
                          ? QString()
                          : QStringLiteral(" (%1)").arg(in.path);
        return QStringLiteral("-o %1 is %2%3: the results would overwrite it; choose another "
                              "output file")
                .arg(output, in.what, also);
    }
    return {};
}

} // namespace Brigade
