#pragma once

#include "core/TaskState.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

class QDateTime;

namespace Brigade {

// Incremental parser of one HTTP/1.1 response at a time: the status line, the few headers
// the client needs, and a Content-Length, chunked or read-until-close body that may not
// exceed maxBytes. The body of a redirect is counted but not kept.
//
// Used by HttpConnection; reset() before each response so the buffers are reused.
class HttpResponseParser
{
public:
    void reset(qint64 maxBytes);

    // Consumes response bytes; returns how many were used, fewer than size only once the
    // response is done or has failed (the rest belongs to no request).
    qsizetype feed(const char *data, qsizetype size);

    // The peer closed the connection: ends a read-until-close body, or fails.
    void finishAtEof();

    // Body bytes that may be read straight into directBuffer(), skipping a copy; 0 when the
    // parser is not inside body data.
    qint64 directRoom() const;
    char *directBuffer(qint64 n);
    void directCommit(qint64 got); // how many of them the read filled

    bool isDone() const { return m_state == State::Done; }
    bool hasFailed() const { return m_state == State::Failed; }
    bool receivedAnything() const { return m_received; }

    int status() const { return m_status; }
    bool keepAlive() const { return m_keepAlive; }
    bool isRedirect() const { return m_discard; }
    const QByteArray &location() const { return m_location; }
    const QByteArray &retryAfter() const { return m_retryAfter; }
    QByteArray takeBody() { return std::move(m_body); }

    ErrorKind error() const { return m_error; }
    const QString &errorMessage() const { return m_message; }

    // A Retry-After value (delta seconds or an HTTP date) in milliseconds from now.
    static quint32 parseRetryAfterMs(QByteArrayView value, const QDateTime &now);

private:
    enum class State : quint8 {
        StatusLine,
        Headers,
        Body, // Content-Length data
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilClose,
        Done,
        Failed,
    };

    void handleLine(QByteArrayView line);
    void handleStatusLine(QByteArrayView line);
    void handleHeader(QByteArrayView line);
    void headersDone();
    void handleChunkSize(QByteArrayView line);
    void bodyAdded(qint64 n);
    void finish();
    void fail(ErrorKind kind, const QString &message);
    void failTooLarge();
    void resetResponse();
    qint64 bodyReceived() const { return m_discard ? m_discarded : m_body.size(); }

    State m_state = State::StatusLine;
    ErrorKind m_error = ErrorKind::None;
    bool m_received = false;
    bool m_http10 = false;
    bool m_chunked = false;
    bool m_keepAlive = true;
    bool m_connectionClose = false;
    bool m_connectionKeepAlive = false;
    bool m_discard = false; // a redirect: count the body, don't keep it
    int m_status = 0;
    qint64 m_maxBytes = 0;
    qint64 m_contentLength = -1;
    qint64 m_remaining = 0; // of the Content-Length body or the current chunk
    qint64 m_discarded = 0;
    qint64 m_headerBytes = 0;
    qsizetype m_directOld = 0;
    QByteArray m_line; // a line split across reads
    QByteArray m_body;
    QByteArray m_location;
    QByteArray m_retryAfter;
    QString m_message;
};

} // namespace Brigade
