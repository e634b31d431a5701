#include "TestHttpServer.h"

#include <QDateTime>
#include <QHostAddress>
#include <QLocale>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace Brigade::Test {

namespace {

struct Query
{
    QHash<QByteArray, QByteArray> values;

    explicit Query(const QByteArray &query)
    {
        for (const QByteArray &pair : query.split('&')) {
            const qsizetype eq = pair.indexOf('=');
            if (eq < 0)
                values.insert(QByteArray::fromPercentEncoding(pair), {});
            else
                values.insert(QByteArray::fromPercentEncoding(pair.left(eq)),
                              QByteArray::fromPercentEncoding(pair.mid(eq + 1)));
        }
    }
    QByteArray text(const char *key) const { return values.value(key); }
    int number(const char *key, int fallback = 0) const
    {
        bool ok = false;
        const int v = values.value(key).toInt(&ok);
        return ok ? v : fallback;
    }
    bool has(const char *key) const { return values.contains(key); }
};

QByteArray reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 404:
        return "Not Found";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

// For std::push_heap/pop_heap: the earliest (due, seq) on top.
template<typename T>
bool heapAfter(const T &a, const T &b)
{
    return a.due != b.due ? a.due > b.due : a.seq > b.seq;
}

} // namespace

TestHttpServer::TestHttpServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    m_clock.start();
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &TestHttpServer::runDue);
    connect(m_server, &QTcpServer::newConnection, this, &TestHttpServer::onNewConnection);
}

TestHttpServer::~TestHttpServer()
{
    for (Connection *c : std::as_const(m_connections)) {
        c->socket->disconnect(this);
        c->socket->abort();
        delete c->socket;
        delete c;
    }
}

bool TestHttpServer::listen(const QHostAddress &address)
{
    // Thousands of clients connect at once: a short backlog would drop their SYNs.
    m_server->setListenBacklogSize(4096);
    m_server->setMaxPendingConnections(1 << 20);
    return m_server->listen(address, 0);
}

quint16 TestHttpServer::port() const
{
    return m_server->serverPort();
}

QByteArray TestHttpServer::baseUrl() const
{
    return "http://" + m_server->serverAddress().toString().toLatin1() + ':'
           + QByteArray::number(port());
}

QByteArray TestHttpServer::url(const QByteArray &pathAndQuery) const
{
    return baseUrl() + pathAndQuery;
}

void TestHttpServer::closeIdleConnections()
{
    const QList<Connection *> all = m_connections.values();
    for (Connection *c : all) {
        if (!c->busy)
            c->socket->disconnectFromHost();
    }
}

void TestHttpServer::resetCounters()
{
    m_hits.clear();
    m_limited.clear();
    m_requestCount = 0;
    m_connectionCount = 0;
    m_peakInFlight = m_inFlight;
}

int TestHttpServer::mostInWindow(QVector<qint64> times, qint64 windowMs)
{
    std::sort(times.begin(), times.end());
    int most = 0;
    qsizetype first = 0;
    for (qsizetype i = 0; i < times.size(); ++i) {
        while (times[i] - times[first] >= windowMs)
            ++first;
        most = std::max(most, int(i - first + 1));
    }
    return most;
}

QByteArray TestHttpServer::body(int bytes, int seed)
{
    QByteArray out;
    out.reserve(bytes + 8);
    quint32 x = quint32(seed) * 2654435761u + 12345u;
    while (out.size() < bytes) {
        x = x * 1664525u + 1013904223u;
        out += 'w';
        out += QByteArray::number((x >> 16) % 50);
        out += ' ';
    }
    out.truncate(bytes);
    return out;
}

void TestHttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *c = new Connection;
        c->id = ++m_nextId;
        c->socket = socket;
        m_connections.insert(c->id, c);
        ++m_connectionCount;
        const quint64 id = c->id;
        connect(socket, &QIODevice::readyRead, this, [this, id] { onReadable(id); });
        connect(socket, &QAbstractSocket::disconnected, this, [this, id] { onClosed(id); });
        connect(socket, &QIODevice::bytesWritten, this, [this, id] { onBytesWritten(id); });
    }
}

void TestHttpServer::onReadable(quint64 id)
{
    Connection *c = m_connections.value(id);
    if (!c)
        return;
    c->in += c->socket->readAll();
    processRequests(*c);
}

