#include "MessageSignature.h"

namespace Brigade::MessageSignature {

namespace {

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_');
}

bool isHex(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'f') || (u >= 'A' && u <= 'F');
}

bool isDigit(QChar c)
{
    const char16_t u = c.unicode();
    return u >= '0' && u <= '9';
}

bool isLetter(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
}

// Where a path or URL ends: at white space or a quote, without the punctuation that
// closes the sentence around it.
qsizetype tokenEnd(const QString &s, qsizetype i)
{
    qsizetype end = i;
    while (end < s.size() && !s[end].isSpace() && s[end] != QLatin1Char('"')
           && s[end] != QLatin1Char('\'') && s[end] != QLatin1Char('<')
           && s[end] != QLatin1Char('>'))
        ++end;
    while (end > i && QStringView(u".,;:)]}!?").contains(s[end - 1]))
        --end;
    return end;
}

// "scheme://...": the end of the URL, or -1.
qsizetype matchUrl(const QString &s, qsizetype i)
{
    qsizetype j = i;
    if (j >= s.size() || !isLetter(s[j]))
        return -1;
    while (j < s.size()
           && (isLetter(s[j]) || isDigit(s[j]) || s[j] == QLatin1Char('+')
               || s[j] == QLatin1Char('-') || s[j] == QLatin1Char('.')))
        ++j;
    if (!QStringView(s).mid(j).startsWith(u"://"))
        return -1;
    const qsizetype end = tokenEnd(s, j + 3);
    return end > j + 3 ? end : -1;
}

// n hex digits from i, or -1.
qsizetype hexRun(const QString &s, qsizetype i, int n)
{
    for (int k = 0; k < n; ++k) {
        if (i + k >= s.size() || !isHex(s[i + k]))
            return -1;
    }
    return i + n;
}

qsizetype matchUuid(const QString &s, qsizetype i)
{
    qsizetype j = i;
    const int groups[] = {8, 4, 4, 4, 12};
    for (int g = 0; g < 5; ++g) {
        if (g > 0) {
            if (j >= s.size() || s[j] != QLatin1Char('-'))
                return -1;
            ++j;
        }
        j = hexRun(s, j, groups[g]);
        if (j < 0)
            return -1;
    }
    return (j < s.size() && isWordChar(s[j])) ? -1 : j;
}

// An absolute path: "/" after the start, a space, a quote or an opening bracket.
qsizetype matchPath(const QString &s, qsizetype i)
{
    if (s[i] != QLatin1Char('/')
        && !(s[i] == QLatin1Char('~') && i + 1 < s.size() && s[i + 1] == QLatin1Char('/')))
        return -1;
    if (i > 0 && !s[i - 1].isSpace() && !QStringView(u"\"'([{=<,").contains(s[i - 1]))
        return -1;
    const qsizetype end = tokenEnd(s, i);
    // A lone "/" is punctuation, not a path.
    return end > i + 1 ? end : -1;
}

// A decimal number of 1-3 digits; the position after it or -1.
qsizetype octet(const QString &s, qsizetype i)
{
    qsizetype j = i;
    while (j < s.size() && j - i < 3 && isDigit(s[j]))
        ++j;
    return j > i ? j : -1;
}

// An optional ":port" after an address.
qsizetype port(const QString &s, qsizetype j)
{
    if (j + 1 < s.size() && s[j] == QLatin1Char(':') && isDigit(s[j + 1])) {
        j += 1;
        while (j < s.size() && isDigit(s[j]))
            ++j;
    }
    return j;
}

qsizetype matchIpv4(const QString &s, qsizetype i)
{
    qsizetype j = i;
    for (int k = 0; k < 4; ++k) {
        if (k > 0) {
            if (j >= s.size() || s[j] != QLatin1Char('.'))
                return -1;
            ++j;
        }
        j = octet(s, j);
        if (j < 0)
            return -1;
    }
    if (j < s.size()
        && (isWordChar(s[j])
            || (s[j] == QLatin1Char('.') && j + 1 < s.size() && isDigit(s[j + 1]))))
        return -1;
    return port(s, j);
}

