#pragma once

#include "core/TaskState.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>

#include <functional>
#include <memory>

namespace Brigade {

struct HttpRequest
{
    QByteArray url; // http:// or https://, already encoded
    QList<QPair<QByteArray, QByteArray>> headers;
    qint64 maxBytes = 64 * 1024 * 1024; // a larger body fails with ErrorKind::TooLarge
    int maxRedirects = 5;
};

struct HttpResponse
{
    ErrorKind error = ErrorKind::None; // None, Network, HttpStatus, TooLarge, BadInput
    int status = 0;                    // 0 when no response was received
    QByteArray body;
    quint32 retryAfterMs = 0; // Retry-After of a 429/503 (seconds or HTTP date)
    QString message;          // readable error, empty on success
};

// A lean asynchronous HTTP/1.1 client for a worker: GET only, keep-alive connection
// pools per host:port with no per-host limit (Qt's QNetworkAccessManager opens only six
// connections per host, and a worker keeps thousands of requests to one host in flight),
// Content-Length and chunked bodies, redirects, TLS with certificate verification.
// Lives in one thread; callbacks run in that thread.
class HttpClient : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(HttpResponse &&)>;

    explicit HttpClient(QObject *parent = nullptr);
    ~HttpClient() override;

    // Starts a GET. done is called exactly once, unless abort() is called first.
    // A status outside 2xx is reported with error HttpStatus (the body is still read).
    quint64 get(const HttpRequest &request, Callback done);

    // Stops a request; its callback will not be called.
    void abort(quint64 handle);

    // 0 means unlimited (the default). Requests beyond the cap wait for a free connection.
    void setMaxConnectionsPerHost(int max);

    int activeRequests() const;
    int idleConnections() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Brigade
