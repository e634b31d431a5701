#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Brigade {
class ByteSink;
}

// CSV fields, the one copy (RFC 4180): result records and MapReduce totals quote the same.
namespace Brigade::CsvText {

// Appends v as one field: as it is, or in double quotes (quotes doubled) when it holds a
// comma, a quote, a newline or a return.
void appendField(ByteSink &out, QByteArrayView v);
void appendField(QByteArray *out, QByteArrayView v);

} // namespace Brigade::CsvText
