#pragma once

#include "ChunkParams.h"
#include "MapReduceSpec.h"

#include <QByteArray>
#include <QString>

#include <atomic>

namespace Brigade {

// The map step of a MapReduce job: counts the keys of the lines of one chunk of a file
// (see ChunkParams for which lines those are). Runs in the workers, on compute threads.
class ChunkMapper
{
public:
    // Memory-maps the file and scans the chunk. Returns false with *error when the file
    // cannot be read, is not what the job saw at its start (size, modification time), or
    // cancel was set.
    // On success *partial is the encoded PartialResult.
    static bool map(const ChunkParams &params, MapFormat format, const std::atomic_bool &cancel,
                    QByteArray *partial, QString *error);

    // Scans the chunk [offset, offset + length) of data[0, size), which must be followed by
    // at least Padding zero bytes (the scanners read whole words, and stop at a zero byte
    // rather than look at the end every time). False when cancelled.
    static constexpr qsizetype Padding = 64;
    static bool scan(const char *data, qint64 size, qint64 offset, qint64 length, MapFormat format,
                     const std::atomic_bool &cancel, QByteArray *partial);
};

} // namespace Brigade
