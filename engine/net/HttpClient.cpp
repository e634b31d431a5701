#include "HttpClient.h"

#include "HttpConnection.h"
#include "HttpResponseParser.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <deque>
#include <vector>

namespace Brigade {

// The connections of one HttpClient to one scheme+host+port.
struct HttpHostPool
{
    QByteArray key;        // "scheme://authority", as the URLs spell it
    QString host;          // to connect to
    QByteArray hostHeader; // the authority
    quint16 port = 0;
    bool tls = false;
    int open = 0;                       // connections, idle or busy
    std::vector<HttpConnection *> idle; // most recently used last
    std::deque<quint64> waiting;        // requests beyond the per-host cap, maybe aborted
};

namespace {

// Idle connections unused this long are closed; servers drop them anyway.
constexpr qint64 IdleTimeoutMs = 30000;
constexpr int SweepIntervalMs = 5000;
// Finished request records kept for reuse.
constexpr size_t MaxFreeRequests = 1024;

template<qsizetype N>
bool startsWithNoCase(QByteArrayView s, const char (&lowerPrefix)[N])
{
    if (s.size() < N - 1)
        return false;
    for (qsizetype i = 0; i < N - 1; ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c + ('a' - 'A'));
        if (c != lowerPrefix[i])
            return false;
    }
    return true;
}

template<qsizetype N>
bool equalsNoCase(QByteArrayView s, const char (&lower)[N])
{
    return s.size() == N - 1 && startsWithNoCase(s, lower);
}

struct ParsedUrl
{
    bool tls = false;
    quint16 port = 0;
    QByteArrayView key;       // scheme://authority
    QByteArrayView authority; // host[:port]
    QByteArrayView host;      // without brackets
    qsizetype targetStart = 0;
    qsizetype targetEnd = 0; // before any fragment
};

bool parseUrl(QByteArrayView url, ParsedUrl *out, QString *error)
{
    qsizetype pos = 0;
    if (startsWithNoCase(url, "http://")) {
        out->tls = false;
        out->port = 80;
        pos = 7;
    } else if (startsWithNoCase(url, "https://")) {
        out->tls = true;
        out->port = 443;
        pos = 8;
    } else {
        *error = QStringLiteral("unsupported URL (http and https only): %1")
                         .arg(QString::fromUtf8(url.first(qMin<qsizetype>(url.size(), 200))));
        return false;
    }
    for (char c : url) {
        if (uchar(c) <= 0x20 || c == 0x7f) {
            *error = QStringLiteral("URL contains spaces or control characters");
            return false;
        }
    }
    qsizetype end = pos;
    while (end < url.size() && url[end] != '/' && url[end] != '?' && url[end] != '#')
        ++end;
    const QByteArrayView authority = url.sliced(pos, end - pos);
    if (authority.contains('@')) {
        *error = QStringLiteral("user info in URLs is not supported");
        return false;
    }
    QByteArrayView host = authority;
    QByteArrayView port;
    if (authority.startsWith('[')) {
        const qsizetype close = authority.indexOf(']');
        if (close < 0 || (close + 1 < authority.size() && authority[close + 1] != ':')) {
            *error = QStringLiteral("bad IPv6 address in URL");
            return false;
        }
        host = authority.sliced(1, close - 1);
        if (close + 1 < authority.size())
            port = authority.sliced(close + 2);
    } else if (const qsizetype colon = authority.lastIndexOf(':'); colon >= 0) {
        host = authority.first(colon);
        port = authority.sliced(colon + 1);
    }
    if (host.isEmpty()) {
        *error = QStringLiteral("URL has no host");
        return false;
    }
    if (!port.isEmpty()) {
        int value = 0;
        for (char c : port) {
            if (c < '0' || c > '9' || (value = value * 10 + (c - '0')) > 65535) {
                value = 0;
                break;
            }
        }
        if (value == 0) {
            *error = QStringLiteral("bad port in URL");
            return false;
        }
        out->port = quint16(value);
    }
    out->key = url.first(end);
    out->authority = authority;
    out->host = host;
    out->targetStart = end;
    const qsizetype hash = url.indexOf('#', end);
    out->targetEnd = hash < 0 ? url.size() : hash;
    return true;
}

bool validHeaders(const QList<QPair<QByteArray, QByteArray>> &headers, QString *error)
{
    for (const auto &h : headers) {
        bool ok = !h.first.isEmpty();
        for (char c : h.first)
            ok = ok && uchar(c) > 0x20 && c != ':' && c != 0x7f;
        for (char c : h.second)
            ok = ok && c != '\r' && c != '\n' && c != '\0';
        if (!ok) {
            *error = QStringLiteral("bad request header: %1").arg(QString::fromUtf8(h.first));
            return false;
        }
    }
    return true;
}

} // namespace