void TestHttpServer::processRequests(Connection &c)
{
    const quint64 id = c.id;
    while (!c.busy) {
        const qsizetype end = c.in.indexOf("\r\n\r\n");
        if (end < 0) {
            if (c.in.size() > 1024 * 1024)
                closeConnection(c, false);
            return;
        }
        // A request body (POST, PUT) comes with a Content-Length.
        qint64 bodyLength = 0;
        const QByteArray lowerHead = c.in.left(end).toLower();
        if (const qsizetype at = lowerHead.indexOf("\r\ncontent-length:"); at >= 0) {
            const qsizetype eol = lowerHead.indexOf("\r\n", at + 2);
            bodyLength
                    = lowerHead.mid(at + 17, eol < 0 ? -1 : eol - at - 17).trimmed().toLongLong();
        }
        if (c.in.size() < end + 4 + bodyLength)
            return;
        const QByteArray head = c.in.left(end + 4);
        m_lastBody = c.in.mid(end + 4, bodyLength);
        c.in.remove(0, end + 4 + bodyLength);
        handleRequest(c, head);
        if (!m_connections.contains(id))
            return; // closed while answering
    }
}

void TestHttpServer::handleRequest(Connection &c, const QByteArray &head)
{
    ++m_requestCount;
    m_lastHead = head;
    const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
    const QByteArray target = requestLine.value(1);
    const QByteArray lower = head.toLower();
    c.closeAfter
            = lower.contains("\r\nconnection: close")
              || (requestLine.value(2) == "HTTP/1.0" && !lower.contains("connection: keep-alive"));
    m_hits[target] += 1;

    if (m_dropReused && c.served > 0) {
        closeConnection(c, false);
        return;
    }
    c.busy = true;
    m_peakInFlight = std::max(m_peakInFlight, ++m_inFlight);

    const qsizetype q = target.indexOf('?');
    const QByteArray path = q < 0 ? target : target.left(q);
    const Query query(q < 0 ? QByteArray() : target.mid(q + 1));

    if (path == "/delay") {
        const int bytes = query.number("bytes");
        const int seed = query.number("seed");
        const int status = query.number("status", 200);
        schedule(query.number("ms"), c.id, [this, bytes, seed, status](Connection &c) {
            respond(c, status, body(bytes, seed));
        });
    } else if (path == "/status") {
        const int code = query.number("code", 200);
        QByteArray extra;
        if (query.has("retry_after"))
            extra = "Retry-After: " + query.text("retry_after") + "\r\n";
        if (query.has("retry_after_date")) {
            const QDateTime at
                    = QDateTime::currentDateTimeUtc().addSecs(query.number("retry_after_date"));
            extra = "Retry-After: "
                    + QLocale::c()
                              .toString(at, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                              .toLatin1()
                    + "\r\n";
        }
        respond(c, code, code == 204 ? QByteArray() : "status " + QByteArray::number(code), extra);
    } else if (path == "/flaky") {
        const QByteArray key = query.text("key");
        const int n = ++m_flaky[key];
        if (n <= query.number("fails"))
            respond(c, 503, "flaky " + key);
        else
            respond(c, 200, "ok " + key);
    } else if (path == "/limited") {
        const QByteArray client = query.text("client");
        const double rate = std::max(1, query.number("rate", 1));
        const double burst = std::max(1, query.number("burst", 1));
        Limited &l = m_limited[client];
        const qint64 now = m_clock.elapsed();
        l.tokens = l.tokens < 0 ? burst
                                : std::min(burst, l.tokens + double(now - l.atMs) * rate / 1000.0);
        l.atMs = now;
        if (l.tokens >= 1.0) {
            l.tokens -= 1.0;
            l.accepted.append(now);
            schedule(query.number("ms"), c.id,
                     [this, client](Connection &c) { respond(c, 200, "ok " + client); });
        } else {
            ++l.rejected;
            respond(c, 429, "slow down", "Retry-After: 1\r\n");
        }
    } else if (path == "/maybe") {
        if (m_failing)
            respond(c, 500, "failing");
        else
            respond(c, 200, "ok " + query.text("key"));
    } else if (path == "/reset") {
        closeConnection(c, true);
    } else if (path == "/hang") {
        // Never answers; the request stays in flight until the client goes.
    } else if (path == "/announce") {
        // A length announced, a few bytes sent, then silence: the request stays in flight.
        c.socket->write("HTTP/1.1 200 OK\r\nContent-Length: " + query.text("length") + "\r\n\r\n"
                        + QByteArray(query.number("bytes"), 'x'));
    } else if (path == "/slow") {
        startSlow(c, query.number("bytes"), std::max(1, query.number("chunk", 1)),
                  query.number("interval_ms", 100));
    } else if (path == "/truncate") {
        const int bytes = query.number("bytes");
        c.socket->write("HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(bytes)
                        + "\r\n\r\n" + QByteArray(bytes / 2, 'x'));
        closeConnection(c, false);
    } else if (path == "/chunked") {
        const QByteArray data = body(query.number("bytes"), query.number("seed"));
        const int chunk = std::max(1, query.number("chunk", 1000));
        QByteArray out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (qsizetype pos = 0; pos < data.size(); pos += chunk) {
            const QByteArray piece = data.mid(pos, chunk);
            out += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
        }
        out += "0\r\n\r\n";
        c.socket->write(out);
        finishResponse(c);
    } else if (path == "/close") {
        c.socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
                        + body(query.number("bytes"), query.number("seed")));
        closeConnection(c, false);
    } else if (path == "/redirect") {
        const int n = query.number("n");
        if (n <= 0) {
            respond(c, 200, "done");
        } else {
            QByteArray location = "/redirect?n=" + QByteArray::number(n - 1);
            if (query.has("abs"))
                location = baseUrl() + location + "&abs=1";
            respond(c, 302, "moved", "Location: " + location + "\r\n");
        }
    } else if (path == "/redirect-loop") {
        c.closeAfter = true; // so /fault's loops leave no kept-alive connection behind
        respond(c, 302, "moved", "Location: /redirect-loop\r\n");
    } else if (path == "/big") {
        startStream(c, query.text("bytes").toLongLong(), query.number("chunked") != 0);
    } else if (path == "/fault") {
        const QByteArray key = query.text("key");
        const QByteArray plan = query.text("plan").isEmpty() ? "o" : query.text("plan");
        const int n = m_faultSteps.value(key);
        // Every attempt on a fresh connection: libcurl asks again, unseen, when a kept-alive
        // connection dies under a request, which would take a step from the plan.
        c.closeAfter = true;
        handleFault(c, key, plan.at(std::min<qsizetype>(n, plan.size() - 1)),
                    query.text("max").toLongLong(), query.text("over").toLongLong());
    } else if (path == "/echo") {
        respond(c, 200, head + m_lastBody);
    } else {
        respond(c, 404, "not found");
    }
}

