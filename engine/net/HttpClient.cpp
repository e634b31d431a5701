#include "HttpClient.h"

#include "FetchErrors.h"
#include "HeaderCheck.h"
#include "Url.h"

#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <QSet>
#include <QSocketNotifier>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <curl/curl.h>
#include <deque>
#include <fcntl.h>
#include <limits>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

Q_LOGGING_CATEGORY(lcHttp, "brigade.http")

namespace Brigade {

namespace {

// Request records (each with its libcurl handle) kept for reuse after a burst.
constexpr size_t MaxPooledTransfers = 1024;
// At most this much is reserved ahead of a body from its Content-Length: a server may
// announce 67 MB and then send nothing.
constexpr qint64 MaxReserveBytes = 256 * 1024;
// Descriptors kept free of connections for the worker's pipes, files and libcurl's own.
constexpr rlim_t ReservedDescriptors = 64;
// Requests libcurl carries at once on one HTTP/2 connection (its default).
constexpr int StreamsPerConnection = 100;
// HTTP/1.1 connections per libcurl multi handle. Finding a connection to reuse scans all
// of a host's connections in the handle, for every request: with 5,000 to one host that
// was most of a worker's CPU (W3, 10,000 fetches, cap lifted). Past this many a client
// opens another multi handle.
constexpr int ShardConnections = 256;

template<qsizetype N>
bool startsWithNoCase(QByteArrayView s, const char (&lowerPrefix)[N])
{
    return s.size() >= N - 1 && HeaderCheck::equalsNoCase(s.first(N - 1), lowerPrefix);
}

// An unsigned decimal header value, or -1.
qint64 decimalValue(QByteArrayView v)
{
    v = v.trimmed();
    if (v.isEmpty() || v.size() > 18)
        return -1;
    qint64 n = 0;
    for (char c : v) {
        if (c < '0' || c > '9')
            return -1;
        n = n * 10 + (c - '0');
    }
    return n;
}

// Busy connections at most, so that they and the idle ones each multi handle keeps (up to
// ShardConnections) stay below the soft descriptor limit.
int defaultTotalConnections()
{
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return 16384;
    const rlim_t usable = rl.rlim_cur > 2 * ReservedDescriptors ? rl.rlim_cur - ReservedDescriptors
                                                                : rl.rlim_cur / 2;
    rlim_t busy = usable / 2;
    if (busy > rlim_t(ShardConnections))
        busy -= ShardConnections / 2; // the last multi handle's idle ones
    return int(std::clamp<rlim_t>(busy, 8, 16384));
}

void initCurlOnce()
{
    static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        qCCritical(lcHttp) << "libcurl failed to initialise:" << curl_easy_strerror(rc);
}

} // namespace

struct HttpClient::Private
{
    struct Host;
    struct Shard;

    // One request and its libcurl handle; pooled with the handle.
    struct Transfer
    {
        Private *d = nullptr;
        CURL *easy = nullptr;
        quint64 handle = 0;
        Host *host = nullptr;        // whose share of connections it uses, until released
        Shard *shard = nullptr;      // the multi handle it was added to
        bool takesConnection = true; // cannot share a connection (HTTP/1.1)
        Callback done;
        QByteArray body;
        qint64 maxBytes = 0;
        qint64 received = 0;
        bool head = false;
        bool decompress = true;
        bool followRedirects = true;
        bool plain = true;   // only the options every request sets are on the handle
        int generation = -1; // of the client options the handle was configured with
        bool acceptEncodingSet = false;
        // The response being received (redirects and 1xx start a new one).
        qint64 contentLength = -1;
        bool contentEncoded = false;
        bool location = false;
        bool headersComplete = false; // of a final (not 1xx) response
        // A failure decided here rather than by libcurl.
        ErrorKind ownError = ErrorKind::None;
        QString ownMessage;
        // The request body: upload (in memory) or uploadFd (a file), uploadSize bytes.
        QByteArray upload;
        int uploadFd = -1;
        qint64 uploadSize = 0;
        qint64 uploadOffset = 0;
        curl_slist *headerList = nullptr;
        char errorBuffer[CURL_ERROR_SIZE];
    };

    // A request waiting for its host's share of connections.
    struct Queued
    {
        quint64 handle;
        HttpRequest request;
        Callback done;
    };

    // Requests to one scheme, host and port. libcurl would queue transfers beyond its
    // connection caps itself, but a waiting transfer holds a handle and its buffers, and
    // removing one scans its whole list of waiting transfers: with thousands waiting that
    // cost more than the requests (half the worker's CPU against nginx). So only as many
    // as the connections can carry are handed to libcurl; the rest wait here.
    struct Host
    {
        QByteArray key; // scheme://host:port
        int active = 0; // transfers handed to libcurl
        bool tls = false;
        bool blocked = false; // in Private::blockedHosts
        enum class Protocol : quint8 { Unknown, Http1, Http2 };
        Protocol protocol = Protocol::Unknown; // of its latest response
        Shard *h2Shard = nullptr; // where its multiplexed requests go, to share connections
        std::deque<Queued> queue;
    };

