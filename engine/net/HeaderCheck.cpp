#include "HeaderCheck.h"

#include <cstring>

namespace Brigade {

bool HeaderCheck::equalsNoCase(QByteArrayView a, QByteArrayView lowerB)
{
    if (a.size() != lowerB.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c + ('a' - 'A'));
        if (c != lowerB[i])
            return false;
    }
    return true;
}

QString HeaderCheck::problem(QByteArrayView name, QByteArrayView value)
{
    const QString shown = QString::fromUtf8(name.first(qMin<qsizetype>(name.size(), 100)));
    if (name.isEmpty())
        return QStringLiteral("expected a header name, got an empty string");
    for (char c : name) {
        // RFC 9110 token characters.
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
        if (!ok)
            return QStringLiteral("invalid header name \"%1\"").arg(shown);
    }
    if (equalsNoCase(name, "content-length") || equalsNoCase(name, "transfer-encoding"))
        return QStringLiteral("header \"%1\" is set by Brigade from the request body").arg(shown);
    for (char c : value) {
        if ((uchar(c) < 0x20 && c != '\t') || c == 0x7f)
            return QStringLiteral("expected the value of header \"%1\" to be a string without "
                                  "line breaks or control characters")
                    .arg(shown);
    }
    return {};
}

bool HeaderCheck::isSecret(QByteArrayView name)
{
    return equalsNoCase(name, "authorization") || equalsNoCase(name, "proxy-authorization")
           || equalsNoCase(name, "cookie");
}

} // namespace Brigade
