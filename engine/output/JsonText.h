#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Brigade {
class ByteSink;
}

namespace Brigade::JsonText {

// Appends s as a JSON string literal (quoted, escaped). Hand-written because building a
// QJsonObject per record costs more than the rest of a no-op task.
void appendString(QByteArray *out, QStringView s);
void appendString(QByteArray *out, QByteArrayView utf8);
void appendString(ByteSink &out, QByteArrayView utf8);

} // namespace Brigade::JsonText
