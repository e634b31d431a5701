#pragma once

#include "core/TaskSpec.h"
#include "core/TaskState.h"

#include <QFlags>
#include <QHashFunctions>
#include <QString>

#include <limits>
#include <tuple>

namespace Brigade {

// Why a task failed, as failures are grouped: the class of error, the HTTP status, the
// host of the fetched URL, a command's exit code and the message with what varies between
// tasks folded away (MessageSignature). Two failures with equal causes are one group.
//
// A new field (an exit code, say) is a member here, one entry in fields() and in Field,
// and its value set in of() from each kind of attempt.
struct FailureCause
{
    enum Field : quint8 {
        Error = 0x01,
        HttpStatus = 0x02,
        Host = 0x04,
        Signature = 0x08,
        ExitCode = 0x10,
        AllFields = 0xff,
    };
    Q_DECLARE_FLAGS(Fields, Field)

    ErrorKind error = ErrorKind::None;
    quint16 httpStatus = 0; // 0: no HTTP answer
    QString host;           // the fetched URL's host[:port], lower case; empty when none
    QString signature;
    qint32 exitCode = NoExitCode; // a command's exit status

    static constexpr qint32 NoExitCode = std::numeric_limits<qint32>::min();

    auto fields() const { return std::tie(error, httpStatus, host, signature, exitCode); }
    bool operator==(const FailureCause &o) const { return fields() == o.fields(); }
    bool operator!=(const FailureCause &o) const { return !(*this == o); }

    // The cause of one failed attempt of a task.
    static FailureCause of(const TaskSpec &spec, ErrorKind error, quint16 httpStatus,
                           const QString &message);
    static FailureCause of(const TaskSpec &spec, const AttemptResult &attempt);
    static FailureCause of(const TaskSpec &spec, const AttemptRecord &attempt);
    static FailureCause of(const TaskSpec &spec, const TaskState &latest);
    // Only the chosen fields; the others cleared (to group more coarsely).
    FailureCause projected(Fields fields) const;
    // One line for people: "timeout: timed out after <n> ms (127.0.0.1:8080)",
    // "http 503: HTTP <n> (example.org)", "exit 3: ...".
    QString label() const;

    // The host[:port] of an http(s) URL, lower case; empty for other URLs.
    static QString hostOf(const QByteArray &url);
};

size_t qHash(const FailureCause &cause, size_t seed = 0);

} // namespace Brigade

Q_DECLARE_OPERATORS_FOR_FLAGS(Brigade::FailureCause::Fields)
