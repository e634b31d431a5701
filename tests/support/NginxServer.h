#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

namespace Brigade::Test {

// Debian's nginx, started by a test with a configuration of its own in a temporary prefix:
// Debian's defaults (worker_processes auto, worker_connections 768, sendfile, gzip),
// listening on 127.0.0.1 only, on free ports, over http and (with TLS from a test
// certificate) https with HTTP/2. Its access log records each request's connection serial
// number and protocol. Stopped when destroyed.
class NginxServer
{
public:
    NginxServer();
    ~NginxServer();

    // nginx's path, or empty when it is not installed (the caller skips, saying so).
    static QString program();

    // Starts it; false with a reason in error() when it does not come up.
    bool start(const QByteArray &certificatePem = {}, const QByteArray &keyPem = {});
    QString error() const { return m_error; }

    // The folder served at "/".
    QString root() const;
    QByteArray httpUrl(const QByteArray &path) const;
    QByteArray httpsUrl(const QByteArray &path) const;

    // One entry per request served so far: "connection protocol status path".
    QList<QByteArray> accessLog() const;
    QByteArray errorLog() const;

private:
    QTemporaryDir m_prefix;
    QProcess m_process;
    quint16 m_httpPort = 0;
    quint16 m_httpsPort = 0;
    QString m_error;
};

} // namespace Brigade::Test
