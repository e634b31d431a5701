#include "SpecChange.h"

#include "net/HeaderCheck.h"
#include "net/Url.h"
#include "run/RunSettingsRules.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Brigade {

namespace {

using Field = RunSettingsRules::Field;

QString limitProblem(const char *what, Field field, qint64 value)
{
    const RunSettingsRules::Limit limit = RunSettingsRules::limit(field);
    if (value >= qMax<qint64>(1, limit.min) && value <= limit.max)
        return {};
    return QStringLiteral("%1 must be from %2 to %3, not %4")
            .arg(QLatin1String(what))
            .arg(qMax<qint64>(1, limit.min))
            .arg(limit.max)
            .arg(value);
}

// Where a URL's authority (host and port) is: after "scheme://", up to the path, query or
// end. Url has refused user names, so there is no "user@" in it.
bool authorityOf(const QByteArray &url, qsizetype *begin, qsizetype *end)
{
    const qsizetype slashes = url.indexOf("://");
    if (slashes < 0)
        return false;
    *begin = slashes + 3;
    qsizetype e = *begin;
    while (e < url.size() && url[e] != '/' && url[e] != '?' && url[e] != '#')
        ++e;
    *end = e;
    return true;
}

} // namespace

QString SpecChange::hostProblem(QByteArrayView host)
{
    if (host.isEmpty())
        return QStringLiteral("the host is empty");
    for (char c : host) {
        if (c == '/' || c == '?' || c == '#' || c == '@' || uchar(c) <= ' ')
            return QStringLiteral("\"%1\" is not a host or host:port (it holds %2)")
                    .arg(QString::fromUtf8(host),
                         c == ' '         ? QStringLiteral("a space")
                         : uchar(c) < ' ' ? QStringLiteral("a control character")
                                          : QStringLiteral("'%1'").arg(QLatin1Char(c)));
    }
    // The one URL parser decides what a host is.
    const Url url = Url::parse(QByteArray("http://") + host.toByteArray() + '/');
    if (!url.isValid())
        return QStringLiteral("\"%1\" is not a host or host:port: %2")
                .arg(QString::fromUtf8(host), url.errorString());
    return {};
}

Result<QPair<QByteArray, QByteArray>> SpecChange::parseHeader(const QString &text)
{
    using R = Result<QPair<QByteArray, QByteArray>>;
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon <= 0)
        return R::failure(
                QStringLiteral("a header is written \"Name: value\", not \"%1\"").arg(text));
    const QByteArray name = text.left(colon).trimmed().toUtf8();
    const QByteArray value = text.mid(colon + 1).trimmed().toUtf8();
    if (const QString problem = HeaderCheck::problem(name, value); !problem.isEmpty())
        return R::failure(QStringLiteral("header \"%1\": %2").arg(text, problem));
    return QPair<QByteArray, QByteArray>(name, value);
}

Status SpecChange::check() const
{
    if (isEmpty())
        return Status::failure(QStringLiteral("nothing to change"));
    if (timeoutMs != 0) {
        if (const QString p = limitProblem("the timeout (ms)", Field::TimeoutMs, timeoutMs);
            !p.isEmpty())
            return Status::failure(p);
    }
    if (maxAttempts != 0) {
        if (const QString p = limitProblem("the attempts", Field::MaxAttempts, maxAttempts);
            !p.isEmpty())
            return Status::failure(p);
    }
    for (const auto &[name, value] : headers) {
        if (const QString p = HeaderCheck::problem(name, value); !p.isEmpty())
            return Status::failure(QStringLiteral("header %1: %2").arg(QString::fromUtf8(name), p));
        // The journal keeps the change: a credential written here would be kept with it.
        if (HeaderCheck::isSecret(name))
            return Status::failure(
                    QStringLiteral("header %1 carries credentials; they come from the "
                                   "environment in the batch, never from a change the journal "
                                   "keeps")
                            .arg(QString::fromUtf8(name)));
    }
    if (!host.isEmpty()) {
        if (const QString p = hostProblem(host); !p.isEmpty())
            return Status::failure(p);
    }
    if (qAbs(qint64(priorityDelta)) > 2 * qint64(MaxPriority))
        return Status::failure(QStringLiteral("a priority change must be from %1 to %2, not %3")
                                       .arg(-2 * qint64(MaxPriority))
                                       .arg(2 * qint64(MaxPriority))
                                       .arg(priorityDelta));
    return {};
}

QByteArray SpecChange::withHost(const QByteArray &url) const
{
    const Url parsed = Url::parse(url);
    if (!parsed.isHttp())
        return {};
    qsizetype begin = 0;
    qsizetype end = 0;
    if (!authorityOf(parsed.encoded(), &begin, &end))
        return {};
    QByteArray changed = parsed.encoded();
    changed.replace(begin, end - begin, host);
    const Url again = Url::parse(changed);
    return again.isValid() ? again.encoded() : QByteArray();
}

