#include "FailureCause.h"

#include "MessageSignature.h"

namespace Brigade {

FailureCause FailureCause::of(const TaskSpec &spec, ErrorKind error, quint16 httpStatus,
                              const QString &message)
{
    FailureCause c;
    c.error = error;
    c.httpStatus = httpStatus;
    if (spec.shape && spec.shape->fetch.kind == FetchKind::Url)
        c.host = hostOf(spec.shape->fetch.url);
    c.signature = MessageSignature::of(message);
    return c;
}

FailureCause FailureCause::of(const TaskSpec &spec, const AttemptResult &attempt)
{
    return of(spec, attempt.error, attempt.httpStatus, attempt.message);
}

FailureCause FailureCause::of(const TaskSpec &spec, const AttemptRecord &attempt)
{
    return of(spec, attempt.error, attempt.httpStatus, attempt.message);
}

FailureCause FailureCause::of(const TaskSpec &spec, const TaskState &latest)
{
    return of(spec, latest.error, latest.httpStatus, latest.message);
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