struct HttpClient::Private final : HttpConnection::Owner
{
    struct Request
    {
        quint64 handle = 0;
        Callback done;
        QByteArray url;
        QList<QPair<QByteArray, QByteArray>> headers;
        qsizetype targetStart = 0;
        qsizetype targetEnd = 0;
        qint64 maxBytes = 0;
        int maxRedirects = 0;
        int redirectsLeft = 0;
        HttpHostPool *pool = nullptr;
        HttpConnection *conn = nullptr; // while on a connection
        bool staleRetried = false;
        HttpResponse deferred; // a result waiting for its queued delivery
    };

    explicit Private(HttpClient *q)
        : q(q)
    {
        clock.start();
        QObject::connect(&sweepTimer, &QTimer::timeout, q, [this] { sweep(); });
    }

    ~Private()
    {
        sweepTimer.stop();
        for (Request *r : std::as_const(requests)) {
            if (r->conn)
                r->conn->dispose();
            delete r;
        }
        for (HttpHostPool *p : std::as_const(pools)) {
            for (HttpConnection *c : p->idle)
                c->dispose();
            delete p;
        }
        for (Request *r : freeRequests)
            delete r;
    }

    Request *newRequest()
    {
        if (freeRequests.empty())
            return new Request;
        Request *r = freeRequests.back();
        freeRequests.pop_back();
        return r;
    }

    void recycle(Request *r)
    {
        if (freeRequests.size() >= MaxFreeRequests) {
            delete r;
            return;
        }
        r->done = nullptr;
        r->url = QByteArray();
        r->headers = {};
        r->pool = nullptr;
        r->conn = nullptr;
        r->staleRetried = false;
        r->deferred = HttpResponse();
        freeRequests.push_back(r);
    }

    bool setUrl(Request *r, const QByteArray &url, QString *error)
    {
        ParsedUrl parsed;
        if (!parseUrl(url, &parsed, error))
            return false;
        r->url = url;
        r->targetStart = parsed.targetStart;
        r->targetEnd = parsed.targetEnd;
        r->pool = poolFor(parsed);
        return true;
    }

    HttpHostPool *poolFor(const ParsedUrl &u)
    {
        // Workers mostly hit one host: compare before building a key.
        if (lastPool && QByteArrayView(lastPool->key) == u.key)
            return lastPool;
        const QByteArray key = u.key.toByteArray();
        HttpHostPool *&p = pools[key];
        if (!p) {
            p = new HttpHostPool;
            p->key = key;
            p->host = QString::fromUtf8(u.host);
            p->hostHeader = u.authority.toByteArray();
            p->port = u.port;
            p->tls = u.tls;
        }
        lastPool = p;
        return p;
    }

    void buildRequest(const Request *r)
    {
        out.resize(0);
        out.append("GET ");
        const QByteArrayView target
                = QByteArrayView(r->url).sliced(r->targetStart, r->targetEnd - r->targetStart);
        if (target.isEmpty() || target[0] != '/')
            out.append('/');
        out.append(target);
        out.append(" HTTP/1.1\r\nHost: ");
        out.append(r->pool->hostHeader);
        out.append("\r\n");
        bool userAgent = false;
        bool acceptEncoding = false;
        for (const auto &h : r->headers) {
            userAgent |= equalsNoCase(h.first, "user-agent");
            acceptEncoding |= equalsNoCase(h.first, "accept-encoding");
        }
        if (!userAgent)
            out.append("User-Agent: Brigade/0.1\r\n");
        if (!acceptEncoding)
            out.append("Accept-Encoding: identity\r\n");
        out.append("Connection: keep-alive\r\n");
        for (const auto &h : r->headers) {
            out.append(h.first);
            out.append(": ");
            out.append(h.second);
            out.append("\r\n");
        }
        out.append("\r\n");
    }

    void dispatch(Request *r, bool fresh = false)
    {
        HttpHostPool *p = r->pool;
        if (!fresh) {
            while (!p->idle.empty()) {
                HttpConnection *c = p->idle.back();
                p->idle.pop_back();
                --idleCount;
                if (c->isUsable()) {
                    startOn(c, r);
                    return;
                }
                closeConnection(c);
            }
        }
        if (maxPerHost > 0 && p->open >= maxPerHost) {
            p->waiting.push_back(r->handle);
            return;
        }
        openFor(p, r);
    }

