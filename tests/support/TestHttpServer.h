#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QTimer>
#include <QVector>

#include <functional>
#include <vector>

class QTcpServer;
class QTcpSocket;

namespace Brigade::Test {

// A local HTTP/1.1 server on 127.0.0.1 for tests: keep-alive, thousands of concurrent
// connections, served from the thread it lives in (the test's, which runs while a test
// waits in QSignalSpy::wait or QTRY_*). Delays share one timer over a min-heap.
//
// Endpoints (query parameters):
//   /delay?ms=M&bytes=B&seed=S&status=C  after M ms, body(B, S) with status C (200)
//   /status?code=C&retry_after=S         status C, Retry-After: S when given;
//          &retry_after_date=S           ... or Retry-After as the HTTP date S seconds ahead
//   /flaky?key=K&fails=N                 503 for the first N requests of K, then 200 "ok K"
//   /maybe?key=K                         500 while setFailing(true), else 200 "ok K"
//   /limited?client=K&rate=R&burst=B&ms=M  a per-client rate limit: a token bucket per K
//                                        (R a second, B at once; B defaults to 1); within
//                                        it, 200 "ok K" after M ms; above it, 429 with
//                                        Retry-After: 1 at once. Counted per K.
//   /reset                               closes the connection with a reset, no answer
//   /hang                                never answers
//   /announce?length=L&bytes=B           Content-Length L, B bytes, then silence
//   /slow?bytes=B&chunk=C&interval_ms=I  Content-Length B, then C bytes of body(B, 0) every I ms
//   /truncate?bytes=B                    Content-Length B, B/2 bytes, then closes
//   /chunked?bytes=B&seed=S&chunk=C      body(B, S) in chunks of C (1000) bytes
//   /close?bytes=B&seed=S                body(B, S) without a length, ended by closing
//   /redirect?n=N&abs=1                  302 to /redirect?n=N-1 (an absolute URL with abs=1),
//                                        200 "done" at n=0
//   /redirect-loop                       302 to itself, closing the connection
//   /big?bytes=B&chunked=1               B bytes of 'x', streamed as the client reads (so
//                                        hundreds of MB cost the server no memory), with a
//                                        Content-Length or, with chunked=1, chunked
//   /fault?key=K&plan=P&max=M&over=O     the n-th request of K (counted per K on the server,
//                                        since the client does not say which attempt it is)
//                                        gets the fault P[n] (P's last step once P runs out):
//       o  200 "ok K"                       5  500
//       r  a connection reset (see below)   h  never answers
//       s  a slow body: 256 KiB, 1 KiB every 250 ms (64 s)
//       w  a slow body within reason: 4 KiB, 1 KiB every 20 ms
//       t  Content-Length 1000, 500 bytes, then closes
//       m  M bytes of 'x' (200)             b  Content-Length O, streamed
//       c  O bytes of 'x', chunked          l  302 to /redirect-loop
//     Every answer closes its connection, so each attempt comes on a fresh one: a client
//     retries unseen when a kept-alive connection dies under a request, which would take
//     a step. Every step served is counted (faultSteps()).
//   /echo                                the request head, then its body, as the body
//   anything else                        404
class TestHttpServer : public QObject
{
    Q_OBJECT
public:
    explicit TestHttpServer(QObject *parent = nullptr);
    ~TestHttpServer() override;

    // 127.0.0.1 unless a test needs another host to reach it (only ever a test's own
    // network, such as tests/remote's namespace).
    bool listen(const QHostAddress &address = QHostAddress(QHostAddress::LocalHost));
    quint16 port() const;
    QByteArray baseUrl() const; // "http://127.0.0.1:PORT"
    QByteArray url(const QByteArray &pathAndQuery) const;

