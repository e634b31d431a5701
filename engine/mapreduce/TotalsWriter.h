#pragma once

#include "MapReduceResult.h"

#include <QByteArrayView>
#include <QString>
#include <QVector>

#include <atomic>

namespace Brigade {

class CountTable;

// Writes a MapReduce job's totals as records: "key,total" CSV (with a header line) when the
// name ends in .csv, else JSON Lines {"key":"...","total":N}. The CLI's --output and the
// window's exports share these records. Sorting millions of keys and writing them takes a
// while: call it off any GUI thread.
class TotalsWriter
{
public:
    // Every key, largest total first and ties in byte order of the key.
    static bool write(const CountTable &table, const QString &path, QString *error,
                      const std::atomic_bool *cancel = nullptr);
    // rows[order[0]], rows[order[1]], ... in that order (e.g. the rows a view shows).
    static bool write(const QVector<KeyTotal> &rows, const QVector<int> &order, const QString &path,
                      QString *error, const std::atomic_bool *cancel = nullptr);

    static bool isCsv(const QString &path);
    static QByteArray csvHeader() { return QByteArrayLiteral("key,total\n"); }
    // One record with its line end (invalid UTF-8 in a JSON key becomes U+FFFD).
    static void appendRecord(QByteArray *out, QByteArrayView key, quint64 total, bool csv);
};

} // namespace Brigade
