#pragma once

#include "HttpResponseParser.h"

#include <QAbstractSocket>
#include <QObject>
#include <QString>

class QSslError;
class QTcpSocket;

namespace Brigade {

struct HttpHostPool; // HttpClient's connections to one scheme+host+port

// One keep-alive HTTP/1.1 connection of an HttpClient: a QTcpSocket (a QSslSocket for
// https) carrying one request at a time. It reports to its Owner, which owns it, and never
// touches anything after a report: the owner may run user callbacks from there.
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    class Owner
    {
    public:
        // The response of handle is complete in parser(); isReusable() tells whether the
        // connection can carry another request.
        virtual void responseFinished(HttpConnection *connection, quint64 handle) = 0;
        // The request failed; stale means a reused connection closed before any response
        // byte, which is worth one retry on a fresh connection.
        virtual void requestFailed(HttpConnection *connection, quint64 handle, ErrorKind kind,
                                   const QString &message, bool stale)
                = 0;
        // An idle connection closed or sent something unasked.
        virtual void idleConnectionLost(HttpConnection *connection) = 0;

    protected:
        ~Owner() = default;
    };

    HttpConnection(Owner *owner, HttpHostPool *pool, bool tls);
    ~HttpConnection() override;

    // Connects and sends the first request.
    void open(const QString &host, quint16 port, quint64 handle, const QByteArray &request,
              qint64 maxBytes);
    // Sends a request on an idle, connected connection.
    void send(quint64 handle, const QByteArray &request, qint64 maxBytes);
    // Closes the socket and deletes the connection, later if it is inside one of its slots.
    void dispose();

    bool isUsable() const;
    bool isReusable() const { return m_reusable; }
    quint64 handle() const { return m_handle; }
    HttpHostPool *pool() const { return m_pool; }
    HttpResponseParser &parser() { return m_parser; }

    qint64 idleSince = 0; // the client's clock, while idle

private:
    void onReadyRead();
    void onError(QAbstractSocket::SocketError error);
    void onDisconnected();
    void onSslErrors(const QList<QSslError> &errors);
    bool readAvailable();
    void onEof();
    void completeResponse();
    void fail(ErrorKind kind, const QString &message, bool stale);
    QString describeSocketError() const;

    Owner *m_owner;
    HttpHostPool *m_pool;
    QTcpSocket *m_socket = nullptr;
    quint64 m_handle = 0; // the request in progress, 0 while idle
    int m_depth = 0;      // slots of this connection on the stack
    int m_served = 0;     // responses completed
    bool m_tls;
    bool m_closed = false;
    bool m_reusable = false;
    bool m_leftover = false; // bytes beyond the response: the stream is out of step
    QString m_peer;          // host:port for messages
    QString m_sslErrors;     // certificate problems, for the handshake failure message
    HttpResponseParser m_parser;
};

} // namespace Brigade