void TestHttpServer::handleFault(Connection &c, const QByteArray &key, char step, qint64 max,
                                 qint64 over)
{
    ++m_faultSteps[key];
    switch (step) {
    case '5':
        respond(c, 500, "fault " + key);
        return;
    case 'r':
        closeConnection(c, true);
        return;
    case 'h':
        return; // stays in flight until the client gives up
    case 's':
        // 64 s: past every test's timeout, the 16 s of a ThreadSanitizer build's included
        // (a body that ended within it would make a timeout a success).
        startSlow(c, 256 * 1024, 1024, 250);
        return;
    case 'w':
        startSlow(c, 4096, 1024, 20);
        return;
    case 't':
        c.socket->write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + QByteArray(500, 'x'));
        closeConnection(c, false);
        return;
    case 'm':
        startStream(c, max, false);
        return;
    case 'b':
        startStream(c, over, false);
        return;
    case 'c':
        startStream(c, over, true);
        return;
    case 'l':
        respond(c, 302, "moved", "Location: /redirect-loop\r\n");
        return;
    default:
        respond(c, 200, "ok " + key);
        return;
    }
}

void TestHttpServer::startSlow(Connection &c, int bytes, int chunk, int interval)
{
    c.socket->write("HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(bytes)
                    + (c.closeAfter ? "\r\nConnection: close" : "") + "\r\n\r\n");
    const QByteArray data = body(bytes, 0);
    schedule(interval, c.id, [this, data, chunk, interval](Connection &c) {
        slowStep(c, data, 0, chunk, interval);
    });
}

void TestHttpServer::startStream(Connection &c, qint64 bytes, bool chunked)
{
    QByteArray head = "HTTP/1.1 200 OK\r\n";
    head += chunked ? QByteArray("Transfer-Encoding: chunked\r\n")
                    : "Content-Length: " + QByteArray::number(bytes) + "\r\n";
    if (c.closeAfter)
        head += "Connection: close\r\n";
    c.socket->write(head + "\r\n");
    c.streamLeft = std::max<qint64>(0, bytes);
    c.streamChunked = chunked;
    pumpStream(c);
}