    void startOn(HttpConnection *c, Request *r)
    {
        r->conn = c;
        buildRequest(r);
        c->send(r->handle, out, r->maxBytes);
    }

    void openFor(HttpHostPool *p, Request *r)
    {
        ++p->open;
        auto *c = new HttpConnection(this, p, p->tls);
        r->conn = c;
        buildRequest(r);
        // A connect can fail before open() returns: defer that callback (see deliver()).
        ++syncDepth;
        c->open(p->host, p->port, r->handle, out, r->maxBytes);
        --syncDepth;
    }

    void closeConnection(HttpConnection *c)
    {
        --c->pool()->open;
        c->dispose();
    }

    // Hands a kept-alive connection to a waiting request, or parks it.
    void release(HttpConnection *c)
    {
        HttpHostPool *p = c->pool();
        if (!c->isReusable()) {
            closeConnection(c);
            serveWaiting(p);
            return;
        }
        while (!p->waiting.empty()) {
            Request *w = requests.value(p->waiting.front());
            p->waiting.pop_front();
            if (w) {
                startOn(c, w);
                return;
            }
        }
        c->idleSince = clock.elapsed();
        p->idle.push_back(c);
        ++idleCount;
        if (!sweepTimer.isActive())
            sweepTimer.start(SweepIntervalMs);
    }

    // Opens connections for waiting requests while the cap allows.
    void serveWaiting(HttpHostPool *p)
    {
        while (!p->waiting.empty() && (maxPerHost <= 0 || p->open < maxPerHost)) {
            Request *w = requests.value(p->waiting.front());
            p->waiting.pop_front();
            if (w)
                openFor(p, w);
        }
    }

    void responseFinished(HttpConnection *c, quint64 handle) override
    {
        Request *r = requests.value(handle);
        HttpResponseParser &parser = c->parser();
        if (!r) {
            release(c);
            return;
        }
        r->conn = nullptr;
        if (parser.isRedirect()) {
            const QByteArray location = parser.location();
            release(c);
            followRedirect(r, location);
            return;
        }
        HttpResponse response;
        response.status = parser.status();
        response.body = parser.takeBody();
        if (response.status < 200 || response.status > 299) {
            response.error = ErrorKind::HttpStatus;
            response.message = QStringLiteral("HTTP %1").arg(response.status);
            if (response.status == 429 || response.status == 503) {
                response.retryAfterMs = HttpResponseParser::parseRetryAfterMs(
                        parser.retryAfter(), QDateTime::currentDateTimeUtc());
            }
        }
        release(c);
        deliver(r, std::move(response));
    }

    void requestFailed(HttpConnection *c, quint64 handle, ErrorKind kind, const QString &message,
                       bool stale) override
    {
        Request *r = requests.value(handle);
        HttpHostPool *p = c->pool();
        const int status = c->parser().status();
        closeConnection(c);
        if (r) {
            r->conn = nullptr;
            if (stale && !r->staleRetried) {
                // The server dropped a kept-alive connection as we used it: once more, anew.
                r->staleRetried = true;
                dispatch(r, true);
                r = nullptr;
            }
        }
        serveWaiting(p);
        if (r)
            fail(r, kind, message, status);
    }

    void idleConnectionLost(HttpConnection *c) override
    {
        auto &idle = c->pool()->idle;
        const auto it = std::find(idle.begin(), idle.end(), c);
        if (it != idle.end()) {
            idle.erase(it);
            --idleCount;
        }
        closeConnection(c);
    }

    void followRedirect(Request *r, const QByteArray &location)
    {
        if (r->redirectsLeft <= 0) {
            fail(r, ErrorKind::Network,
                 QStringLiteral("too many redirects (more than %1)").arg(r->maxRedirects));
            return;
        }
        --r->redirectsLeft;
        const QUrl target = QUrl::fromEncoded(r->url).resolved(QUrl::fromEncoded(location));
        const QByteArray next = target.toEncoded(QUrl::RemoveFragment);
        HttpHostPool *before = r->pool;
        QString error;
        if (!target.isValid() || !setUrl(r, next, &error)) {
            fail(r, ErrorKind::Network,
                 QStringLiteral("bad redirect to %1").arg(QString::fromUtf8(location)));
            return;
        }
        if (r->pool != before) {
            // Credentials meant for one host must not follow a redirect to another.
            r->headers.removeIf([](const QPair<QByteArray, QByteArray> &h) {
                return equalsNoCase(h.first, "authorization") || equalsNoCase(h.first, "cookie");
            });
        }
        r->staleRetried = false;
        dispatch(r);
    }

