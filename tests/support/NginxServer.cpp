#include "NginxServer.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace Brigade::Test {

namespace {

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

} // namespace

NginxServer::NginxServer() = default;

NginxServer::~NginxServer()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate(); // fast shutdown of the master and its workers
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
}

QString NginxServer::program()
{
    const QStringList where{QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin")};
    return QStandardPaths::findExecutable(QStringLiteral("nginx"), where);
}

QString NginxServer::root() const
{
    return m_prefix.filePath(QStringLiteral("www"));
}

QByteArray NginxServer::httpUrl(const QByteArray &path) const
{
    return "http://127.0.0.1:" + QByteArray::number(m_httpPort) + path;
}

QByteArray NginxServer::httpsUrl(const QByteArray &path) const
{
    return "https://127.0.0.1:" + QByteArray::number(m_httpsPort) + path;
}

bool NginxServer::start(const QByteArray &certificatePem, const QByteArray &keyPem)
{
    const QString nginx = program();
    if (nginx.isEmpty() || !m_prefix.isValid()) {
        m_error = QStringLiteral("nginx is not installed (apt-get install nginx-light)");
        return false;
    }
    // Readable by nginx's workers, which run as nobody when the test runs as root.
    QFile::setPermissions(m_prefix.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                                   | QFileDevice::ExeOwner | QFileDevice::ReadOther
                                                   | QFileDevice::ExeOther | QFileDevice::ReadGroup
                                                   | QFileDevice::ExeGroup);
    QDir(m_prefix.path()).mkpath(QStringLiteral("www"));
    QDir(m_prefix.path()).mkpath(QStringLiteral("temp"));
    m_httpPort = freePort();
    m_httpsPort = freePort();
    QByteArray tls;
    if (!certificatePem.isEmpty()) {
        writeFile(m_prefix.filePath(QStringLiteral("cert.pem")), certificatePem);
        writeFile(m_prefix.filePath(QStringLiteral("key.pem")), keyPem);
        tls = "    server {\n"
              "        listen 127.0.0.1:"
              + QByteArray::number(m_httpsPort)
              + " ssl http2;\n"
                "        ssl_certificate cert.pem;\n"
                "        ssl_certificate_key key.pem;\n"
                "        root www;\n"
                "    }\n";
    }
    // Debian 12's /etc/nginx/nginx.conf, minus what needs the system's folders.
    const QByteArray config = "worker_processes auto;\n"
                              "pid nginx.pid;\n"
                              "error_log error.log;\n"
                              "daemon off;\n"
                              "events {\n"
                              "    worker_connections 768;\n"
                              "}\n"
                              "http {\n"
                              "    sendfile on;\n"
                              "    tcp_nopush on;\n"
                              "    types_hash_max_size 2048;\n"
                              "    include /etc/nginx/mime.types;\n"
                              "    default_type application/octet-stream;\n"
                              "    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n"
                              "    ssl_prefer_server_ciphers on;\n"
                              "    log_format brigade '$connection $server_protocol $status "
                              "$request_uri $msec $request_time';\n"
                              "    access_log access.log brigade;\n"
                              "    gzip on;\n"
                              "    client_body_temp_path temp/body;\n"
                              "    proxy_temp_path temp/proxy;\n"
                              "    fastcgi_temp_path temp/fastcgi;\n"
                              "    uwsgi_temp_path temp/uwsgi;\n"
                              "    scgi_temp_path temp/scgi;\n"
                              "    server {\n"
                              "        listen 127.0.0.1:"
                              + QByteArray::number(m_httpPort)
                              + ";\n"
                                "        root www;\n"
                                "    }\n"
                              + tls + "}\n";
    writeFile(m_prefix.filePath(QStringLiteral("nginx.conf")), config);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(nginx, {QStringLiteral("-p"), m_prefix.path() + QLatin1Char('/'),
                            QStringLiteral("-c"), QStringLiteral("nginx.conf"),
                            QStringLiteral("-e"), QStringLiteral("error.log")});
    if (!m_process.waitForStarted(10000)) {
        m_error = QStringLiteral("nginx did not start: %1").arg(m_process.errorString());
        return false;
    }
    // Up when it accepts a connection; a bounded wait, not a sleep.
    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (m_process.state() == QProcess::NotRunning)
            break;
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_httpPort);
        if (probe.waitForConnected(200))
            return true;
        m_process.waitForFinished(50);
    }
    m_error = QStringLiteral("nginx did not come up: %1 %2")
                      .arg(QString::fromLocal8Bit(m_process.readAll()),
                           QString::fromLocal8Bit(errorLog()));
    return false;
}

QList<QByteArray> NginxServer::accessLog() const
{
    QFile f(m_prefix.filePath(QStringLiteral("access.log")));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = f.readAll().split('\n');
    lines.removeAll(QByteArray());
    return lines;
}

QByteArray NginxServer::errorLog() const
{
    QFile f(m_prefix.filePath(QStringLiteral("error.log")));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace Brigade::Test
