#include "HttpConnection.h"

#include <QTcpSocket>
#if QT_CONFIG(ssl)
#include <QSslError>
#include <QSslSocket>
#endif

namespace Brigade {

namespace {

// Counts the connection's slots on the stack, so dispose() knows to delete later.
class DepthGuard
{
public:
    explicit DepthGuard(int &depth)
        : m_depth(depth)
    {
        ++m_depth;
    }
    ~DepthGuard() { --m_depth; }
    DepthGuard(const DepthGuard &) = delete;
    DepthGuard &operator=(const DepthGuard &) = delete;

private:
    int &m_depth;
};

// Headers and small bodies pass through this; the parser copies what it keeps, so one
// buffer per thread serves every connection (thousands of them would not fit otherwise).
constexpr qint64 ScratchSize = 16 * 1024;
thread_local char scratch[ScratchSize];

} // namespace

HttpConnection::HttpConnection(Owner *owner, HttpHostPool *pool, bool tls)
    : m_owner(owner)
    , m_pool(pool)
    , m_tls(tls)
{}

HttpConnection::~HttpConnection() = default;

void HttpConnection::open(const QString &host, quint16 port, quint64 handle,
                          const QByteArray &request, qint64 maxBytes)
{
    m_handle = handle;
    m_parser.reset(maxBytes);
    m_peer = host + QLatin1Char(':') + QString::number(port);
    // A connect may fail at once and report from in here.
    DepthGuard guard(m_depth);
#if QT_CONFIG(ssl)
    QSslSocket *ssl = nullptr;
    if (m_tls) {
        ssl = new QSslSocket(this);
        connect(ssl, &QSslSocket::sslErrors, this, &HttpConnection::onSslErrors);
        m_socket = ssl;
    } else {
        m_socket = new QTcpSocket(this);
    }
#else
    m_socket = new QTcpSocket(this);
    if (m_tls) {
        fail(ErrorKind::Network, QStringLiteral("TLS is not available"), false);
        return;
    }
#endif
    connect(m_socket, &QIODevice::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &HttpConnection::onError);
    connect(m_socket, &QAbstractSocket::disconnected, this, &HttpConnection::onDisconnected);
#if QT_CONFIG(ssl)
    if (ssl)
        ssl->connectToHostEncrypted(host, port);
    else
#endif
        m_socket->connectToHost(host, port);
    if (m_closed)
        return;
    // The socket keeps it until the connection (and TLS handshake) is up.
    m_socket->write(request);
}

void HttpConnection::send(quint64 handle, const QByteArray &request, qint64 maxBytes)
{
    m_handle = handle;
    m_reusable = false;
    m_leftover = false;
    m_parser.reset(maxBytes);
    m_socket->write(request);
}

void HttpConnection::dispose()
{
    if (m_closed)
        return;
    m_closed = true;
    m_handle = 0;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
    if (m_depth > 0)
        deleteLater();
    else
        delete this;
}

bool HttpConnection::isUsable() const
{
    return !m_closed && m_socket->state() == QAbstractSocket::ConnectedState
           && m_socket->bytesAvailable() == 0;
}

void HttpConnection::onReadyRead()
{
    DepthGuard guard(m_depth);
    if (m_closed)
        return;
    if (m_handle == 0) {
        m_owner->idleConnectionLost(this); // nothing was asked
        return;
    }
    readAvailable();
}

// Returns true once it has reported the request's end to the owner.
bool HttpConnection::readAvailable()
{
    for (;;) {
        const qint64 room = m_parser.directRoom();
        if (room > 0) {
            // Inside body data: read straight into the body.
            const qint64 available = m_socket->bytesAvailable();
            if (available <= 0)
                return false;
            const qint64 n = qMin(available, room);
            const qint64 got = m_socket->read(m_parser.directBuffer(n), n);
            m_parser.directCommit(got);
            if (got <= 0)
                return false;
        } else {
            const qint64 got = m_socket->read(scratch, ScratchSize);
            if (got <= 0)
                return false;
            if (m_parser.feed(scratch, got) < got)
                m_leftover = true;
        }
        if (m_parser.isDone() || m_parser.hasFailed()) {
            completeResponse();
            return true;
        }
    }
}

void HttpConnection::completeResponse()
{
    if (m_parser.hasFailed()) {
        fail(m_parser.error(), m_parser.errorMessage(), false);
        return;
    }
    const quint64 handle = m_handle;
    m_handle = 0;
    ++m_served;
    m_reusable = m_parser.keepAlive() && !m_leftover && m_socket->bytesAvailable() == 0
                 && m_socket->state() == QAbstractSocket::ConnectedState;
    m_owner->responseFinished(this, handle);
}

void HttpConnection::fail(ErrorKind kind, const QString &message, bool stale)
{
    const quint64 handle = m_handle;
    m_handle = 0;
    m_reusable = false;
    m_owner->requestFailed(this, handle, kind, message, stale);
}

void HttpConnection::onError(QAbstractSocket::SocketError error)
{
    DepthGuard guard(m_depth);
    if (m_closed)
        return;
    if (m_handle == 0) {
        m_owner->idleConnectionLost(this);
        return;
    }
    if (error == QAbstractSocket::RemoteHostClosedError) {
        onEof();
        return;
    }
    // A reused connection that fails before any answer most likely timed out at the server.
    const bool stale = m_served > 0 && !m_parser.receivedAnything();
    fail(ErrorKind::Network, describeSocketError(), stale);
}

void HttpConnection::onDisconnected()
{
    DepthGuard guard(m_depth);
    if (m_closed)
        return;
    if (m_handle == 0) {
        m_owner->idleConnectionLost(this);
        return;
    }
    onEof();
}

void HttpConnection::onEof()
{
    if (m_socket->bytesAvailable() > 0 && readAvailable())
        return;
    m_parser.finishAtEof();
    if (m_parser.isDone()) {
        completeResponse(); // a read-until-close body
        return;
    }
    const bool stale = m_served > 0 && !m_parser.receivedAnything();
    fail(m_parser.error(), m_parser.errorMessage(), stale);
}

void HttpConnection::onSslErrors(const QList<QSslError> &errors)
{
#if QT_CONFIG(ssl)
    // Not ignored: the handshake fails next, and its message says why.
    for (const QSslError &e : errors) {
        if (!m_sslErrors.isEmpty())
            m_sslErrors += QLatin1String("; ");
        m_sslErrors += e.errorString();
    }
#else
    Q_UNUSED(errors);
#endif
}

QString HttpConnection::describeSocketError() const
{
    if (m_socket->error() == QAbstractSocket::SslHandshakeFailedError) {
        return QStringLiteral("TLS handshake with %1 failed: %2")
                .arg(m_peer, m_sslErrors.isEmpty() ? m_socket->errorString() : m_sslErrors);
    }
    return m_peer + QLatin1String(": ") + m_socket->errorString();
}

} // namespace Brigade
