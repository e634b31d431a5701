#include "BatchFileCheck.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>

namespace Brigade {

namespace {

// How many leading bytes the UTF-16 check looks at: enough for a few characters.
constexpr qsizetype SniffBytes = 64;

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// "le" or "be" when data looks like UTF-16: a byte order mark with text after it, or ASCII
// characters with a NUL byte beside each.
QString utf16Order(QByteArrayView data)
{
    if (data.size() >= 4 && data.startsWith("\xff\xfe"))
        return QStringLiteral("little-endian");
    if (data.size() >= 4 && data.startsWith("\xfe\xff"))
        return QStringLiteral("big-endian");
    const qsizetype n = qMin(data.size(), SniffBytes) & ~qsizetype(1);
    if (n < 4)
        return {};
    bool evenNul = true, oddNul = true;
    for (qsizetype i = 0; i < n; i += 2) {
        evenNul = evenNul && data[i] == '\0' && data[i + 1] != '\0';
        oddNul = oddNul && data[i + 1] == '\0' && data[i] != '\0';
    }
    if (oddNul)
        return QStringLiteral("little-endian");
    if (evenNul)
        return QStringLiteral("big-endian");
    return {};
}

// The non-blank lines at the start of data, trimmed, at most max of them.
QList<QByteArrayView> firstLines(QByteArrayView data, int max, int *firstLineNo)
{
    QList<QByteArrayView> lines;
    qint64 lineNo = 1;
    *firstLineNo = 0;
    for (qsizetype pos = 0; pos < data.size() && lines.size() < max; ++lineNo) {
        qsizetype end = data.indexOf('\n', pos);
        if (end < 0)
            end = data.size();
        const QByteArrayView line = data.sliced(pos, end - pos).trimmed();
        if (!line.isEmpty()) {
            if (lines.isEmpty())
                *firstLineNo = int(lineNo);
            lines.append(line);
        }
        pos = end + 1;
    }
    return lines;
}

// A name for the conversion hint: the file's own when the shell takes it as it is.
QString shellName(const QString &fileName, const QString &fallback)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9._/+-]+$"));
    const QString name = QFileInfo(fileName).fileName();
    return plain.match(name).hasMatch() ? name : fallback;
}

// Where the hint converts to: never the input itself, which the shell would empty first.
QString jsonlName(const QString &fileName)
{
    const QString input = shellName(fileName, QStringLiteral("in.json"));
    const QString base = QFileInfo(input).completeBaseName();
    const QString out = base + QStringLiteral(".jsonl");
    return out == input ? base + QStringLiteral(".lines.jsonl") : out;
}

} // namespace

std::optional<BatchError> BatchFileCheck::check(QByteArrayView data, const QString &fileName)
{
    const QString order = utf16Order(data);
    if (!order.isEmpty()) {
        const QString name = shellName(fileName, QStringLiteral("in.jsonl"));
        return BatchError{fileName, 1, 1,
                          QStringLiteral("the file is UTF-16 (%1) text; a batch must be UTF-8. "
                                         "Convert it with: iconv -f UTF-16 -t UTF-8 %2 > %3")
                                  .arg(order, name, QStringLiteral("utf8-") + name)};
    }
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    if (suffix == u"txt")
        return {};
    qsizetype start = data.startsWith("\xef\xbb\xbf") ? 3 : 0;
    while (start < data.size() && isSpace(data[start]))
        ++start;
    if (start >= data.size() || (data[start] != '[' && data[start] != '{'))
        return {};
    int lineNo = 0;
    const QList<QByteArrayView> lines = firstLines(data, 2, &lineNo);
    const bool jsonLinesName = suffix == u"jsonl" || suffix == u"ndjson";
    const QString input = shellName(fileName, QStringLiteral("in.json"));
    const QString hint = QStringLiteral("a batch has one JSON object per line (JSON Lines), like "
                                        "{\"fetch\":\"https://example.com/\"}. ");
    if (data[start] == '[') {
        // A .jsonl line that is a whole array is an ordinary error of that line.
        if (jsonLinesName && (lines.size() < 2 || lines[0].endsWith(']')))
            return {};
        return BatchError{fileName, lineNo, 1,
                          QStringLiteral("the file is a JSON array; ") + hint
                                  + QStringLiteral("Convert it with: jq -c '.[]' %1 > %2")
                                            .arg(input, jsonlName(fileName))};
    }
    // An object over several lines: its first line does not close it, and either it is
    // nothing but "{" or the whole file is JSON (not a line that was cut off).
    if (lines.size() < 2 || lines[0].endsWith('}'))
        return {};
    if (lines[0] != "{" && QJsonDocument::fromJson(data.toByteArray()).isNull())
        return {};
    return BatchError{fileName, lineNo, 1,
                      QStringLiteral("the file is JSON spread over several lines; ") + hint
                              + QStringLiteral("Convert it with: jq -c . %1 > %2")
                                        .arg(input, jsonlName(fileName))};
}

} // namespace Brigade
