#include "BatchSubset.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>

namespace Brigade::BatchSubset {

namespace {

QString tr(const char *text)
{
    return QString::fromUtf8(text);
}

// The first non-blank line is the defaults line when it is an object with "defaults".
bool isDefaultsLine(const QByteArray &line)
{
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    return doc.isObject()
           && (doc.object().value(QStringLiteral("defaults")).isObject()
               || doc.object().value(QStringLiteral("pacing")).isObject());
}

} // namespace

Result<qint64> write(const QString &batchPath, QVector<int> lines, const QString &outPath)
{
    std::sort(lines.begin(), lines.end());
    lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
    QFile in(batchPath);
    if (!in.open(QIODevice::ReadOnly))
        return Result<qint64>::failure(
                tr("cannot read the batch %1: %2").arg(batchPath, in.errorString()));
    QSaveFile out(outPath);
    if (!out.open(QIODevice::WriteOnly))
        return Result<qint64>::failure(tr("cannot write %1: %2").arg(outPath, out.errorString()));
    int lineNo = 0;
    bool seenContent = false;
    qint64 written = 0;
    auto next = lines.cbegin();
    while (!in.atEnd() && next != lines.cend()) {
        QByteArray line = in.readLine();
        ++lineNo;
        if (!seenContent && !line.trimmed().isEmpty()) {
            seenContent = true;
            if (isDefaultsLine(line.trimmed())) {
                if (!line.endsWith('\n'))
                    line += '\n';
                out.write(line);
                continue;
            }
        }
        while (next != lines.cend() && *next < lineNo)
            ++next;
        if (next != lines.cend() && *next == lineNo) {
            if (!line.endsWith('\n'))
                line += '\n';
            out.write(line);
            ++written;
        }
    }
    if (written < lines.size())
        return Result<qint64>::failure(
                tr("the batch %1 no longer has every line of these tasks (it changed since "
                   "it was loaded?)")
                        .arg(batchPath));
    if (!out.commit())
        return Result<qint64>::failure(tr("cannot write %1: %2").arg(outPath, out.errorString()));
    return written;
}

} // namespace Brigade::BatchSubset
