#pragma once

#include "core/ByteSink.h"
#include "core/TaskState.h"
#include "protocol/WireReader.h"

#include <QList>

namespace Brigade {

// One finished task in a journal segment: its final state and its failed attempts.
//
// Written once per task on every run, so it is built for the common case: a row delta from
// the previous record, a flags byte saying which of the rarer fields follow, and varints.
// A no-op task that succeeded first time takes about 10 bytes and ~80 instructions.
//
//   svarint  row - previous row
//   u8       flags: bits 0-2 status, then HasError, HasTransfer, HasFetch, HasMessage,
//            HasHistory
//   varint   attempts, svarint worker, varint queuedUs, varint computeUs
//   varint   result length, result bytes
//   [u8 error] [varint httpStatus, svarint bytes] [varint fetchUs]
//   [varint length, message UTF-8] [varint count, attempts...]
class JournalRecord
{
public:
    static void write(ByteSink &out, qint64 rowDelta, const TaskState &state,
                      const QList<AttemptRecord> &history);
    // Reads one record into *state and *history; false (and reader !ok) if it is malformed.
    // *rowDelta receives the row delta, checked by the caller against the batch.
    static bool read(WireReader &in, qint64 *rowDelta, TaskState *state,
                     QList<AttemptRecord> *history);
};

} // namespace Brigade
