#include "Url.h"

#include <QUrl>

#include <curl/curl.h>
#include <memory>

namespace Brigade {

namespace {

struct UrlDeleter
{
    void operator()(CURLU *u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

struct CurlString
{
    char *text = nullptr;
    ~CurlString() { curl_free(text); }
    QByteArray bytes() const { return QByteArray(text ? text : ""); }
};

bool isAlpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// The length of a scheme followed by ':' at the start of text, or 0.
qsizetype schemeLength(QByteArrayView text)
{
    if (text.isEmpty() || !isAlpha(text[0]))
        return 0;
    qsizetype i = 1;
    while (i < text.size()
           && (isAlpha(text[i]) || isDigit(text[i]) || text[i] == '+' || text[i] == '-'
               || text[i] == '.'))
        ++i;
    if (i >= text.size() || text[i] != ':')
        return 0;
    // "localhost:8080/x" is a host and a port without a scheme.
    if (i + 1 < text.size() && isDigit(text[i + 1]))
        return 0;
    return i;
}

QString quoted(QByteArrayView text)
{
    return QString::fromUtf8(text.first(qMin<qsizetype>(text.size(), 300)));
}

QString describe(CURLUcode code, QByteArrayView text)
{
    switch (code) {
    case CURLUE_BAD_HOSTNAME:
        return QStringLiteral("invalid URL \"%1\": invalid host name").arg(quoted(text));
    case CURLUE_BAD_IPV6:
        return QStringLiteral("invalid URL \"%1\": invalid IPv6 address").arg(quoted(text));
    case CURLUE_BAD_PORT_NUMBER:
        return QStringLiteral("invalid URL \"%1\": expected a port from 1 to 65535")
                .arg(quoted(text));
    case CURLUE_BAD_FILE_URL:
        return QStringLiteral("expected a file URL naming a file on this machine, like "
                              "file:///data/input.txt, got \"%1\"")
                .arg(quoted(text));
    case CURLUE_NO_HOST:
        return QStringLiteral("expected a host name in the URL \"%1\"").arg(quoted(text));
    default:
        return QStringLiteral("invalid URL \"%1\": %2")
                .arg(quoted(text), QString::fromUtf8(curl_url_strerror(code)));
    }
}

} // namespace

QString Url::proxyProblem(QByteArrayView text)
{
    if (text.isEmpty())
        return QStringLiteral("expected a proxy URL, like http://proxy.example:3128");
    for (char c : text) {
        if (uchar(c) <= 0x20 || c == 0x7f)
            return QStringLiteral("a space or control character in the proxy URL");
    }
    UrlHandle handle(curl_url());
    const QByteArray zeroTerminated = text.toByteArray();
    const CURLUcode rc = curl_url_set(handle.get(), CURLUPART_URL, zeroTerminated.constData(),
                                      CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME);
    if (rc != CURLUE_OK)
        return QStringLiteral("invalid proxy URL: %1")
                .arg(QString::fromUtf8(curl_url_strerror(rc)));
    CurlString scheme;
    curl_url_get(handle.get(), CURLUPART_SCHEME, &scheme.text, 0);
    static const QList<QByteArray> known{"http", "https", "socks4", "socks4a", "socks5", "socks5h"};
    if (!known.contains(scheme.bytes().toLower()))
        return QStringLiteral("unsupported proxy scheme \"%1\" (expected http, https, socks4, "
                              "socks4a, socks5 or socks5h)")
                .arg(QString::fromUtf8(scheme.bytes()));
    return {};
}

Url Url::failure(const QString &error, qsizetype offset)
{
    Url u;
    u.m_error = error;
    u.m_errorOffset = offset;
    return u;
}

Url Url::parse(QByteArrayView text)
{
    if (text.isEmpty())
        return failure(QStringLiteral("expected a URL, got an empty string"));
    const qsizetype schemeEnd = schemeLength(text);
    if (schemeEnd == 0) {
        return failure(QStringLiteral("expected an absolute URL starting with http://, https:// "
                                      "or file://, got \"%1\"")
                               .arg(quoted(text)));
    }
    const QByteArray scheme = text.first(schemeEnd).toByteArray().toLower();
    Scheme kind = Scheme::None;
    if (scheme == "http")
        kind = Scheme::Http;
    else if (scheme == "https")
        kind = Scheme::Https;
    else if (scheme == "file")
        kind = Scheme::File;
    else
        return failure(QStringLiteral("unsupported URL scheme \"%1\" (expected http, https or "
                                      "file)")
                               .arg(QString::fromUtf8(scheme)));
    for (qsizetype i = 0; i < text.size(); ++i) {
        const auto c = uchar(text[i]);
        if (c == ' ')
            return failure(QStringLiteral("invalid URL \"%1\": a space (write it as %20)")
                                   .arg(quoted(text)),
                           i);
        if (c < 0x20 || c == 0x7f)
            return failure(
                    QStringLiteral("invalid URL \"%1\": a control character").arg(quoted(text)), i);
    }
    const QByteArrayView rest = text.sliced(schemeEnd + 1);
    if (kind != Scheme::File) {
        // libcurl reads "http:/x" and "http:///x" as host x; a batch means something else.
        if (!rest.startsWith("//") || rest.size() == 2 || rest[2] == '/' || rest[2] == '?'
            || rest[2] == '#')
            return failure(
                    QStringLiteral("expected a host name in the URL \"%1\"").arg(quoted(text)));
    }

    UrlHandle handle(curl_url());
    if (!handle)
        return failure(QStringLiteral("out of memory"));
    CURLU *h = handle.get();
    const QByteArray zeroTerminated = text.toByteArray();
    const CURLUcode rc
            = curl_url_set(h, CURLUPART_URL, zeroTerminated.constData(), CURLU_URLENCODE);
    if (rc != CURLUE_OK)
        return failure(describe(rc, text));
    {
        CurlString user, password;
        if (curl_url_get(h, CURLUPART_USER, &user.text, 0) == CURLUE_OK
            || curl_url_get(h, CURLUPART_PASSWORD, &password.text, 0) == CURLUE_OK)
            return failure(QStringLiteral("invalid URL \"%1\": a user name or password in a URL "
                                          "would be kept in the journal; use \"auth\"")
                                   .arg(quoted(text)),
                           text.indexOf('@'));
    }
    curl_url_set(h, CURLUPART_FRAGMENT, nullptr, 0);

    Url url;
    url.m_scheme = kind;
    if (kind == Scheme::File) {
        CurlString path;
        if (curl_url_get(h, CURLUPART_PATH, &path.text, CURLU_URLDECODE) != CURLUE_OK)
            return failure(QStringLiteral("invalid URL \"%1\": the path cannot be decoded")
                                   .arg(quoted(text)));
        if (!path.bytes().startsWith('/'))
            return failure(QStringLiteral("expected an absolute path in the file URL \"%1\", "
                                          "like file:///data/input.txt")
                                   .arg(quoted(text)));
        url.m_localFile = QString::fromUtf8(path.bytes());
    } else {
        CurlString host, port;
        curl_url_get(h, CURLUPART_HOST, &host.text, 0);
        QByteArray name = host.bytes();
        bool ascii = true;
        for (char c : std::as_const(name))
            ascii = ascii && uchar(c) < 0x80;
        if (!ascii) {
            // International names go out as punycode (CURLU_PUNYCODE fails in libcurl 7.88).
            name = QUrl::toAce(QString::fromUtf8(QByteArray::fromPercentEncoding(name)));
            if (name.isEmpty())
                return failure(describe(CURLUE_BAD_HOSTNAME, text));
        }
        name = name.toLower();
        if (curl_url_set(h, CURLUPART_HOST, name.constData(), 0) != CURLUE_OK)
            return failure(describe(CURLUE_BAD_HOSTNAME, text));
        curl_url_get(h, CURLUPART_PORT, &port.text, CURLU_DEFAULT_PORT);
        if (port.bytes() == "0")
            return failure(describe(CURLUE_BAD_PORT_NUMBER, text));
        url.m_authority = QString::fromUtf8(name + ':' + port.bytes());
        url.m_origin = scheme + "://" + name + ':' + port.bytes();
    }
    CurlString encoded;
    if (curl_url_get(h, CURLUPART_URL, &encoded.text, 0) != CURLUE_OK)
        return failure(describe(CURLUE_MALFORMED_INPUT, text));
    url.m_encoded = encoded.bytes();
    // libcurl writes percent-escapes it adds in lower case; RFC 3986 prefers upper.
    for (qsizetype i = 0; i + 2 < url.m_encoded.size(); ++i) {
        if (url.m_encoded[i] == '%') {
            url.m_encoded[i + 1] = QChar::toUpper(url.m_encoded[i + 1]);
            url.m_encoded[i + 2] = QChar::toUpper(url.m_encoded[i + 2]);
        }
    }
    return url;
}

} // namespace Brigade
