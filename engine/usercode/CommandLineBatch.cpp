#include "CommandLineBatch.h"

#include "Placeholders.h"
#include "core/ByteSink.h"
#include "core/HugePages.h"
#include "text/JsonText.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstring>

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
    ByteSink out(batch);
    appendTask(out, lineNo, line);
}

void CommandLineBatch::appendTask(ByteSink &out, qint64 lineNo, QByteArrayView line)
{
    // The task's id is its line in the list (not in the batch, whose first line is the
    // command).
    out.literal("{\"id\":\"");
    out.number(lineNo);
    out.literal("\",\"input\":");
    // Bytes that are not UTF-8 become U+FFFD: a batch is UTF-8.
    JsonText::appendString(out, line);
    out.literal("}\n");
}

QByteArray CommandLineBatch::make(const QByteArray &list, const QStringList &command,
                                  const QString &cwd)
{
    QByteArray batch = defaultsLine(command, cwd);
    batch += '\n';
    // Room for the usual line (its bytes, a few escaped, and the fixed text around them),
    // on huge pages: a million lines were faulted in 4 KB at a time, a fifth of the time.
    const qsizetype lines = list.count('\n') + 1;
    batch.reserve(batch.size() + list.size() + list.size() / 8 + 40 * lines);
    HugePages::advise(batch.data(), size_t(batch.capacity()));
    {
        ByteSink out(&batch);
        const char *data = list.constData();
        const qsizetype size = list.size();
        qsizetype start = 0;
        for (qint64 lineNo = 1; start < size; ++lineNo) {
            const void *nl = std::memchr(data + start, '\n', size_t(size - start));
            const qsizetype end = nl ? static_cast<const char *>(nl) - data : size;
            QByteArrayView line(data + start, end - start);
            if (line.endsWith('\r'))
                line.chop(1);
            appendTask(out, lineNo, line);
            start = end + 1;
        }
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