    // One libcurl multi handle with its own connections and timer.
    struct Shard
    {
        Private *d = nullptr;
        int index = 0;
        CURLM *multi = nullptr;
        QTimer *timer = nullptr;
        int connections = 0; // HTTP/1.1 transfers in it
    };

    explicit Private(HttpClient *q)
        : q(q)
    {
        initCurlOnce();
        share = curl_share_init();
        curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
        curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        // One descriptor in the event loop for all sockets: a QSocketNotifier per socket
        // costs Qt's glib dispatcher a list walk on every enable and disable, and every
        // dispatcher a walk over all of them on every pass of the loop; with thousands of
        // connections that outweighed the requests. epoll reports only the ready ones.
        epollFd = epoll_create1(EPOLL_CLOEXEC);
        if (epollFd < 0)
            qCCritical(lcHttp) << "epoll_create1 failed:" << strerror(errno);
        else {
            notifier = new QSocketNotifier(epollFd, QSocketNotifier::Read);
            QObject::connect(notifier, &QSocketNotifier::activated, q, [this] { onReady(); });
        }
        total = defaultTotalConnections();
    }

    ~Private()
    {
        *alive = false;
        for (Transfer *t : std::as_const(active)) {
            if (t->shard)
                curl_multi_remove_handle(t->shard->multi, t->easy);
            destroy(t);
        }
        qDeleteAll(hosts);
        for (Transfer *t : freeTransfers)
            destroy(t);
        // Inside a callback the objects that called it are still on the stack.
        const bool later = depth > 0;
        for (const auto &shard : shards) {
            shard->timer->stop();
            curl_multi_cleanup(shard->multi); // closes the kept connections
            later ? shard->timer->deleteLater() : delete shard->timer;
        }
        curl_share_cleanup(share);
        if (notifier) {
            notifier->setEnabled(false);
            later ? notifier->deleteLater() : delete notifier;
        }
        if (epollFd >= 0)
            ::close(epollFd);
    }