std::shared_ptr<const TaskShape>
SpecChange::apply(const TaskSpec &spec, const std::shared_ptr<const TaskShape> &shape) const
{
    TaskShape s = *shape;
    if (changesEachTask(*shape)) { // the task's URL goes into a shape of its own
        s.fetch.url = urlOf(spec, *shape);
        s.fetch.urls.reset();
    }
    if (timeoutMs != 0) {
        s.timeoutMs = timeoutMs;
        if (s.fetch.timeoutMs != 0) // the fetch's own timeout would win over the task's
            s.fetch.timeoutMs = timeoutMs;
    }
    if (maxAttempts != 0)
        s.maxAttempts = maxAttempts;
    if (priorityDelta != 0)
        s.priority = qint32(qBound(-qint64(MaxPriority), qint64(s.priority) + priorityDelta,
                                   qint64(MaxPriority)));
    if (s.fetch.kind == FetchKind::Url) {
        if (!host.isEmpty()) {
            if (const QByteArray url = withHost(s.fetch.url); !url.isEmpty())
                s.fetch.url = url;
        }
        const bool http = Url::parse(s.fetch.url).isHttp();
        for (const auto &[name, value] : headers) {
            if (!http)
                break;
            bool replaced = false;
            for (auto &h : s.fetch.request.write().headers) {
                if (h.first.compare(name, Qt::CaseInsensitive) == 0) {
                    h.second = value;
                    replaced = true;
                }
            }
            if (!replaced)
                s.fetch.request.write().headers.append({name, value});
        }
    }
    if (s.timeoutMs == shape->timeoutMs && s.fetch.timeoutMs == shape->fetch.timeoutMs
        && s.maxAttempts == shape->maxAttempts && s.fetch.url == shape->fetch.url
        && s.fetch.urls == shape->fetch.urls && s.fetch.headers() == shape->fetch.headers()
        && s.priority == shape->priority)
        return shape;
    return std::make_shared<const TaskShape>(std::move(s));
}

QString SpecChange::describe() const
{
    QStringList parts;
    if (!host.isEmpty())
        parts << QStringLiteral("host %1").arg(QString::fromUtf8(host));
    for (const auto &h : headers)
        parts << QStringLiteral("header %1: %2")
                         .arg(QString::fromUtf8(h.first), QString::fromUtf8(h.second));
    if (timeoutMs)
        parts << QStringLiteral("timeout %1 ms").arg(timeoutMs);
    if (maxAttempts)
        parts << QStringLiteral("%1 attempts").arg(maxAttempts);
    if (priorityDelta)
        parts << QStringLiteral("priority %1%2")
                         .arg(priorityDelta > 0 ? QStringLiteral("+") : QString())
                         .arg(priorityDelta);
    return parts.join(QStringLiteral(", "));
}

QByteArray SpecChange::toJson() const
{
    QJsonObject o;
    if (timeoutMs)
        o.insert(QStringLiteral("timeout_ms"), qint64(timeoutMs));
    if (maxAttempts)
        o.insert(QStringLiteral("attempts"), int(maxAttempts));
    if (!host.isEmpty())
        o.insert(QStringLiteral("host"), QString::fromUtf8(host));
    if (!headers.isEmpty()) {
        QJsonArray list;
        for (const auto &[name, value] : headers)
            list.append(QJsonArray{QString::fromUtf8(name), QString::fromUtf8(value)});
        o.insert(QStringLiteral("headers"), list);
    }
    if (priorityDelta)
        o.insert(QStringLiteral("priority_delta"), priorityDelta);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Result<SpecChange> SpecChange::fromJson(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (!doc.isObject())
        return Result<SpecChange>::failure(
                QStringLiteral("a change that is not a JSON object: %1").arg(error.errorString()));
    const QJsonObject o = doc.object();
    SpecChange c;
    c.timeoutMs = quint32(o.value(QStringLiteral("timeout_ms")).toInteger());
    c.maxAttempts = quint16(o.value(QStringLiteral("attempts")).toInt());
    c.host = o.value(QStringLiteral("host")).toString().toUtf8();
    c.priorityDelta = qint32(qBound(-2 * qint64(MaxPriority),
                                    o.value(QStringLiteral("priority_delta")).toInteger(),
                                    2 * qint64(MaxPriority)));
    for (const QJsonValue &h : o.value(QStringLiteral("headers")).toArray()) {
        const QJsonArray pair = h.toArray();
        c.headers.append({pair.at(0).toString().toUtf8(), pair.at(1).toString().toUtf8()});
    }
    if (const Status ok = c.check(); !ok)
        return Result<SpecChange>::failure(ok.error());
    return c;
}

QJsonObject SpecChange::fieldsOf(const TaskSpec &spec, const TaskShape &shape)
{
    QJsonObject o;
    if (shape.fetch.kind == FetchKind::Url) {
        o.insert(QStringLiteral("url"), QString::fromUtf8(urlOf(spec, shape)));
        QJsonArray list;
        for (const auto &[name, value] : shape.fetch.headers())
            list.append(QJsonArray{QString::fromUtf8(name), QString::fromUtf8(value)});
        if (!list.isEmpty())
            o.insert(QStringLiteral("headers"), list);
    }
    const quint32 timeout = shape.fetch.timeoutMs ? shape.fetch.timeoutMs : shape.timeoutMs;
    if (timeout)
        o.insert(QStringLiteral("timeout_ms"), qint64(timeout));
    if (shape.maxAttempts)
        o.insert(QStringLiteral("attempts"), int(shape.maxAttempts));
    if (shape.priority)
        o.insert(QStringLiteral("priority"), shape.priority);
    return o;
}

} // namespace Brigade
