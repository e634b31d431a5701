#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

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
//   /reset                               closes the connection with a reset, no answer
//   /hang                                never answers
//   /slow?bytes=B&chunk=C&interval_ms=I  Content-Length B, then C bytes of body(B, 0) every I ms
//   /truncate?bytes=B                    Content-Length B, B/2 bytes, then closes
//   /chunked?bytes=B&seed=S&chunk=C      body(B, S) in chunks of C (1000) bytes
//   /close?bytes=B&seed=S                body(B, S) without a length, ended by closing
//   /redirect?n=N&abs=1                  302 to /redirect?n=N-1 (an absolute URL with abs=1),
//                                        200 "done" at n=0
//   /redirect-loop                       302 to itself
//   /big?bytes=B                         B bytes of 'x'
//   /echo                                the request head as the body
//   anything else                        404
class TestHttpServer : public QObject
{
    Q_OBJECT
public:
    explicit TestHttpServer(QObject *parent = nullptr);
    ~TestHttpServer() override;

    bool listen();
    quint16 port() const;
    QByteArray baseUrl() const; // "http://127.0.0.1:PORT"
    QByteArray url(const QByteArray &pathAndQuery) const;

    int requestCount() const { return m_requestCount; }
    int connectionCount() const { return m_connectionCount; } // accepted so far
    int openConnections() const { return int(m_connections.size()); }
    int inFlight() const { return m_inFlight; } // requests read, not yet fully answered
    int peakInFlight() const { return m_peakInFlight; }
    int hits(const QByteArray &pathAndQuery) const { return m_hits.value(pathAndQuery); }
    const QHash<QByteArray, int> &allHits() const { return m_hits; }
    QByteArray lastRequestHead() const { return m_lastHead; }

    void setFailing(bool failing) { m_failing = failing; }
    // Closes, unanswered, any request that arrives on a connection that has answered one
    // before: a server dropping a kept-alive connection just as the client reuses it.
    void setDropReusedConnections(bool drop) { m_dropReused = drop; }
    // Closes every connection that is not answering a request.
    void closeIdleConnections();
    void resetCounters();

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
    QByteArray m_lastHead;
    int m_requestCount = 0;
    int m_connectionCount = 0;
    int m_inFlight = 0;
    int m_peakInFlight = 0;
    bool m_failing = false;
    bool m_dropReused = false;
};

} // namespace Brigade::Test
