#pragma once

#include "CountTable.h"
#include "PartialResult.h"

#include <QByteArrayView>

namespace Brigade {

// The reduce step of a MapReduce job: adds the partial results of chunks into one table of
// totals. Not thread-safe: the job merges on one pool thread at a time.
class Reducer
{
public:
    // inputBytes: the size of all inputs, to size the table from the first sorted result.
    explicit Reducer(qint64 inputBytes = 0)
        : m_inputBytes(inputBytes)
    {}

    // Adds one chunk's result (chunkBytes long) and fills *stats from it. Returns false
    // when the result is malformed; the table is then incomplete.
    bool merge(QByteArrayView partial, qint64 chunkBytes, ChunkStats *stats);

    const CountTable &table() const { return m_table; }
    CountTable &table() { return m_table; }

private:
    CountTable m_table;
    qint64 m_inputBytes;
    bool m_sized = false;
};

} // namespace Brigade