// Writes while the socket's buffer is short, and again as it drains (onBytesWritten), so
// a slow or vanished reader never makes the server hold the whole body.
void TestHttpServer::pumpStream(Connection &c)
{
    static const QByteArray piece(64 * 1024, 'x');
    while (c.streamLeft > 0 && c.socket->bytesToWrite() < 4 * piece.size()) {
        const qint64 n = std::min<qint64>(c.streamLeft, piece.size());
        const QByteArray data = n == piece.size() ? piece : piece.left(n);
        if (c.streamChunked)
            c.socket->write(QByteArray::number(n, 16) + "\r\n" + data + "\r\n");
        else
            c.socket->write(data);
        c.streamLeft -= n;
        m_streamedBytes += n;
    }
    if (c.streamLeft > 0)
        return;
    if (c.streamChunked)
        c.socket->write("0\r\n\r\n");
    c.streamChunked = false;
    finishResponse(c);
}

void TestHttpServer::onBytesWritten(quint64 id)
{
    Connection *c = m_connections.value(id);
    if (!c || c->streamLeft <= 0)
        return;
    pumpStream(*c);
    if (m_connections.contains(id) && !c->busy)
        processRequests(*c);
}

void TestHttpServer::respond(Connection &c, int status, const QByteArray &body,
                             const QByteArray &extraHeaders)
{
    QByteArray out;
    out.reserve(body.size() + 128 + extraHeaders.size());
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason(status) + "\r\n";
    if (status != 204)
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += extraHeaders;
    if (c.closeAfter)
        out += "Connection: close\r\n";
    out += "\r\n";
    out += body;
    c.socket->write(out);
    finishResponse(c);
}

void TestHttpServer::finishResponse(Connection &c)
{
    c.busy = false;
    --m_inFlight;
    ++c.served;
    if (c.closeAfter)
        closeConnection(c, false);
}

void TestHttpServer::slowStep(Connection &c, const QByteArray &data, qsizetype offset, int chunk,
                              int interval)
{
    c.socket->write(data.mid(offset, chunk));
    offset += chunk;
    if (offset >= data.size()) {
        finishResponse(c);
        return;
    }
    schedule(interval, c.id, [this, data, offset, chunk, interval](Connection &c) {
        slowStep(c, data, offset, chunk, interval);
    });
}

void TestHttpServer::closeConnection(Connection &c, bool reset)
{
    m_connections.remove(c.id);
    if (c.busy)
        --m_inFlight;
    QTcpSocket *socket = c.socket;
    socket->disconnect(this);
    if (reset) {
#ifdef Q_OS_UNIX
        // Linger 0: close() sends a reset instead of a FIN.
        linger l{1, 0};
        ::setsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &l, sizeof l);
#endif
        socket->abort();
    } else {
        // Sends what is written, then a FIN.
        socket->disconnectFromHost();
    }
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
    else
        connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    delete &c;
}

void TestHttpServer::onClosed(quint64 id)
{
    Connection *c = m_connections.take(id);
    if (!c)
        return;
    if (c->busy)
        --m_inFlight;
    c->socket->disconnect(this);
    c->socket->deleteLater();
    delete c;
}

void TestHttpServer::schedule(qint64 delayMs, quint64 connection, Action action)
{
    m_heap.push_back(Timed{m_clock.elapsed() + std::max<qint64>(0, delayMs), m_nextSeq++,
                           connection, std::move(action)});
    std::push_heap(m_heap.begin(), m_heap.end(), heapAfter<Timed>);
    armTimer();
}

void TestHttpServer::runDue()
{
    m_timerDue = -1;
    const qint64 now = m_clock.elapsed();
    while (!m_heap.empty() && m_heap.front().due <= now) {
        std::pop_heap(m_heap.begin(), m_heap.end(), heapAfter<Timed>);
        Timed t = std::move(m_heap.back());
        m_heap.pop_back();
        Connection *c = m_connections.value(t.connection);
        if (!c)
            continue; // the client went away
        t.action(*c);
        if (m_connections.contains(t.connection) && !c->busy)
            processRequests(*c);
    }
    armTimer();
}

void TestHttpServer::armTimer()
{
    if (m_heap.empty()) {
        m_timer.stop();
        m_timerDue = -1;
        return;
    }
    const qint64 due = m_heap.front().due;
    if (m_timer.isActive() && m_timerDue == due)
        return;
    m_timerDue = due;
    m_timer.start(int(std::max<qint64>(0, due - m_clock.elapsed())));
}

} // namespace Brigade::Test
