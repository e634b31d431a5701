#pragma once

#include <QByteArray>
#include <QString>

namespace Brigade {

enum class TaskStatus : quint8 {
    Queued = 0,
    Running,
    Retrying, // waiting out a backoff before its next attempt
    Succeeded,
    Failed,
    Cancelled,
};
constexpr int TaskStatusCount = 6;

inline bool isTerminal(TaskStatus s)
{
    return s == TaskStatus::Succeeded || s == TaskStatus::Failed || s == TaskStatus::Cancelled;
}

const char *statusName(TaskStatus s);

// Why an attempt failed. Decides whether it is retried (see RetryPolicy; which libcurl
// error is which: FetchErrors). Stored in journals by value: append only.
enum class ErrorKind : quint8 {
    None = 0,
    Network,    // transient: connection refused/reset, DNS, truncated body, a broken handshake
    Timeout,    // the attempt ran past its timeout, or the connect/low-speed limit
    HttpStatus, // the server answered with a non-2xx status
    TooLarge,   // the body exceeded max_bytes
    BadInput,   // unreadable file, unsupported URL
    Compute,    // the compute op rejected its input
    WorkerLost, // the worker died or stopped answering while the task was in flight
    Cancelled,
    Tls,      // permanent: a certificate that is not trusted or does not match the host
    Protocol, // permanent: a malformed response, too many or refused redirects
};
constexpr ErrorKind LastErrorKind = ErrorKind::Protocol;

const char *errorKindName(ErrorKind k);

// The outcome of one attempt, as a worker reports it.
struct AttemptResult
{
    qint32 row = -1;
    quint16 attempt = 0;
    ErrorKind error = ErrorKind::None;
    quint16 httpStatus = 0;
    quint32 retryAfterMs = 0; // from a 429/503 Retry-After header
    qint64 bytes = -1;        // fetched body size, -1 when nothing was fetched
    quint32 fetchUs = 0;
    quint32 computeUs = 0;
    QByteArray result; // JSON text of the result value
    QString message;   // error text
};

// The live state of one task. Plain data; owned by the TaskStore.
struct TaskState
{
    TaskStatus status = TaskStatus::Queued;
    ErrorKind error = ErrorKind::None;
    quint16 attempts = 0; // attempts started
    qint16 worker = -1;   // worker of the latest attempt
    quint16 httpStatus = 0;
    qint64 bytes = -1;
    quint32 queuedUs = 0; // ready -> handed to a worker, latest attempt
    quint32 fetchUs = 0;
    quint32 computeUs = 0;
    qint64 readyAtMs = 0; // run clock: when the task became ready for its latest attempt
    qint64 finishedAtMs = -1;
    QByteArray result;
    QString message;

    quint32 durationMs() const { return (fetchUs + computeUs + queuedUs) / 1000; }
};

// A failed attempt kept for the details view; the final attempt lives in TaskState.
struct AttemptRecord
{
    quint16 attempt = 0;
    qint16 worker = -1;
    ErrorKind error = ErrorKind::None;
    quint16 httpStatus = 0;
    quint32 queuedUs = 0;
    quint32 fetchUs = 0;
    quint32 computeUs = 0;
    QString message;
};

} // namespace Brigade
