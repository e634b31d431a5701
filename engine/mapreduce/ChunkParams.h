#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace Brigade {

// The parameters of one map task: a byte range of one local file, and what the file looked
// like when the job started (a worker refuses a file that has changed since).
//
// Which lines a chunk maps: every line that starts in [offset, offset + length). A chunk
// with offset > 0 begins just after the first '\n' at or after offset - 1 (so a line that
// starts exactly at offset is its own), and its last line may run past offset + length.
// Each line of the file thus belongs to exactly one chunk, even when chunks are shorter
// than lines (such chunks may map nothing).
struct ChunkParams
{
    QByteArray path; // local 8-bit file name (QFile::encodeName)
    qint64 offset = 0;
    qint64 length = 0;
    qint64 fileSize = 0; // at the job's start
    qint64 mtimeNs = 0;  // modification time at the job's start, ns since the epoch

    QByteArray encode() const;
    static bool decode(const QByteArray &params, ChunkParams *out);
};

} // namespace Brigade