    void fail(Request *r, ErrorKind kind, const QString &message, int status = 0)
    {
        HttpResponse response;
        response.error = kind;
        response.status = status;
        response.message = message;
        deliver(r, std::move(response));
    }

    // Ends a request. Called last by every path, since the callback may do anything,
    // including deleting the client.
    void deliver(Request *r, HttpResponse &&response)
    {
        if (syncDepth > 0) {
            // Inside get() or a connect: the caller must not be called back from there.
            r->deferred = std::move(response);
            QMetaObject::invokeMethod(
                    q, [this, handle = r->handle] { deliverDeferred(handle); },
                    Qt::QueuedConnection);
            return;
        }
        Callback done = std::move(r->done);
        requests.remove(r->handle);
        recycle(r);
        if (done)
            done(std::move(response));
    }

    void deliverDeferred(quint64 handle)
    {
        Request *r = requests.value(handle);
        if (!r)
            return; // aborted meanwhile
        HttpResponse response = std::move(r->deferred);
        deliver(r, std::move(response));
    }

    void sweep()
    {
        const qint64 cutoff = clock.elapsed() - IdleTimeoutMs;
        for (auto it = pools.begin(); it != pools.end();) {
            HttpHostPool *p = it.value();
            auto &idle = p->idle;
            const auto stale = std::find_if(idle.begin(), idle.end(), [cutoff](HttpConnection *c) {
                return c->idleSince > cutoff;
            });
            const std::vector<HttpConnection *> expired(idle.begin(), stale);
            idle.erase(idle.begin(), stale);
            idleCount -= int(expired.size());
            for (HttpConnection *c : expired)
                closeConnection(c);
            if (p->open == 0 && p->waiting.empty()) {
                if (lastPool == p)
                    lastPool = nullptr;
                delete p;
                it = pools.erase(it);
            } else {
                ++it;
            }
        }
        if (idleCount == 0)
            sweepTimer.stop();
    }

    HttpClient *q;
    QHash<quint64, Request *> requests;
    std::vector<Request *> freeRequests;
    QHash<QByteArray, HttpHostPool *> pools;
    HttpHostPool *lastPool = nullptr;
    quint64 nextHandle = 1;
    int maxPerHost = 0;
    int idleCount = 0;
    int syncDepth = 0; // > 0 while a callback must not run synchronously
    QByteArray out;    // the request being written; reused
    QElapsedTimer clock;
    QTimer sweepTimer;
};

HttpClient::HttpClient(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this))
{}

HttpClient::~HttpClient() = default;

quint64 HttpClient::get(const HttpRequest &request, Callback done)
{
    Private::Request *r = d->newRequest();
    const quint64 handle = d->nextHandle++;
    r->handle = handle;
    r->done = std::move(done);
    r->headers = request.headers;
    r->maxBytes = request.maxBytes;
    r->maxRedirects = r->redirectsLeft = qMax(0, request.maxRedirects);
    d->requests.insert(handle, r);

    ++d->syncDepth;
    QString error;
    if (!d->setUrl(r, request.url, &error) || !validHeaders(r->headers, &error))
        d->fail(r, ErrorKind::BadInput, error);
    else
        d->dispatch(r);
    --d->syncDepth;
    return handle;
}

void HttpClient::abort(quint64 handle)
{
    Private::Request *r = d->requests.take(handle);
    if (!r)
        return;
    if (HttpConnection *c = r->conn) {
        // Mid-request: the connection's state is unknown, so it goes too.
        HttpHostPool *p = c->pool();
        d->closeConnection(c);
        d->recycle(r);
        d->serveWaiting(p);
        return;
    }
    // A waiting request stays in its pool's queue and is skipped there.
    d->recycle(r);
}

void HttpClient::setMaxConnectionsPerHost(int max)
{
    d->maxPerHost = qMax(0, max);
    for (HttpHostPool *p : std::as_const(d->pools))
        d->serveWaiting(p);
}

int HttpClient::activeRequests() const
{
    return int(d->requests.size());
}

int HttpClient::idleConnections() const
{
    return d->idleCount;
}

} // namespace Brigade
