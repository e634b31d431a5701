#include "UrlListLines.h"

#include "batch/BatchLineParser.h"
#include "net/Url.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstring>

namespace Brigade {

QByteArrayView UrlListLines::trimmed(QByteArrayView line, qsizetype *lead)
{
    // The blanks QByteArray::trimmed() and a .txt batch's reading both drop.
    const auto blank = [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
    };
    qsizetype begin = 0, end = line.size();
    while (begin < end && blank(line[begin]))
        ++begin;
    while (end > begin && blank(line[end - 1]))
        --end;
    *lead = begin;
    return line.sliced(begin, end - begin);
}

bool UrlListLines::keptAsWritten(QByteArrayView text)
{
    return text.startsWith('{') || std::memchr(text.data(), '\0', size_t(text.size()))
           || BatchLineParser::invalidUtf8At(text) >= 0;
}

QByteArray UrlListLines::asJson(QByteArrayView lines)
{
    QByteArray out;
    out.reserve(lines.size() + lines.size() / 4);
    qsizetype pos = 0;
    while (pos < lines.size()) {
        qsizetype nl = lines.indexOf('\n', pos);
        if (nl < 0)
            nl = lines.size();
        qsizetype lead = 0;
        const QByteArrayView text = trimmed(lines.sliced(pos, nl - pos), &lead);
        pos = nl + 1;
        // A comment keeps its place as an empty line.
        if (!text.isEmpty() && !text.startsWith('#')) {
            if (keptAsWritten(text))
                out += text;
            else
                out += QJsonDocument(
                               QJsonObject{{QStringLiteral("fetch"), QString::fromUtf8(text)}})
                               .toJson(QJsonDocument::Compact);
        }
        out += '\n';
    }
    return out;
}

int UrlListLines::originalColumn(QByteArrayView line, int column)
{
    qsizetype lead = 0;
    const QByteArrayView text = trimmed(line, &lead);
    if (keptAsWritten(text))
        return column + int(lead);
    // {"fetch":"URL"}: the parser points at "fetch"; the URL's own check says where in it.
    const Url url = Url::parse(text);
    const qsizetype offset = url.isValid() ? 0 : qMax<qsizetype>(0, url.errorOffset());
    return int(lead + qMin(offset, text.size())) + 1;
}

} // namespace Brigade
