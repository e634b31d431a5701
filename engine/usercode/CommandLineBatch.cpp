#include "CommandLineBatch.h"

#include "Placeholders.h"
#include "text/JsonText.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Brigade {

QByteArray CommandLineBatch::defaultsLine(const QStringList &command, const QString &cwd)
{
    QJsonArray argv;
    bool anyPlaceholder = false;
    for (const QString &arg : command) {
        const QString escaped = Placeholders::escapeUnknown(arg);
        anyPlaceholder = anyPlaceholder || Placeholders::hasAny(escaped);
        argv.append(escaped);
    }
    if (!anyPlaceholder)
        argv.append(QStringLiteral("{}"));
    const QJsonObject defaults{
            {QStringLiteral("compute"), QJsonObject{{QStringLiteral("op"), QStringLiteral("exec")},
                                                    {QStringLiteral("argv"), argv},
                                                    {QStringLiteral("cwd"), cwd}}}};
    return QJsonDocument(QJsonObject{{QStringLiteral("defaults"), defaults}})
            .toJson(QJsonDocument::Compact);
}

void CommandLineBatch::appendTask(QByteArray *batch, qint64 lineNo, QByteArrayView line)
{
    // The task's id is its line in the list (not in the batch, whose first line is the
    // command).
    *batch += "{\"id\":\"" + QByteArray::number(lineNo) + "\",\"input\":";
    // Bytes that are not UTF-8 become U+FFFD: a batch is UTF-8.
    JsonText::appendString(batch, line);
    *batch += "}\n";
}

QByteArray CommandLineBatch::make(const QByteArray &list, const QStringList &command,
                                  const QString &cwd)
{
    QByteArray batch = defaultsLine(command, cwd);
    batch += '\n';
    batch.reserve(batch.size() + list.size() * 2 + 16 * list.count('\n'));
    qsizetype start = 0;
    for (qint64 lineNo = 1; start < list.size(); ++lineNo) {
        qsizetype end = list.indexOf('\n', start);
        const qsizetype next = end < 0 ? list.size() : end + 1;
        if (end < 0)
            end = list.size();
        QByteArrayView line(list.constData() + start, end - start);
        if (line.endsWith('\r'))
            line.chop(1);
        appendTask(&batch, lineNo, line);
        start = next;
    }
    return batch;
}

QString CommandLineBatch::nameFor(const QString &listPath)
{
    if (listPath == u"-")
        return QDir::current().filePath(QStringLiteral("stdin.jsonl"));
    return listPath.endsWith(QLatin1String(".jsonl")) ? listPath
                                                      : listPath + QStringLiteral(".jsonl");
}

} // namespace Brigade
