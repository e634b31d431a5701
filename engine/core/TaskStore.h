#pragma once

#include "RowBlocks.h"
#include "TaskSpec.h"
#include "TaskState.h"
#include "TsanAnnotations.h"
#include "timeline/AttemptLog.h"

#include <QHash>
#include <QList>
#include <QReadWriteLock>
#include <QVector>

#include <array>
#include <atomic>
#include <memory>
#include <vector>

namespace Brigade {

// Counts of tasks per status.
struct StatusCounts
{
    std::array<qint64, TaskStatusCount> n{};
    qint64 operator[](TaskStatus s) const { return n[int(s)]; }
    qint64 total() const;
    qint64 finished() const;
};

// The live states of a store's tasks, by row (see RowBlocks).
using TaskStates = RowBlocks<TaskState>;

// The tasks of one batch: immutable specs plus their live states.
//
// The engine thread writes states in batches under the write lock; views read under the
// read lock from any thread. Specs never change once added and need no lock: a fed run
// (RunSession::runFeed) appends rows on the engine thread, into chunks that never move,
// so a reader's reference to an older row stays valid.
// Before a store is handed to an engine, whoever builds it (RunSession::open restoring a
// journal) is its only writer; after, front ends change tasks only by asking the engine
// (through RunSession), never by writing here.
//
// A run of the command line (a stream or a batch) retires its finished tasks
// (retireLocked): once every reader is done with a row (journaled, written out, shown), its
// history and process outcome go at once, and when every row of a block has retired the
// block's specs and states are freed. Row numbers stay; counts() stays exact; a retired row
// reads as isRetired() and must not be read otherwise (its spec and state are those of no
// task): its spec is the one thing that changes after it was added.
class TaskStore
{
public:
    // Retired rows of the store's own list give their specs' memory back in aligned
    // windows of this size (a multiple of the 2 MB huge page), each once all of it retired.
    static constexpr size_t GiveBackWindowBytes = size_t(8) << 20;

    explicit TaskStore(QVector<TaskSpec> specs = {});
    ~TaskStore();
    TaskStore(const TaskStore &) = delete;
    TaskStore &operator=(const TaskStore &) = delete;

    int size() const { return m_size.load(std::memory_order_acquire); }
    const TaskSpec &spec(int row) const
    {
        if (row < m_specs.size())
            return m_specs.at(row);
        const int tail = row - int(m_specs.size());
        const TaskSpec *chunk = m_tail[size_t(tail >> TailChunkBits)].get();
        return chunk ? chunk[tail & (TailChunkSize - 1)] : retiredSpec();
    }

    // Row of a task id, or -1.
    int rowOf(const QString &id) const;

    TaskState state(int row) const;
    QList<AttemptRecord> attemptHistory(int row) const;
    // Commands and program calls: the latest attempt's process outcome (its command, exit
    // code, and the tails of stdout and stderr). While the attempt runs it is updated live
    // (tasksChanged() says when); once the task has finished it is the final attempt's.
    // Earlier attempts' are in attemptHistory(). Empty for the built-in ops.
    ProcessOutcome process(int row) const;
    StatusCounts counts() const;
    QVector<int> rowsWithStatus(TaskStatus status) const;

    // Calls f(states) under the read lock. Keep f short.
    template<typename F>
    void read(F &&f) const
    {
        Tsan::ReadLocker locker(&m_lock);
        f(const_cast<const TaskStates &>(m_states));
    }

    // Calls f(states, store) under the write lock; the engine batches its updates here.
    template<typename F>
    void write(F &&f)
    {
        Tsan::WriteLocker locker(&m_lock);
        f(m_states, *this);
    }

    // Only inside write(): these finished rows (terminal, journaled, written out) leave
    // memory: see the class comment. Rows not finished, or retired before, are left alone.
    // Returns the blocks (RowBlocks::blockOf) freed by it, for per-row tables kept apart.
    QVector<int> retireLocked(const QVector<int> &rows);
    // Whether a row has retired (any thread; read() or write() for an exact answer).
    bool isRetired(int row) const;
    // Rows retired, and rows whose states are still held (retired or not).
    qint64 retiredRows() const;
    qint64 heldRows() const;
    // Only inside read() or write(): the counts by status of the rows in freed blocks (which
    // the states no longer show).
    const StatusCounts &freedCountsLocked() const { return m_freedCounts; }
    qint64 retiredRowsLocked() const { return m_retiredRows; }

