#pragma once

#include "mapreduce/MapReduceResult.h"

#include <QVector>

#include <memory>
#include <vector>

namespace Brigade {

// The rows of a MapReduce result that the window shows: the top totals by rank, then the
// asked keys that are not among them, in the order asked. Asked keys are marked wherever
// they are, including those that never occur (total 0). Immutable once built, shared by
// the model and its off-thread ordering, copying and exports.
struct MapReduceRows
{
    QVector<KeyTotal> rows;
    int topCount = 0;        // rows [0, topCount) are the top totals, largest first
    std::vector<bool> asked; // per row
    qint64 askedCount = 0;   // rows marked asked
    quint64 grandTotal = 0;  // the sum of all totals, for shares

    int size() const { return int(rows.size()); }
    bool isAsked(int row) const { return asked[size_t(row)]; }
    bool isTop(int row) const { return row < topCount; }

    // Takes O(rows) time and memory (a million top totals is a fraction of a second): call
    // it off the GUI thread.
    static std::shared_ptr<const MapReduceRows> build(const MapReduceResult &result);
};

} // namespace Brigade
