#include "WordCountOp.h"

#include "text/JsonText.h"

#include <QtEndian>

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace Brigade {

namespace {

bool isAsciiSpace(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r'); // \t \n \v \f \r
}

// Length of the valid UTF-8 sequence at p (at most n bytes), or 0 when the bytes there
// are not valid UTF-8. *bad is then the length of the maximal invalid subpart, which is
// replaced by one U+FFFD (the Unicode "best practice", as in QString::fromUtf8).

} // namespace

bool WordCountOp::parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                              QString *errorKey) const
{
    for (auto it = compute.begin(); it != compute.end(); ++it) {
        if (it.key() != u"op" && it.key() != u"top") {
            *error = QStringLiteral(
                             "unknown key \"%1\" for wordcount (expected \"op\" and \"top\")")
                             .arg(it.key());
            *errorKey = it.key();
            return false;
        }
    }
    const QJsonValue value = compute.value(QLatin1String("top"));
    const qint64 top = value.isDouble() ? value.toInteger(-1) : -1;
    if (top < 1 || top > MaxTop) {
        *error = QStringLiteral("expected \"top\" to be an integer from 1 to %1").arg(MaxTop);
        *errorKey = QStringLiteral("top");
        return false;
    }
    params->resize(4);
    qToLittleEndian<quint32>(quint32(top), params->data());
    return true;
}

bool WordCountOp::run(const QByteArray &params, QByteArrayView input,
                      const std::atomic_bool &cancel, QByteArray *resultJson, QString *error) const
{
    if (params.size() != 4) {
        *error = QStringLiteral("wordcount: bad parameters");
        return false;
    }
    const quint32 top = qFromLittleEndian<quint32>(params.constData());
    if (top < 1 || top > quint32(MaxTop)) {
        *error = QStringLiteral("wordcount: bad \"top\"");
        return false;
    }

    // Views into the input: no copy per token.
    std::unordered_map<std::string_view, quint64> counts;
    const char *p = input.data();
    const char *end = p + input.size();
    qsizetype sinceCheck = 0;
    while (p < end) {
        while (p < end && isAsciiSpace(static_cast<unsigned char>(*p)))
            ++p;
        const char *start = p;
        while (p < end && !isAsciiSpace(static_cast<unsigned char>(*p)))
            ++p;
        if (p > start)
            ++counts[std::string_view(start, size_t(p - start))];
        if (++sinceCheck >= (1 << 16)) {
            sinceCheck = 0;
            if (cancel.load(std::memory_order_relaxed)) {
                *error = QStringLiteral("cancelled");
                return false;
            }
        }
    }

    using Entry = std::pair<std::string_view, quint64>;
    std::vector<Entry> entries(counts.begin(), counts.end());
    // char_traits<char> compares as unsigned char, so this is byte order.
    const auto before = [](const Entry &a, const Entry &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    };
    const size_t k = std::min<size_t>(top, entries.size());
    std::partial_sort(entries.begin(), entries.begin() + k, entries.end(), before);

    QByteArray out;
    out.reserve(qsizetype(k) * 16 + 2);
    out += '[';
    for (size_t i = 0; i < k; ++i) {
        if (i > 0)
            out += ',';
        out += '[';
        JsonText::appendString(
                &out, QByteArrayView(entries[i].first.data(), qsizetype(entries[i].first.size())));
        out += ',';
        out += QByteArray::number(entries[i].second);
        out += ']';
    }
    out += ']';
    *resultJson = out;
    return true;
}

} // namespace Brigade