    // Only inside write(): adds tasks after the last row, queued. Returns the first new row.
    int appendLocked(QVector<TaskSpec> specs);
    // Only inside write(): keeps a failed attempt for the details view.
    void recordAttemptLocked(int row, const AttemptRecord &record);
    // Only inside write(): resets a task to a fresh queued state (retry with new attempts).
    void resetLocked(int row);
    // Only inside read() or write(): the failed attempts kept for a task.
    // The reference is valid while the lock is held and the task's history is not replaced.
    const QList<AttemptRecord> &historyLocked(int row) const
    {
        static const QList<AttemptRecord> none;
        const auto it = m_history.constFind(row);
        return it == m_history.cend() ? none : it.value();
    }
    // Only inside write(): replaces the failed attempts kept for a task.
    void setHistoryLocked(int row, QList<AttemptRecord> history);
    // Only inside read() or write(): the process outcome of the latest attempt, or null.
    const ProcessOutcome *processLocked(int row) const
    {
        const auto it = m_process.constFind(row);
        return it == m_process.cend() ? nullptr : &it.value();
    }
    // Only inside read() or write(): the shape the task runs with: its spec's, or the one a
    // retry with changes gave it (SpecChange). Specs themselves never change.
    const std::shared_ptr<const TaskShape> &shapeLocked(int row) const
    {
        if (m_changedShapes.isEmpty())
            return spec(row).shape;
        const auto it = m_changedShapes.constFind(row);
        return it == m_changedShapes.cend() ? spec(row).shape : it.value();
    }
    // The same, under the read lock.
    std::shared_ptr<const TaskShape> currentShape(int row) const;
    // Whether the task runs with a changed shape.
    bool isChanged(int row) const;
    // Only inside write(): the task runs with shape from now on.
    void setShapeLocked(int row, std::shared_ptr<const TaskShape> shape);
    // Only inside write(): sets the latest attempt's process outcome (empty: none).
    void setProcessLocked(int row, ProcessOutcome process);
    // Only inside write(): live output of the running attempt (command: set when not empty).
    void appendLiveOutputLocked(int row, const QString &command, QByteArrayView out,
                                QByteArrayView err);

    // Every attempt of every run of this batch, for the timeline (no lock: see AttemptLog).
    // The engine thread writes it; anyone reads.
    AttemptLog &attemptLog() { return *m_attempts; }
    const AttemptLog &attemptLog() const { return *m_attempts; }

private:
    static constexpr int TailChunkBits = 12;
    static constexpr int TailChunkSize = 1 << TailChunkBits;
    static constexpr size_t MaxTailChunks = size_t(1) << (31 - TailChunkBits);
    static_assert(TailChunkBits == TaskStates::BlockBits, "a block of states is a chunk of specs");

    QVector<TaskSpec> m_specs; // the rows the store was made with
    // Rows appended later, in fixed chunks. Reserved in full up front (untouched memory
    // until used), so adding a chunk never moves the ones readers are looking at.
    std::vector<std::unique_ptr<TaskSpec[]>> m_tail;
    std::atomic<int> m_size{0};
    static const TaskSpec &retiredSpec();
    void releaseSpecs(int block); // under the write lock: a retired block's specs

    TaskStates m_states{retiredState(), TaskState()};
    static TaskState retiredState();
    // Retirement: per row whether it retired, per block how many of its rows did, and the
    // counts by status of the rows in freed blocks.
    RowBlocks<quint8> m_retired{1, 0};
    std::vector<quint16> m_retiredInBlock;
    std::vector<bool> m_specsGone; // per block of m_specs: releaseSpecs() reset them
    StatusCounts m_freedCounts;
    qint64 m_retiredRows = 0;
    QHash<int, QList<AttemptRecord>> m_history;
    QHash<int, ProcessOutcome> m_process; // commands and calls only
    QHash<int, std::shared_ptr<const TaskShape>> m_changedShapes;
    std::unique_ptr<AttemptLog> m_attempts = std::make_unique<AttemptLog>();
    mutable QHash<QString, int> m_rowOfId; // built on first lookup
    mutable QReadWriteLock m_lock;
};

} // namespace Brigade
