#pragma once

#include "core/TaskStore.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace Brigade {

// What a resume (or a retry of the failed) of an edited or reordered batch does with each of
// its tasks, given the journal of an earlier run: a task that finished there and is the same
// task (TaskIdentity: what it fetches and computes, wherever its line now is) is kept with its
// result; every other one runs, and the plan says why.
class ResumePlan
{
public:
    enum class Mode {
        Resume,      // failed tasks are finished: kept, as a resume of the journal keeps them
        RetryFailed, // failed tasks run again
    };
    enum class Decision : quint8 {
        Kept,         // finished identical: its result is kept
        KeptFailed,   // failed identical, kept as failed (Mode::Resume)
        Changed,      // a task of this id finished differently specified: runs
        New,          // no task of this id in the journal: runs
        FailedBefore, // failed identical: runs again (Mode::RetryFailed)
        Unfinished,   // identical but never finished (not run, cancelled): runs
    };
    struct Task
    {
        Decision decision = Decision::New;
        int earlierRow = -1;           // the journal's row it was matched to, or -1
        qint64 earlierFinishedMs = -1; // when that one finished (ms since the epoch), if known
        QStringList changed;           // Changed: the parts that differ (TaskIdentity)
    };

    // earlier: the journal's tasks with their states (and edited specs); finishedAtMs: when
    // each of its rows finished (may be empty); batch: the new batch's tasks, all queued.
    static ResumePlan make(const TaskStore &earlier, const QVector<qint64> &finishedAtMs,
                           const TaskStore &batch, Mode mode);

    Mode mode() const { return m_mode; }
    const QVector<Task> &tasks() const { return m_tasks; } // per row of the batch
    // The batch's rows that keep an earlier result, in order.
    QVector<int> keptRows() const;
    qint64 count(Decision d) const { return m_counts[int(d)]; }
    qint64 toRun() const;
    // Tasks the journal had that the batch no longer has.
    qint64 removed() const { return m_removed; }

    // "kept 3, changed 1, new 1, failed before 0, unfinished 0, removed 0: 2 tasks run".
    QString summary() const;
    // One task: "a: kept (finished identical at 12:03:04)", "b: runs: fetch changed".
    QString explain(int row, const TaskStore &batch) const;

    // Copies the kept tasks' final states (attempts, result, output) from earlier into
    // batch, whose rows must not be in an engine yet.
    void seed(const TaskStore &earlier, TaskStore &batch) const;

private:
    Mode m_mode = Mode::Resume;
    QVector<Task> m_tasks;
    qint64 m_counts[6] = {};
    qint64 m_removed = 0;
};

} // namespace Brigade
