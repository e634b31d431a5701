#pragma once

#include "MapReduceQuery.h"
#include "MapReduceRows.h"

#include <QVector>

#include <atomic>

namespace Brigade {

// Computes which rows of a MapReduce result the totals table shows and in which order, on
// any thread (the rows are immutable). A million rows sort in well under a second, but
// that is still far too long for the GUI thread.
class MapReduceOrdering
{
public:
    struct Result
    {
        bool identity = true; // every row in rank order; rows and viewRowOf are empty
        bool cancelled = false;
        QVector<int> rows;      // view row -> row
        QVector<int> viewRowOf; // row -> view row, -1 when filtered out
        qint64 elapsedMs = 0;
    };

    static Result compute(const MapReduceRows &rows, const MapReduceQuery &query,
                          const std::atomic_bool &cancel);
    // Whether key contains needle; ASCII letters of key match either case. needle must be
    // lower case (ASCII) UTF-8.
    static bool matches(QByteArrayView key, const QString &needle, const QByteArray &needleUtf8,
                        bool asciiNeedle);
    // Byte order, as the CLI and the exports order ties.
    static bool keyLess(QByteArrayView a, QByteArrayView b);
};

} // namespace Brigade