    int requestCount() const { return m_requestCount; }
    int connectionCount() const { return m_connectionCount; } // accepted so far
    int openConnections() const { return int(m_connections.size()); }
    int inFlight() const { return m_inFlight; } // requests read, not yet fully answered
    int peakInFlight() const { return m_peakInFlight; }
    int hits(const QByteArray &pathAndQuery) const { return m_hits.value(pathAndQuery); }
    // Steps of /fault?key=K served so far, and the bytes of body streamed by /big and /fault.
    int faultSteps(const QByteArray &key) const { return m_faultSteps.value(key); }
    qint64 streamedBytes() const { return m_streamedBytes; }
    const QHash<QByteArray, int> &allHits() const { return m_hits; }
    // /limited: when each request of client K within the limit arrived (ms on the
    // server's clock), and how many were refused with 429.
    QVector<qint64> limitedAccepted(const QByteArray &client) const
    {
        return m_limited.value(client).accepted;
    }
    int limitedRejected(const QByteArray &client) const { return m_limited.value(client).rejected; }
    QByteArray lastRequestHead() const { return m_lastHead; }
    QByteArray lastRequestBody() const { return m_lastBody; }

    void setFailing(bool failing) { m_failing = failing; }
    // Closes, unanswered, any request that arrives on a connection that has answered one
    // before: a server dropping a kept-alive connection just as the client reuses it.
    void setDropReusedConnections(bool drop) { m_dropReused = drop; }
    // Closes every connection that is not answering a request.
    void closeIdleConnections();
    void resetCounters();

    // The most of times (ms, any order) that fall within any window of windowMs: what a
    // rate limit is checked against.
    static int mostInWindow(QVector<qint64> times, qint64 windowMs);
    // The deterministic body of /delay, /chunked and /close: "w12 w7 w40 ..." cut at bytes.
    static QByteArray body(int bytes, int seed);

private:
    struct Connection
    {
        quint64 id = 0;
        QTcpSocket *socket = nullptr;
        QByteArray in;
        int served = 0;
        bool busy = false;       // a request is being answered
        bool closeAfter = false; // the client asked for Connection: close
        qint64 streamLeft = 0;   // body bytes still to stream (/big, /fault)
        bool streamChunked = false;
    };
    using Action = std::function<void(Connection &)>;
    struct Timed
    {
        qint64 due;
        quint64 seq;
        quint64 connection;
        Action action;
    };

    void onNewConnection();
    void onReadable(quint64 id);
    void processRequests(Connection &c);
    void handleRequest(Connection &c, const QByteArray &head);
    void respond(Connection &c, int status, const QByteArray &body,
                 const QByteArray &extraHeaders = {});
    void finishResponse(Connection &c);
    void slowStep(Connection &c, const QByteArray &data, qsizetype offset, int chunk, int interval);
    void startSlow(Connection &c, int bytes, int chunk, int interval);
    void handleFault(Connection &c, const QByteArray &key, char step, qint64 max, qint64 over);
    void startStream(Connection &c, qint64 bytes, bool chunked);
    void pumpStream(Connection &c);
    void onBytesWritten(quint64 id);
    void closeConnection(Connection &c, bool reset);
    void onClosed(quint64 id);
    void schedule(qint64 delayMs, quint64 connection, Action action);
    void runDue();
    void armTimer();

    QTcpServer *m_server;
    QHash<quint64, Connection *> m_connections;
    quint64 m_nextId = 0;
    quint64 m_nextSeq = 0;
    std::vector<Timed> m_heap; // min-heap on (due, seq)
    QTimer m_timer;
    qint64 m_timerDue = -1;
    QElapsedTimer m_clock;
    QHash<QByteArray, int> m_hits;
    QHash<QByteArray, int> m_flaky;
    QHash<QByteArray, int> m_faultSteps;
    struct Limited
    {
        double tokens = -1; // -1: a full bucket on first use
        qint64 atMs = 0;
        QVector<qint64> accepted;
        int rejected = 0;
    };
    QHash<QByteArray, Limited> m_limited;
    qint64 m_streamedBytes = 0;
    QByteArray m_lastHead;
    QByteArray m_lastBody;
    int m_requestCount = 0;
    int m_connectionCount = 0;
    int m_inFlight = 0;
    int m_peakInFlight = 0;
    bool m_failing = false;
    bool m_dropReused = false;
};

} // namespace Brigade::Test
