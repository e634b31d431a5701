#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Brigade {

// A URL as Brigade fetches it: the one parser used when a batch loads and when a worker
// fetches, so a URL that loads is the URL libcurl requests.
//
// It is libcurl's own parser (CURLU): the fetch goes through libcurl, which parses the URL
// again, and redirects are resolved by it too; validating with QUrl would leave two sets of
// rules (QUrl accepts and normalises differently, e.g. hosts and percent-encoding). On top
// of CURLU, Brigade is stricter where libcurl is lenient for command-line users: http and
// https need "//" and a host ("http:///x" is not host "x"), no spaces or control
// characters, no user name or password (credentials go in "auth", out of the journal),
// no port 0. The result is normalised: scheme in lower case, non-ASCII percent-encoded,
// international host names in their ASCII (punycode) form, no fragment.
class Url
{
public:
    enum class Scheme : quint8 { None, Http, Https, File };

    // text is the URL as written (UTF-8). Never throws; check isValid().
    static Url parse(QByteArrayView text);
    // Why a proxy URL (http, https, socks4, socks4a, socks5 or socks5h; http when it has
    // no scheme; credentials allowed) cannot be used, or an empty string.
    static QString proxyProblem(QByteArrayView text);

    bool isValid() const { return m_scheme != Scheme::None; }
    // Why the URL was refused, in words for a batch error; empty when valid.
    const QString &errorString() const { return m_error; }
    // Byte offset in the text of the offending character, or -1 when it is the URL as a whole.
    qsizetype errorOffset() const { return m_errorOffset; }

    Scheme scheme() const { return m_scheme; }
    bool isHttp() const { return m_scheme == Scheme::Http || m_scheme == Scheme::Https; }
    // The normalised, fully encoded URL, what libcurl is given.
    const QByteArray &encoded() const { return m_encoded; }
    // host:port for messages, with brackets around an IPv6 address ("[::1]:8080").
    QString authority() const { return m_authority; }
    // scheme://host:port: requests with equal origins may share connections.
    QByteArray origin() const { return m_origin; }
    // The decoded path of a file URL.
    QString localFile() const { return m_localFile; }

private:
    Url() = default;
    static Url failure(const QString &error, qsizetype offset = -1);

    Scheme m_scheme = Scheme::None;
    QByteArray m_encoded;
    QString m_authority;
    QByteArray m_origin;
    QString m_localFile;
    QString m_error;
    qsizetype m_errorOffset = -1;
};

} // namespace Brigade
