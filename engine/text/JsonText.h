#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Brigade {
class ByteSink;
}

// JSON string literals, the one copy: result records, MapReduce totals and word counts all
// write strings through it, by the same rules.
namespace Brigade::JsonText {

// Appends utf8 as a JSON string literal: quoted; '"', '\\', newline, return and tab
// escaped short, other control characters as \u00XX; bytes that are not valid UTF-8 become
// U+FFFD, so the output is always valid JSON. Hand-written because building a QJsonObject
// per record costs more than the rest of a no-op task; ASCII is copied in runs.
void appendString(ByteSink &out, QByteArrayView utf8);
void appendString(QByteArray *out, QByteArrayView utf8);
void appendString(QByteArray *out, QStringView s);

} // namespace Brigade::JsonText