    Shard *newShard()
    {
        auto shard = std::make_unique<Shard>();
        shard->d = this;
        shard->index = int(shards.size());
        shard->multi = curl_multi_init();
        CURLM *m = shard->multi;
        curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, &Private::onSocket);
        curl_multi_setopt(m, CURLMOPT_SOCKETDATA, shard.get());
        curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, &Private::onTimer);
        curl_multi_setopt(m, CURLMOPT_TIMERDATA, shard.get());
        curl_multi_setopt(m, CURLMOPT_PIPELINING, long(CURLPIPE_MULTIPLEX));
        shard->timer = new QTimer;
        shard->timer->setSingleShot(true);
        shard->timer->setTimerType(Qt::PreciseTimer);
        Shard *raw = shard.get();
        QObject::connect(shard->timer, &QTimer::timeout, q, [this, raw] { onTimeout(raw); });
        shards.push_back(std::move(shard));
        applyMultiOptions(raw);
        return raw;
    }

    // HTTP/1.1 transfers fill the first multi handle with room; a host's multiplexed
    // ones stay together so they share its connections.
    Shard *shardFor(Host *host, bool http1)
    {
        if (!http1) {
            if (!host->h2Shard) {
                Shard *least = nullptr;
                for (const auto &s : shards) {
                    if (!least || s->connections < least->connections)
                        least = s.get();
                }
                host->h2Shard = least ? least : newShard();
            }
            return host->h2Shard;
        }
        for (const auto &s : shards) {
            if (s->connections < ShardConnections)
                return s.get();
        }
        return newShard();
    }

    void destroy(Transfer *t)
    {
        curl_easy_cleanup(t->easy);
        clearRequest(t);
        delete t;
    }

    void applyMultiOptions(Shard *shard)
    {
        total = options.maxTotalConnections > 0 ? options.maxTotalConnections
                                                : defaultTotalConnections();
        // HTTP/1.1 connections are counted here (Host, connectionsTaken); libcurl's caps
        // bound the HTTP/2 ones and the idle ones it keeps.
        curl_multi_setopt(shard->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                          long(qMax(0, options.maxHostConnections)));
        curl_multi_setopt(shard->multi, CURLMOPT_MAXCONNECTS, long(qMin(total, ShardConnections)));
    }

    // The options every request of this client shares; after curl_easy_reset too.
    void configure(Transfer *t)
    {
        CURL *e = t->easy;
        curl_easy_setopt(e, CURLOPT_PRIVATE, t);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        // Each transfer in progress holds one receive buffer: 8 KiB instead of libcurl's
        // 16 took a worker with 5,000 in flight (W3, 10,000 fetches) from 159 to 119 MB,
        // at no CPU cost measurable on 64 MB bodies.
        curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 8192L);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errorBuffer);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Private::onWrite);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Private::onHeader);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Private::onOpenSocket);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, this);
        curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &Private::onCloseSocket);
        curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
        curl_easy_setopt(e, CURLOPT_SHARE, share);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "Brigade/" BRIGADE_VERSION);
        curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L); // wait for a connection that multiplexes
        curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, long(options.connectTimeoutMs));
        if (options.lowSpeedTimeS > 0) {
            curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
            curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, long(options.lowSpeedTimeS));
        }
        if (options.insecure) {
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (!options.caCertificates.isEmpty()) {
            curl_blob blob{const_cast<char *>(options.caCertificates.constData()),
                           size_t(options.caCertificates.size()), CURL_BLOB_NOCOPY};
            curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
        } else {
            // libcurl has its own defaults; OpenSSL's variables name the user's choice.
            if (!caFile.isEmpty())
                curl_easy_setopt(e, CURLOPT_CAINFO, caFile.constData());
            if (!caPath.isEmpty())
                curl_easy_setopt(e, CURLOPT_CAPATH, caPath.constData());
        }
        if (!options.proxy.isEmpty())
            curl_easy_setopt(e, CURLOPT_PROXY, options.proxy.constData());
        t->generation = generation;
        t->plain = true;
        t->acceptEncodingSet = false;
    }

    Transfer *acquire()
    {
        Transfer *t;
        if (freeTransfers.empty()) {
            t = new Transfer;
            t->d = this;
            t->easy = curl_easy_init();
            if (!t->easy) {
                delete t;
                return nullptr;
            }
            configure(t);
        } else {
            t = freeTransfers.back();
            freeTransfers.pop_back();
            if (!t->plain || t->generation != generation) {
                curl_easy_reset(t->easy);
                configure(t);
            }
        }
        t->errorBuffer[0] = 0;
        return t;
    }

    // Lets go of what one request held; the handle keeps its options.
    void clearRequest(Transfer *t)
    {
        t->done = nullptr;
        t->body = QByteArray();
        t->upload = QByteArray();
        t->received = 0;
        t->ownError = ErrorKind::None;
        t->ownMessage.clear();
        t->contentLength = -1;
        t->contentEncoded = false;
        t->location = false;
        t->headersComplete = false;
        if (t->uploadFd >= 0)
            ::close(t->uploadFd);
        t->uploadFd = -1;
        t->uploadSize = t->uploadOffset = 0;
        if (t->headerList)
            curl_slist_free_all(t->headerList);
        t->headerList = nullptr;
    }

    void release(Transfer *t)
    {
        if (t->shard) {
            curl_multi_remove_handle(t->shard->multi, t->easy);
            if (t->takesConnection)
                --t->shard->connections;
            t->shard = nullptr;
        }
        Host *host = t->host;
        if (host) {
            --host->active;
            if (t->takesConnection)
                --connectionsTaken;
            t->host = nullptr;
        }
        clearRequest(t);
        if (freeTransfers.size() >= MaxPooledTransfers)
            destroy(t);
        else
            freeTransfers.push_back(t);
        if (host)
            startWaiting(host);
    }

    Host *hostFor(const Url &url)
    {
        const QByteArray key = url.origin();
        if (lastHost && lastHost->key == key)
            return lastHost;
        Host *&h = hosts[key];
        if (!h) {
            h = new Host;
            h->key = key;
            h->tls = url.scheme() == Url::Scheme::Https;
        }
        lastHost = h;
        return h;
    }

    // Whether a request shares a connection with others: only once the host has answered
    // over HTTP/2. Until then it counts as a connection of its own, so an https server that
    // turns out to speak HTTP/1.1 gets no more requests at once than it has connections.
    bool multiplexes(const Host *host, HttpVersion v) const
    {
        return host->protocol == Host::Protocol::Http2
               && curlVersion(v, host->tls) != CURL_HTTP_VERSION_1_1;
    }

    // Whether a request may come to share a connection: then it goes where the host's other
    // such requests are.
    bool mayMultiplex(const Host *host, HttpVersion v) const
    {
        return host->protocol != Host::Protocol::Http1
               && curlVersion(v, host->tls) != CURL_HTTP_VERSION_1_1;
    }

    // Whether one more request to host may go to libcurl now; false when it must wait for
    // the host's cap (or, for HTTP/1.1, for a connection under the total cap: then the host
    // is remembered to be served when one frees).
    bool mayStart(Host *host, bool takesConnection)
    {
        const int perHost = options.maxHostConnections > 0
                                    ? options.maxHostConnections
                                              * (takesConnection ? 1 : StreamsPerConnection)
                                    : std::numeric_limits<int>::max();
        if (host->active >= perHost)
            return false;
        if (takesConnection && connectionsTaken >= total) {
            if (!host->blocked) {
                host->blocked = true;
                blockedHosts.push_back(host);
            }
            return false;
        }
        return true;
    }

    // Fails a request that never reaches libcurl, from the event loop (never inside send()).
    void rejectLater(quint64 handle, Callback &&done, const QString &message)
    {
        Transfer *t = acquire();
        if (!t)
            return;
        t->handle = handle;
        t->done = std::move(done);
        active.insert(handle, t);
        failLater(t, message);
    }

    void start(quint64 handle, const HttpRequest &request, Callback &&done, Host *host)
    {
        Transfer *t = acquire();
        if (!t) {
            // No libcurl handle: report it like any failure, later.
            QMetaObject::invokeMethod(
                    q,
                    [done = std::move(done)] {
                        HttpResponse r;
                        r.error = ErrorKind::Network;
                        r.message = QStringLiteral("out of memory for a new request");
                        done(std::move(r));
                    },
                    Qt::QueuedConnection);
            return;
        }
        t->handle = handle;
        t->done = std::move(done);
        t->host = host;
        t->takesConnection = !multiplexes(host, request.httpVersion);
        ++host->active;
        if (t->takesConnection)
            ++connectionsTaken;
        active.insert(handle, t);
        const QString problem = prepare(t, request, host->tls);
        if (!problem.isEmpty()) {
            failLater(t, problem);
            return;
        }
        Shard *shard = shardFor(host, !mayMultiplex(host, request.httpVersion));
        // Starts on the next pass of the event loop (libcurl asks for a 0 ms timeout).
        const CURLMcode rc = curl_multi_add_handle(shard->multi, t->easy);
        if (rc != CURLM_OK) {
            failLater(t, QString::fromUtf8(curl_multi_strerror(rc)));
            return;
        }
        t->shard = shard;
        if (t->takesConnection)
            ++shard->connections;
    }

    // Hands waiting requests to libcurl while the caps allow: host's own first, then those
    // of hosts that waited for a connection under the total cap.
    void startWaiting(Host *host)
    {
        startQueued(host);
        while (!blockedHosts.empty() && connectionsTaken < total) {
            Host *h = blockedHosts.front();
            blockedHosts.pop_front();
            h->blocked = false;
            startQueued(h);
        }
        if (host->active == 0 && host->queue.empty() && !host->blocked)
            forget(host);
    }

    void startQueued(Host *host)
    {
        while (!host->queue.empty()) {
            Queued &next = host->queue.front();
            if (!queued.contains(next.handle)) { // aborted
                host->queue.pop_front();
                continue;
            }
            if (!mayStart(host, !multiplexes(host, next.request.httpVersion)))
                return;
            Queued w = std::move(next);
            host->queue.pop_front();
            queued.remove(w.handle);
            start(w.handle, w.request, std::move(w.done), host);
        }
    }

    void forget(Host *host)
    {
        if (lastHost == host)
            lastHost = nullptr;
        hosts.remove(host->key);
        delete host;
    }

    long curlVersion(HttpVersion v, bool tls) const
    {
        if (v == HttpVersion::Default)
            v = options.httpVersion;
        switch (v) {
        case HttpVersion::Default:
            // Saying 1.1 for http matters: libcurl would otherwise hold further requests to
            // a host until its first response shows whether the connection multiplexes.
            return tls ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1;
        case HttpVersion::Http1:
            return CURL_HTTP_VERSION_1_1;
        case HttpVersion::Http2:
            return CURL_HTTP_VERSION_2_0;
        case HttpVersion::Http2Only:
            return CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
        }
        return tls ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1;
    }

    // Sets the options of one request; an error text when it cannot be sent.
    QString prepare(Transfer *t, const HttpRequest &r, bool tls)
    {
        CURL *e = t->easy;
        curl_easy_setopt(e, CURLOPT_URL, r.url.constData());
        const int redirects = r.maxRedirects < 0 ? DefaultMaxRedirects : r.maxRedirects;
        t->followRedirects = redirects > 0;
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, long(t->followRedirects));
        curl_easy_setopt(e, CURLOPT_MAXREDIRS, long(redirects));
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, curlVersion(r.httpVersion, tls));
        if (r.decompress != t->acceptEncodingSet) {
            // "": every encoding this libcurl decodes (gzip, deflate, br, zstd).
            curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, r.decompress ? "" : nullptr);
            t->acceptEncodingSet = r.decompress;
        }
        t->decompress = r.decompress;
        t->maxBytes = r.maxBytes > 0 ? r.maxBytes : std::numeric_limits<qint64>::max();
        t->head = r.method == HttpMethod::Head;

        if (!r.unsetVariable.isEmpty())
            return QStringLiteral("the environment variable \"%1\" for a credential was not set "
                                  "when the batch was loaded")
                    .arg(QString::fromUtf8(r.unsetVariable));
        const bool hasBody = r.method == HttpMethod::Post || r.method == HttpMethod::Put;
        if (r.headers.isEmpty() && r.method == HttpMethod::Get && r.user.isEmpty()
            && r.password.isEmpty() && !r.netrc)
            return {};
        t->plain = false; // undone by curl_easy_reset when the handle is reused
        for (const auto &h : r.headers) {
            const QString problem = HeaderCheck::problem(h.first, h.second);
            if (!problem.isEmpty())
                return problem;
            // "Name;" sends an empty header; "Name:" would remove libcurl's own.
            const QByteArray line = h.first + (h.second.isEmpty() ? ";" : ": " + h.second);
            t->headerList = curl_slist_append(t->headerList, line.constData());
        }
        if (hasBody)
            t->headerList = curl_slist_append(t->headerList, "Expect:"); // no 100-continue wait
        if (t->headerList)
            curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headerList);
        if (!r.user.isEmpty() || !r.password.isEmpty()) {
            curl_easy_setopt(e, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
            curl_easy_setopt(e, CURLOPT_USERNAME, r.user.constData());
            curl_easy_setopt(e, CURLOPT_PASSWORD, r.password.constData());
        } else if (r.netrc) {
            curl_easy_setopt(e, CURLOPT_NETRC, long(CURL_NETRC_REQUIRED));
            if (!r.netrcFile.isEmpty())
                curl_easy_setopt(e, CURLOPT_NETRC_FILE, r.netrcFile.toLocal8Bit().constData());
        }
        if (t->head)
            curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        if (!hasBody)
            return {};
        if (!r.bodyFile.isEmpty()) {
            t->uploadFd = ::open(QFile::encodeName(r.bodyFile).constData(), O_RDONLY | O_CLOEXEC);
            struct stat st
            {
            };
            if (t->uploadFd < 0 || ::fstat(t->uploadFd, &st) != 0)
                return QStringLiteral("cannot read the body file %1: %2")
                        .arg(r.bodyFile, QString::fromLocal8Bit(strerror(errno)));
            if (!S_ISREG(st.st_mode))
                return QStringLiteral("cannot read the body file %1: not a file").arg(r.bodyFile);
            t->uploadSize = st.st_size;
        } else {
            t->upload = r.body;
            t->uploadSize = r.body.size();
        }
        curl_easy_setopt(e, CURLOPT_READFUNCTION, &Private::onRead);
        curl_easy_setopt(e, CURLOPT_READDATA, t);
        curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, &Private::onSeek);
        curl_easy_setopt(e, CURLOPT_SEEKDATA, t);
        if (r.method == HttpMethod::Post) {
            curl_easy_setopt(e, CURLOPT_POST, 1L);
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(t->uploadSize));
        } else {
            curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, curl_off_t(t->uploadSize));
        }
        return {};
    }

    // --- libcurl callbacks: no calls back into the multi handle from here ---

    static size_t onWrite(char *data, size_t size, size_t count, void *user)
    {
        auto *t = static_cast<Transfer *>(user);
        const auto n = qint64(size * count);
        if (n > t->maxBytes - t->received) {
            t->ownError = ErrorKind::TooLarge;
            t->ownMessage = QStringLiteral("body exceeds the limit of %1 bytes").arg(t->maxBytes);
            return 0; // aborts the transfer
        }
        t->body.append(data, n);
        t->received += n;
        return size_t(n);
    }

    static size_t onHeader(char *data, size_t size, size_t count, void *user)
    {
        auto *t = static_cast<Transfer *>(user);
        const size_t n = size * count;
        const QByteArrayView line(data, qsizetype(n));
        if (line.startsWith("HTTP/")) {
            t->contentLength = -1;
            t->contentEncoded = false;
            t->location = false;
        } else if (line == "\r\n" || line == "\n") {
            return t->d->headersDone(t) ? n : 0;
        } else if (startsWithNoCase(line, "content-length:")) {
            // RFC 9112 6.3: differing lengths are an unrecoverable error (libcurl takes
            // the last one).
            const qint64 value = decimalValue(line.sliced(15));
            if (t->contentLength >= 0 && value != t->contentLength) {
                t->ownError = ErrorKind::Protocol;
                t->ownMessage = QStringLiteral("conflicting Content-Length headers");
                return 0;
            }
            t->contentLength = value;
        } else if (startsWithNoCase(line, "content-encoding:")) {
            t->contentEncoded = !HeaderCheck::equalsNoCase(line.sliced(17).trimmed(), "identity");
        } else if (startsWithNoCase(line, "location:")) {
            t->location = true;
        }
        return n;
    }

    // The end of a response's headers: refuse an announced body over the limit before
    // waiting for it, and make room for one within it.
    bool headersDone(Transfer *t)
    {
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        t->headersComplete = status >= 200;
        if (status < 200 || t->head || t->contentLength < 0)
            return true;
        if (status < 400 && status >= 300 && t->location && t->followRedirects)
            return true; // a redirect's body is not kept
        if (t->decompress && t->contentEncoded)
            return true; // the decoded size is not announced
        if (t->contentLength > t->maxBytes) {
            t->ownError = ErrorKind::TooLarge;
            t->ownMessage = QStringLiteral("body of %1 bytes exceeds the limit of %2 bytes")
                                    .arg(t->contentLength)
                                    .arg(t->maxBytes);
            return false;
        }
        t->body.reserve(qsizetype(std::min(t->contentLength, MaxReserveBytes)));
        return true;
    }

    static size_t onRead(char *buffer, size_t size, size_t count, void *user)
    {
        auto *t = static_cast<Transfer *>(user);
        const qint64 want = std::min<qint64>(qint64(size * count), t->uploadSize - t->uploadOffset);
        if (want <= 0)
            return 0;
        if (t->uploadFd >= 0) {
            const ssize_t got = ::pread(t->uploadFd, buffer, size_t(want), off_t(t->uploadOffset));
            if (got < 0)
                return CURL_READFUNC_ABORT;
            t->uploadOffset += got;
            return size_t(got);
        }
        std::memcpy(buffer, t->upload.constData() + t->uploadOffset, size_t(want));
        t->uploadOffset += want;
        return size_t(want);
    }

    static int onSeek(void *user, curl_off_t offset, int origin)
    {
        auto *t = static_cast<Transfer *>(user);
        if (origin != SEEK_SET || offset < 0 || offset > t->uploadSize)
            return CURL_SEEKFUNC_CANTSEEK;
        t->uploadOffset = offset;
        return CURL_SEEKFUNC_OK;
    }

    static curl_socket_t onOpenSocket(void *user, curlsocktype, curl_sockaddr *address)
    {
        // Close-on-exec: a worker's child processes must not inherit its connections.
        const int fd
                = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
        if (fd < 0)
            return CURL_SOCKET_BAD;
        ++static_cast<Private *>(user)->openSockets;
        return fd;
    }

    static int onCloseSocket(void *user, curl_socket_t fd)
    {
        --static_cast<Private *>(user)->openSockets;
        return ::close(fd);
    }

    static int onSocket(CURL *, curl_socket_t fd, int what, void *user, void *watched)
    {
        auto *shard = static_cast<Shard *>(user);
        shard->d->watch(shard, fd, what, watched != nullptr);
        return 0;
    }

    static int onTimer(CURLM *, long timeoutMs, void *user)
    {
        auto *shard = static_cast<Shard *>(user);
        if (timeoutMs < 0)
            shard->timer->stop();
        else
            shard->timer->start(int(std::min<long>(timeoutMs, 24L * 3600 * 1000)));
        return 0;
    }

    // --- the event loop side ---

    void watch(Shard *shard, int fd, int what, bool watched)
    {
        if (epollFd < 0)
            return;
        if (what == CURL_POLL_REMOVE) {
            epoll_ctl(epollFd, EPOLL_CTL_DEL, fd, nullptr);
            return;
        }
        epoll_event ev{};
        ev.events = (what == CURL_POLL_IN || what == CURL_POLL_INOUT ? EPOLLIN : 0u)
                    | (what == CURL_POLL_OUT || what == CURL_POLL_INOUT ? EPOLLOUT : 0u);
        ev.data.u64 = (quint64(quint32(shard->index)) << 32) | quint32(fd);
        if (watched) {
            epoll_ctl(epollFd, EPOLL_CTL_MOD, fd, &ev);
        } else {
            // libcurl hands the pointer back with every later call for this socket.
            if (epoll_ctl(epollFd, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
                epoll_ctl(epollFd, EPOLL_CTL_MOD, fd, &ev);
            curl_multi_assign(shard->multi, fd, shard);
        }
    }

    void onReady()
    {
        const auto guard = alive;
        ++depth;
        epoll_event events[256];
        int n = 0;
        do {
            n = epoll_wait(epollFd, events, 256, 0);
            for (int i = 0; i < n; ++i) {
                const quint32 index = quint32(events[i].data.u64 >> 32);
                const int fd = int(quint32(events[i].data.u64));
                if (index >= shards.size())
                    continue;
                const quint32 e = events[i].events;
                // A socket error is handed on as readiness, as libcurl's own poll does: the
                // read or write that follows fails with the real errno ("Connection reset
                // by peer"), where CURL_CSELECT_ERR would end the transfer with a bare
                // "select/poll returned error".
                const int flags
                        = (e & (EPOLLIN | EPOLLHUP | EPOLLRDHUP | EPOLLERR) ? CURL_CSELECT_IN : 0)
                          | (e & (EPOLLOUT | EPOLLERR) ? CURL_CSELECT_OUT : 0);
                Shard *shard = shards[index].get();
                int running = 0;
                curl_multi_socket_action(shard->multi, fd, flags, &running);
                processDone(shard);
                if (!*guard)
                    return; // a callback deleted the client
            }
        } while (n == 256);
        --depth;
    }

    void onTimeout(Shard *shard)
    {
        const auto guard = alive;
        ++depth;
        int running = 0;
        curl_multi_socket_action(shard->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        processDone(shard);
        if (*guard)
            --depth;
    }

    void processDone(Shard *shard)
    {
        const auto guard = alive;
        int left = 0;
        while (CURLMsg *m = curl_multi_info_read(shard->multi, &left)) {
            if (m->msg != CURLMSG_DONE)
                continue;
            CURL *easy = m->easy_handle;
            const CURLcode code = m->data.result;
            Transfer *t = nullptr;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, &t);
            complete(t, code);
            if (!*guard)
                return; // a callback deleted the client
        }
    }

    void complete(Transfer *t, CURLcode code)
    {
        HttpResponse r;
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        if (t->host && status > 0) {
            long version = 0;
            curl_easy_getinfo(t->easy, CURLINFO_HTTP_VERSION, &version);
            // Over HTTP/2, its waiting requests go out as the streams allow (from release()).
            t->host->protocol = version == CURL_HTTP_VERSION_2_0 ? Host::Protocol::Http2
                                                                 : Host::Protocol::Http1;
        }
        r.status = int(status);
        r.bytes = t->received;
        if (code == CURLE_OK && !t->headersComplete) {
            // libcurl 7.88 takes a close right after a partial header line for the end.
            t->ownError = ErrorKind::Network;
            t->ownMessage = QStringLiteral("connection to %1 closed inside the response headers")
                                    .arg(peerOf(t));
        }
        if (t->ownError != ErrorKind::None) {
            r.error = t->ownError;
            r.message = t->ownMessage;
        } else if (code != CURLE_OK) {
            r.error = FetchErrors::kindOf(code);
            r.message = describe(t, code);
        } else {
            r.body = std::move(t->body);
            if (status < 200 || status > 299) {
                r.error = ErrorKind::HttpStatus;
                r.message = QStringLiteral("HTTP %1").arg(status);
                if (status == 429 || status == 503) {
                    curl_off_t seconds = 0;
                    if (curl_easy_getinfo(t->easy, CURLINFO_RETRY_AFTER, &seconds) == CURLE_OK
                        && seconds > 0)
                        r.retryAfterMs = quint32(std::min<curl_off_t>(seconds, 0xffffffffLL / 1000)
                                                 * 1000);
                }
            }
        }
        Callback done = std::move(t->done);
        active.remove(t->handle);
        release(t);
        if (done)
            done(std::move(r)); // last: it may do anything, even delete the client
    }

    // host:port of the transfer's last URL, with brackets around an IPv6 address.
    static QString peerOf(Transfer *t)
    {
        char *effective = nullptr;
        curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &effective);
        const Url url = Url::parse(QByteArrayView(effective ? effective : ""));
        return url.isValid() ? url.authority() : QString::fromUtf8(effective);
    }

    // A readable message naming the peer.
    QString describe(Transfer *t, CURLcode code) const
    {
        const QString peer = peerOf(t);
        const QString detail
                = QString::fromUtf8(t->errorBuffer[0] ? t->errorBuffer : curl_easy_strerror(code));
        switch (code) {
        case CURLE_COULDNT_CONNECT: {
            long osError = 0;
            curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &osError);
            return QStringLiteral("cannot connect to %1: %2")
                    .arg(peer, osError ? QString::fromLocal8Bit(strerror(int(osError))) : detail);
        }
        case CURLE_COULDNT_RESOLVE_HOST:
            return QStringLiteral("cannot resolve the host name of %1").arg(peer);
        case CURLE_GOT_NOTHING:
            return QStringLiteral("connection to %1 closed before a response").arg(peer);
        case CURLE_PARTIAL_FILE: {
            curl_off_t length = -1;
            curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
            if (length >= 0 && !(t->decompress && t->contentEncoded))
                return QStringLiteral("truncated body: got %1 of %2 bytes")
                        .arg(t->received)
                        .arg(length);
            return QStringLiteral("truncated body: got %1 bytes, then %2 closed the connection")
                    .arg(t->received)
                    .arg(peer);
        }
        case CURLE_OUT_OF_MEMORY:
            // libcurl says the same when a header line exceeds its buffer's limit.
            return QStringLiteral("%1: out of memory, or a response header line over libcurl's "
                                  "limit of 100 KiB")
                    .arg(peer);
        case CURLE_TOO_MANY_REDIRECTS: {
            long limit = 0;
            curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_COUNT, &limit);
            return QStringLiteral("too many redirects (more than %1)").arg(limit);
        }
        case CURLE_OPERATION_TIMEDOUT:
            if (std::strncmp(t->errorBuffer, "Operation too slow", 18) == 0)
                return QStringLiteral("no data from %1 for %2 s")
                        .arg(peer)
                        .arg(options.lowSpeedTimeS);
            if (std::strncmp(t->errorBuffer, "Connection timed out", 20) == 0
                || std::strncmp(t->errorBuffer, "Failed to connect", 17) == 0)
                return QStringLiteral("connecting to %1 timed out after %2 ms")
                        .arg(peer)
                        .arg(options.connectTimeoutMs);
            return QStringLiteral("%1 timed out: %2").arg(peer, detail);
        default:
            break;
        }
        switch (FetchErrors::kindOf(code)) {
        case ErrorKind::Tls:
            return QStringLiteral("TLS handshake with %1 failed: %2").arg(peer, detail);
        case ErrorKind::Protocol:
            return QStringLiteral("bad response from %1: %2").arg(peer, detail);
        default:
            return QStringLiteral("%1: %2").arg(peer, detail);
        }
    }

    void failLater(Transfer *t, const QString &message)
    {
        t->ownError = ErrorKind::BadInput;
        t->ownMessage = message;
        QMetaObject::invokeMethod(
                q,
                [this, handle = t->handle] {
                    Transfer *t = active.value(handle);
                    if (!t)
                        return; // aborted meanwhile
                    HttpResponse r;
                    r.error = t->ownError;
                    r.message = t->ownMessage;
                    Callback done = std::move(t->done);
                    active.remove(handle);
                    release(t);
                    if (done)
                        done(std::move(r));
                },
                Qt::QueuedConnection);
    }

    HttpClient *q;
    QHash<QByteArray, Host *> hosts;
    Host *lastHost = nullptr;
    std::deque<Host *> blockedHosts; // waiting for a connection under the total cap
    QSet<quint64> queued;            // handles of requests waiting in a host's queue
    int total = 16384;               // connections in all
    int connectionsTaken = 0;        // by HTTP/1.1 transfers handed to libcurl
    std::vector<std::unique_ptr<Shard>> shards;
    CURLSH *share = nullptr;
    int epollFd = -1;
    QSocketNotifier *notifier = nullptr;
    HttpClientOptions options;
    QList<QByteArray> keptCertificates; // handles may still point at earlier options' PEM
    QByteArray caFile = qgetenv("SSL_CERT_FILE");
    QByteArray caPath = qgetenv("SSL_CERT_DIR");
    int generation = 0;
    QHash<quint64, Transfer *> active;
    std::vector<Transfer *> freeTransfers;
    quint64 nextHandle = 1;
    int openSockets = 0;
    int depth = 0; // event handlers of this client on the stack
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);
};

