#pragma once

#include "core/ByteSink.h"
#include "core/TaskState.h"
#include "protocol/WireReader.h"

#include <QList>

namespace Brigade {

// The records of finished tasks in one journal segment: each task's final state and its
// failed attempts.
//
// Written once per task on every run, so built for the common case, where consecutive
// records differ only in their row and their queue time: a row delta, a flags byte, and
// of the other fields only those that differ from the previous record's, as varints.
// A no-op task that succeeded first time takes about 5 bytes.
//
//   svarint  row - previous row
//   u8       flags: bits 0-2 status, SameAttempts, SameWorker, SameCompute, SameResult, HasMore
//   [u8      more: HasError, HasTransfer, HasFetch, HasMessage, HasHistory]
//   varint   queuedUs
//   [varint attempts] [svarint worker] [varint computeUs] [varint length, result bytes]
//   [u8 error] [varint httpStatus, svarint bytes] [varint fetchUs]
//   [varint length, message UTF-8] [varint count, attempts...] [process]
// and with HasProcess every attempt of the history is followed by its process outcome too:
//   u8 which fields follow (exit code, signal, command, stdout tail, stderr tail), then those
//
// One object writes (or reads) one segment: "previous" never crosses segments, so each
// segment reads on its own.
class JournalRecord
{
public:
    // process: the final attempt's process outcome (commands and calls), or null.
    void write(ByteSink &out, qint64 rowDelta, const TaskState &state,
               const QList<AttemptRecord> &history, const ProcessOutcome *process = nullptr);
    // Reads one record into *state, *history and *process; false (and reader !ok) if it is
    // malformed. *rowDelta receives the row delta, checked by the caller against the batch.
    bool read(WireReader &in, qint64 *rowDelta, TaskState *state, QList<AttemptRecord> *history,
              ProcessOutcome *process);

private:
    bool m_havePrevious = false;
    quint16 m_attempts = 0;
    qint16 m_worker = 0;
    quint32 m_computeUs = 0;
    QByteArray m_result;
};

} // namespace Brigade
