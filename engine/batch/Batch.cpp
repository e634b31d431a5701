#include "Batch.h"

namespace Brigade {

namespace {

size_t fetchKindIndex(FetchKind kind, const QByteArray &url)
{
    switch (kind) {
    case FetchKind::None:
        return 0;
    case FetchKind::Delay:
        return 1;
    case FetchKind::Url:
        if (url.startsWith("https:"))
            return 3;
        return url.startsWith("http:") ? 2 : 4;
    }
    return 0;
}

} // namespace

size_t fetchKindIndex(const TaskShape &shape)
{
    return fetchKindIndex(shape.fetch.kind, shape.fetch.url);
}

size_t fetchKindIndex(const TaskSpec &spec)
{
    return fetchKindIndex(spec.shape->fetch.kind, spec.url());
}

QString BatchError::toString() const
{
    // One-pass arg() so a "%1" in a file name or message stays as it is.
    // Problems with the file as a whole (it cannot be read) have no line.
    if (line <= 0)
        return QStringLiteral("%1: %2").arg(file, message);
    if (column <= 0)
        return QStringLiteral("%1:%2: %3").arg(file, QString::number(line), message);
    return QStringLiteral("%1:%2:%3: %4")
            .arg(file, QString::number(line), QString::number(column), message);
}

} // namespace Brigade