HttpClient::HttpClient(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this))
{}

HttpClient::~HttpClient() = default;

void HttpClient::setOptions(const HttpClientOptions &options)
{
    d->keptCertificates.append(d->options.caCertificates);
    d->options = options;
    ++d->generation;
    for (const auto &shard : d->shards)
        d->applyMultiOptions(shard.get());
    d->total = options.maxTotalConnections > 0 ? options.maxTotalConnections
                                               : defaultTotalConnections();
}

const HttpClientOptions &HttpClient::options() const
{
    return d->options;
}

void HttpClient::setMaxConnectionsPerHost(int max)
{
    HttpClientOptions o = d->options;
    o.maxHostConnections = max;
    setOptions(o);
}

quint64 HttpClient::send(const HttpRequest &request, Callback done)
{
    const quint64 handle = d->nextHandle++;
    const Url url = Url::parse(request.url);
    if (!url.isValid() || !url.isHttp()) {
        d->rejectLater(handle, std::move(done),
                       url.isValid() ? QStringLiteral("unsupported URL (http and https only): %1")
                                               .arg(QString::fromUtf8(request.url.left(200)))
                                     : url.errorString());
        return handle;
    }
    Private::Host *host = d->hostFor(url);
    if (host->queue.empty() && d->mayStart(host, !d->multiplexes(host, request.httpVersion))) {
        d->start(handle, request, std::move(done), host);
    } else {
        host->queue.push_back({handle, request, std::move(done)});
        d->queued.insert(handle);
    }
    return handle;
}

void HttpClient::abort(quint64 handle)
{
    if (d->queued.remove(handle))
        return; // skipped when its turn comes
    Private::Transfer *t = d->active.take(handle);
    if (!t)
        return;
    // Removing a transfer mid-response closes its connection; a finished one's is kept.
    d->release(t);
}

HttpClient::Progress HttpClient::progress(quint64 handle) const
{
    Progress p;
    if (const Private::Transfer *t = d->active.value(handle)) {
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        p.status = int(status);
        p.bytes = t->received;
    }
    return p;
}

int HttpClient::activeRequests() const
{
    return int(d->active.size() + d->queued.size());
}

int HttpClient::openConnections() const
{
    return d->openSockets;
}

} // namespace Brigade
