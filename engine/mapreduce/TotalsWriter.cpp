#include "TotalsWriter.h"

#include "CountTable.h"
#include "output/ResultWriter.h"
#include "text/CsvText.h"
#include "text/JsonText.h"

#include <QSaveFile>

namespace Brigade {

namespace {

constexpr qsizetype FlushBytes = 1 << 20;

// Writes count records, record(n, csv, &buffer) appending the n-th, to a temporary file
// renamed into place at the end: no half-written output, even when cancelled.
template<typename AppendRecord>
bool writeRecords(const QString &path, size_t count, QString *error, const std::atomic_bool *cancel,
                  AppendRecord appendRecord)
{
    const bool csv = TotalsWriter::isCsv(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QByteArray buffer;
    buffer.reserve(FlushBytes + 4096);
    if (csv)
        buffer.append(TotalsWriter::csvHeader());
    for (size_t n = 0; n < count; ++n) {
        appendRecord(n, csv, &buffer);
        if (buffer.size() >= FlushBytes) {
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

} // namespace

bool TotalsWriter::isCsv(const QString &path)
{
    return ResultWriter::formatFor(path) == ResultWriter::Format::Csv;
}

void TotalsWriter::appendRecord(QByteArray *out, QByteArrayView key, quint64 total, bool csv)
{
    if (csv) {
        CsvText::appendField(out, key);
        out->append(',');
    } else {
        out->append("{\"key\":");
        JsonText::appendString(out, key); // invalid UTF-8 -> U+FFFD
        out->append(",\"total\":");
    }
    out->append(QByteArray::number(total));
    out->append(csv ? "\n" : "}\n");
}

bool TotalsWriter::write(const CountTable &table, const QString &path, QString *error,
                         const std::atomic_bool *cancel)
{
    const std::vector<quint32> order = table.sortedOrder();
    return writeRecords(path, order.size(), error, cancel,
                        [&](size_t n, bool csv, QByteArray *out) {
                            appendRecord(out, table.key(order[n]), table.count(order[n]), csv);
                        });
}

bool TotalsWriter::write(const QVector<KeyTotal> &rows, const QVector<int> &order,
                         const QString &path, QString *error, const std::atomic_bool *cancel)
{
    return writeRecords(path, size_t(order.size()), error, cancel,
                        [&](size_t n, bool csv, QByteArray *out) {
                            const KeyTotal &row = rows[order[qsizetype(n)]];
                            appendRecord(out, row.key, row.total, csv);
                        });
}

} // namespace Brigade
