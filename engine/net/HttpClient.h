#pragma once

#include "core/TaskSpec.h"
#include "core/TaskState.h"

#include <QByteArray>
#include <QObject>

#include <functional>
#include <memory>

namespace Brigade {

struct HttpRequest
{
    QByteArray url;     // http:// or https://, as Url::parse normalised it
    HeaderList headers; // as HeaderCheck accepts them; a Host header replaces the default
    qint64 maxBytes = 64 * 1024 * 1024; // a larger (decoded) body fails with TooLarge
    int maxRedirects = -1;              // -1: DefaultMaxRedirects
    HttpMethod method = HttpMethod::Get;
    QByteArray body;  // POST/PUT
    QString bodyFile; // POST/PUT: this file, streamed (instead of body)
    QByteArray user;  // basic authentication, sent to the URL's host only
    QByteArray password;
    bool netrc = false; // credentials from netrcFile (empty: ~/.netrc)
    QString netrcFile;
    bool decompress = true; // Accept-Encoding: what libcurl decodes; the body is decoded
    HttpVersion httpVersion = HttpVersion::Default;
    QByteArray unsetVariable; // a credential's variable was not set: fails with BadInput
};

struct HttpResponse
{
    ErrorKind error = ErrorKind::None; // None, Network, Timeout, Tls, Protocol, HttpStatus,
                                       // TooLarge, BadInput
    int status = 0;                    // 0 when no response was received
    QByteArray body;                   // dropped when TooLarge
    qint64 bytes = 0;                  // body bytes received, also when the body was dropped
    quint32 retryAfterMs = 0;          // Retry-After of a 429/503 (seconds or HTTP date)
    QString message;                   // readable error, empty on success
};

// How an HttpClient treats servers; the same for all its requests.
struct HttpClientOptions
{
    // Connections to one host (scheme, name, port) at most; requests beyond wait for one.
    // HTTP/2 carries many requests on each. 0: no cap.
    int maxHostConnections = 0;
    // Open connections in all; 0: half the soft file-descriptor limit (at most 16,384).
    int maxTotalConnections = 0;
    HttpVersion httpVersion = HttpVersion::Default; // Http1: never HTTP/2
    bool insecure = false;                          // no TLS certificate or host name checks
    QByteArray caCertificates; // PEM certificates to trust instead of the system's
    QByteArray proxy;          // empty: http_proxy, https_proxy, no_proxy as libcurl reads them
    quint32 connectTimeoutMs = 30000;
    // A transfer slower than 1 byte/s for this long (waiting for the response included)
    // fails as a timeout; 0: never.
    quint32 lowSpeedTimeS = 60;
};

// The worker's asynchronous HTTP client: libcurl's multi interface driven by the calling
// thread's Qt event loop (libcurl's sockets in one epoll descriptor behind one
// QSocketNotifier, a QTimer per multi handle; no thread of its own). Keep-alive connections
// are shared by all requests, HTTP/2 is multiplexed where a server offers it, redirects
// are followed (http and https only; credentials stay with the first host), bodies are
// decoded (gzip, deflate, br, zstd) and streamed into the response with maxBytes enforced
// as data arrives. Requests beyond a host's connections wait in the client, holding no
// libcurl handle; handles are pooled, so a request allocates little beyond its body.
//
// Lives in one thread; callbacks run in that thread, never from inside send().
class HttpClient : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultMaxRedirects = 10;
    using Callback = std::function<void(HttpResponse &&)>;

    explicit HttpClient(QObject *parent = nullptr);
    ~HttpClient() override;

    // For requests sent from now on.
    void setOptions(const HttpClientOptions &options);
    const HttpClientOptions &options() const;
    void setMaxConnectionsPerHost(int max); // options().maxHostConnections

    // Starts a request. done is called exactly once, unless abort() is called first. A
    // status outside 2xx is reported with error HttpStatus (the body is still read).
    quint64 send(const HttpRequest &request, Callback done);

    // Stops a request; its callback will not be called. A connection with a response
    // still owed on it is closed.
    void abort(quint64 handle);

    // What a request in progress has received so far: its status (0 before the response's
    // headers) and body bytes. Zeros for an unknown handle.
    struct Progress
    {
        int status = 0;
        qint64 bytes = 0;
    };
    Progress progress(quint64 handle) const;

    int activeRequests() const;
    int openConnections() const; // sockets open, busy or idle

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Brigade
