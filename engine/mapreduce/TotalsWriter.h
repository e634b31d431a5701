#pragma once

#include <QString>

#include <atomic>

namespace Brigade {

class CountTable;

// Writes a MapReduce job's totals, every key, largest total first and ties in byte order
// of the key: "key,total" CSV (with a header line) when the name ends in .csv, else JSON
// Lines {"key":"...","total":N}. Sorting millions of keys takes a while: call it off any
// GUI thread.
class TotalsWriter
{
public:
    static bool write(const CountTable &table, const QString &path, QString *error,
                      const std::atomic_bool *cancel = nullptr);
};

} // namespace Brigade