// IPv6: "[...]" with colons inside, or a bare run of hex digits and colons holding "::" or
// at least five colons (so a time of day such as 12:34:56 stays a time).
qsizetype matchIpv6(const QString &s, qsizetype i)
{
    const bool bracket = s[i] == QLatin1Char('[');
    qsizetype j = bracket ? i + 1 : i;
    int colons = 0;
    bool doubleColon = false;
    while (j < s.size()
           && (isHex(s[j]) || s[j] == QLatin1Char(':') || (bracket && s[j] == QLatin1Char('.')))) {
        if (s[j] == QLatin1Char(':')) {
            ++colons;
            doubleColon = doubleColon || (j > i && s[j - 1] == QLatin1Char(':'));
        }
        ++j;
    }
    if (bracket) {
        if (j >= s.size() || s[j] != QLatin1Char(']') || colons < 2)
            return -1;
        return port(s, j + 1);
    }
    if (!(doubleColon || colons >= 5) || (j < s.size() && isWordChar(s[j])))
        return -1;
    while (j > i && s[j - 1] == QLatin1Char(':')) // "::1:" ends a sentence's colon
        --j;
    return j;
}

// "0x1f", or eight or more hex digits with at least one decimal digit and one letter.
qsizetype matchHex(const QString &s, qsizetype i)
{
    qsizetype j = i;
    if (s[i] == QLatin1Char('0') && i + 2 < s.size()
        && (s[i + 1] == QLatin1Char('x') || s[i + 1] == QLatin1Char('X')) && isHex(s[i + 2])) {
        j = i + 2;
        while (j < s.size() && isHex(s[j]))
            ++j;
        return (j < s.size() && isWordChar(s[j])) ? -1 : j;
    }
    bool digit = false;
    bool letter = false;
    while (j < s.size() && isHex(s[j])) {
        digit = digit || isDigit(s[j]);
        letter = letter || !isDigit(s[j]);
        ++j;
    }
    if (j - i < 8 || !digit || !letter || (j < s.size() && isWordChar(s[j])))
        return -1;
    return j;
}

// Digits, with decimal points or separators between digits ("3.5", "1,000", "1.2.3").
qsizetype matchNumber(const QString &s, qsizetype i)
{
    if (!isDigit(s[i]))
        return -1;
    qsizetype j = i;
    while (j < s.size()) {
        if (isDigit(s[j])) {
            ++j;
        } else if ((s[j] == QLatin1Char('.') || s[j] == QLatin1Char(',')) && j + 1 < s.size()
                   && isDigit(s[j + 1])) {
            ++j;
        } else {
            break;
        }
    }
    return j;
}

} // namespace

QString of(const QString &message)
{
    QString out;
    out.reserve(qMin<qsizetype>(message.size(), MaxLength + 8));
    const QString &s = message;
    qsizetype i = 0;
    while (i < s.size() && out.size() < MaxLength) {
        const bool boundary = i == 0 || !isWordChar(s[i - 1]);
        qsizetype end = -1;
        const char16_t *fold = nullptr;
        if (boundary && (end = matchUrl(s, i)) >= 0)
            fold = u"<url>";
        else if (boundary && (end = matchUuid(s, i)) >= 0)
            fold = u"<uuid>";
        else if ((end = matchPath(s, i)) >= 0)
            fold = u"<path>";
        else if (boundary && (end = matchIpv4(s, i)) >= 0)
            fold = u"<ip>";
        else if (boundary && (isHex(s[i]) || s[i] == QLatin1Char(':') || s[i] == QLatin1Char('['))
                 && (end = matchIpv6(s, i)) >= 0)
            fold = u"<ip>";
        else if (boundary && (end = matchHex(s, i)) >= 0)
            fold = u"<hex>";
        else if ((end = matchNumber(s, i)) >= 0)
            fold = u"<n>";
        if (fold) {
            out += QStringView(fold);
            i = end;
            continue;
        }
        // A word goes across whole, so a letter run is never taken for a number's tail.
        qsizetype j = i + 1;
        const qsizetype room = i + MaxLength - out.size() + 1; // no more than fits
        while (j < s.size() && j < room && isLetter(s[j - 1]) && isLetter(s[j]))
            ++j;
        out += QStringView(s).mid(i, j - i);
        i = j;
    }
    if (i < s.size() || out.size() > MaxLength) {
        out.truncate(MaxLength);
        out += QStringLiteral("...");
    }
    return out;
}

} // namespace Brigade::MessageSignature
