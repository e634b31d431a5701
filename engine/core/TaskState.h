#pragma once

#include "SharedText.h"

#include <QByteArray>
#include <QString>

#include <limits>
#include <memory>

namespace Brigade {

enum class TaskStatus : quint8 {
    Queued = 0,
    Running,
    Retrying, // waiting out a backoff before its next attempt
    Succeeded,
    Failed,
    Cancelled,
    Skipped, // given up on by the user, with a reason (TaskState::message): not a failure
};
constexpr int TaskStatusCount = 7;

inline bool isTerminal(TaskStatus s)
{
    return s == TaskStatus::Succeeded || s == TaskStatus::Failed || s == TaskStatus::Cancelled
           || s == TaskStatus::Skipped;
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
    Exit,     // a command exited non-zero, died of a signal or could not be started
    Program,  // a long-lived program crashed, hung, talked garbage or is broken
    Tls,      // permanent: a certificate that is not trusted or does not match the host
    Protocol, // permanent: a malformed response, too many or refused redirects
};
constexpr ErrorKind LastErrorKind = ErrorKind::Protocol; // for decoders' range checks

const char *errorKindName(ErrorKind k);

// What a command (exec) or a program call left behind in one attempt: shown in the task's
// details, written to output records and the journal. Empty for the built-in ops.
struct ProcessOutcome
{
    static constexpr qint32 NoExitCode = std::numeric_limits<qint32>::min();
    // The tails keep this many bytes at most (whole lines where possible).
    static constexpr qsizetype MaxTailBytes = 4096;

    qint32 exitCode = NoExitCode; // a command's exit status; NoExitCode when it did not exit
    quint8 signal = 0;            // the signal that ended it, 0 when none did
    QString command;              // the expanded command line, or "call NAME ARGS"
    QByteArray stdoutTail; // exec: the end of stdout; call: the lines the program logged for it
    QByteArray stderrTail; // exec: the end of stderr; call: the program's stderr at a fault

    bool isEmpty() const
    {
        return exitCode == NoExitCode && signal == 0 && command.isEmpty() && stdoutTail.isEmpty()
               && stderrTail.isEmpty();
    }
    // The last non-empty line of stderrTail (for messages), without its line break.
    QByteArray lastStderrLine() const;
    // Appends bytes to a tail, keeping its last MaxTailBytes.
    static void appendTail(QByteArray *tail, QByteArrayView bytes);
};

// Whether a failed attempt is retried: as the run's RetryPolicy says, or as the code that
// failed said (a program's reply {"error":...,"retry":false}; a broken program).
enum class RetryHint : quint8 { Policy = 0, Retry = 1, DoNotRetry = 2 };

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
    RetryHint retry = RetryHint::Policy;
    // exec and call tasks only: null for the built-in ops, whose millions of results must
    // not each carry an empty one.
    std::shared_ptr<ProcessOutcome> process;

    ProcessOutcome &processOutcome() // made on first use
    {
        if (!process)
            process = std::make_shared<ProcessOutcome>();
        return *process;
    }
    bool hasProcess() const { return process && !process->isEmpty(); }
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
    SharedText message; // why it failed, or was skipped: most tasks have none

    quint32 durationMs() const { return (fetchUs + computeUs + queuedUs) / 1000; }
};
static_assert(sizeof(TaskState) == 80, "a task's state is kept in 80 bytes");

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
    ProcessOutcome process; // exec and call tasks only
};

} // namespace Brigade
