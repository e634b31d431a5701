#include "FailureCause.h"

#include "MessageSignature.h"

namespace Brigade {

FailureCause FailureCause::of(const TaskSpec &spec, ErrorKind error, quint16 httpStatus,
                              const QString &message)
{
    static_assert(NoExitCode == ProcessOutcome::NoExitCode);
    FailureCause c;
    c.error = error;
    c.httpStatus = httpStatus;
    if (spec.shape && spec.shape->fetch.kind == FetchKind::Url)
        c.host = hostOf(spec.url());
    c.signature = MessageSignature::of(message);
    return c;
}

FailureCause FailureCause::of(const TaskSpec &spec, const AttemptResult &attempt)
{
    FailureCause c = of(spec, attempt.error, attempt.httpStatus, attempt.message);
    if (attempt.process)
        c.exitCode = attempt.process->exitCode;
    return c;
}

FailureCause FailureCause::of(const TaskSpec &spec, const AttemptRecord &attempt)
{
    FailureCause c = of(spec, attempt.error, attempt.httpStatus, attempt.message);
    c.exitCode = attempt.process.exitCode;
    return c;
}

FailureCause FailureCause::of(const TaskSpec &spec, const TaskState &latest,
                              const ProcessOutcome *process)
{
    FailureCause c = of(spec, latest.error, latest.httpStatus, latest.message);
    if (process)
        c.exitCode = process->exitCode;
    return c;
}

FailureCause FailureCause::projected(Fields fields) const
{
    FailureCause c;
    if (fields & Error)
        c.error = error;
    if (fields & HttpStatus)
        c.httpStatus = httpStatus;
    if (fields & Host)
        c.host = host;
    if (fields & Signature)
        c.signature = signature;
    if (fields & ExitCode)
        c.exitCode = exitCode;
    return c;
}

QString FailureCause::label() const
{
    QString out = QString::fromLatin1(errorKindName(error));
    if (httpStatus)
        out += (out.isEmpty() ? QString() : QStringLiteral(" ")) + QString::number(httpStatus);
    if (exitCode != NoExitCode)
        out += (out.isEmpty() ? QString() : QStringLiteral(" ")) + QString::number(exitCode);
    if (!signature.isEmpty())
        out += (out.isEmpty() ? QString() : QStringLiteral(": ")) + signature;
    if (!host.isEmpty())
        out += QStringLiteral(" (%1)").arg(host);
    return out;
}

QString FailureCause::hostOf(const QByteArray &url)
{
    const qsizetype scheme = url.indexOf("://");
    if (scheme <= 0)
        return {};
    const QByteArray name = url.left(scheme).toLower();
    if (name != "http" && name != "https")
        return {};
    qsizetype begin = scheme + 3;
    qsizetype end = begin;
    while (end < url.size() && url[end] != '/' && url[end] != '?' && url[end] != '#')
        ++end;
    const qsizetype at = url.lastIndexOf('@', end - 1);
    if (at >= begin)
        begin = at + 1;
    return QString::fromUtf8(url.mid(begin, end - begin)).toLower();
}

namespace {
template<typename T>
auto hashable(const T &v)
{
    if constexpr (std::is_enum_v<T>)
        return std::underlying_type_t<T>(v);
    else
        return v;
}
} // namespace

size_t qHash(const FailureCause &c, size_t seed)
{
    return std::apply([seed](const auto &...f) { return qHashMulti(seed, hashable(f)...); },
                      c.fields());
}

} // namespace Brigade
