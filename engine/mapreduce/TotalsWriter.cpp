#include "TotalsWriter.h"

#include "CountTable.h"
#include "compute/WordCountOp.h"
#include "output/ResultWriter.h"

#include <QSaveFile>

namespace Brigade {

namespace {

void appendCsvField(QByteArray *out, QByteArrayView v)
{
    const bool quote = v.contains(',') || v.contains('"') || v.contains('\n') || v.contains('\r');
    if (!quote) {
        out->append(v);
        return;
    }
    out->append('"');
    for (char c : v) {
        if (c == '"')
            out->append('"');
        out->append(c);
    }
    out->append('"');
}

} // namespace

bool TotalsWriter::write(const CountTable &table, const QString &path, QString *error,
                         const std::atomic_bool *cancel)
{
    const bool csv = ResultWriter::formatFor(path) == ResultWriter::Format::Csv;
    // Written to a temporary file and renamed at the end: no half-written output.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const std::vector<quint32> order = table.sortedOrder();
    QByteArray buffer;
    buffer.reserve(1 << 20);
    if (csv)
        buffer.append("key,total\n");
    for (size_t n = 0; n < order.size(); ++n) {
        const quint32 i = order[n];
        if (csv) {
            appendCsvField(&buffer, table.key(i));
            buffer.append(',');
        } else {
            buffer.append("{\"key\":");
            WordCountOp::appendJsonString(&buffer, table.key(i)); // invalid UTF-8 -> U+FFFD
            buffer.append(",\"total\":");
        }
        buffer.append(QByteArray::number(table.count(i)));
        buffer.append(csv ? "\n" : "}\n");
        if (buffer.size() >= (1 << 20)) {
            if (cancel && cancel->load()) {
                *error = QStringLiteral("cancelled");
                return false;
            }
            file.write(buffer);
            buffer.clear();
        }
    }
    file.write(buffer);
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace Brigade
