#pragma once

#include "FailureCause.h"
#include "core/TaskStore.h"

#include <QHash>
#include <QMetaType>
#include <QPair>
#include <QVector>

namespace Brigade {

// One group of failures: the tasks whose latest failed attempt had one cause.
struct FailureGroup
{
    // The groups of the FailureGroups this came from that make it up: one, or several
    // when summarised by fewer fields. FailureGroups::rowsOf() lists their tasks.
    QVector<int> ids;
    FailureCause cause;
    qint64 failed = 0;   // tasks that failed for good with this cause
    qint64 retrying = 0; // tasks whose latest attempt failed so and that will try again
    qint64 attempts = 0; // failed attempts with this cause, earlier attempts of tasks included
    // When the first and the latest of those attempts ended, in ms since the epoch; -1 when
    // not known (a journal of an older Brigade).
    qint64 firstAtMs = -1;
    qint64 lastAtMs = -1;
    // A task of the group (-1 when its example has since left the group, until another
    // fails so), and a message as it was, unfolded.
    int exampleRow = -1;
    QString exampleId;
    QString exampleMessage;
    // The hosts of the workers its attempts ran on, with how many attempts, most first; an
    // empty name when not known.
    QVector<QPair<QString, qint64>> workerHosts;
    // Failed attempts per FailureSummary::bucketMs from FailureSummary::originMs, for a
    // sparkline; empty when no attempt's time is known.
    QVector<quint32> histogram;

    qint64 tasks() const { return failed + retrying; }
};

// A FailureGroups as views show it; the engine emits one whenever its groups change.
struct FailureSummary
{
    // Groups with tasks first (most tasks first, then most attempts), then those whose
    // tasks all recovered (most attempts first); at most the number asked for.
    QVector<FailureGroup> groups;
    int groupCount = 0;       // groups in all, those left out included
    int activeGroupCount = 0; // groups that have tasks
    qint64 failedTasks = 0;
    qint64 retryingTasks = 0;
    qint64 failedAttempts = 0;
    qint64 originMs = -1; // where every histogram's first bucket starts, ms since the epoch
    qint64 bucketMs = 0;  // and how long each bucket is

    bool isEmpty() const { return failedAttempts == 0; }
};

// Failed and retrying tasks grouped by cause (FailureCause): how many, when, an example,
// where, and a histogram over time. Kept up to date one attempt at a time as a run goes
// (the engine keeps one on its thread: only failures cost anything, a lookup in a hash of
// causes), or built at once from a journal's record of a run (fromStore()).
//
// Memory: a row index per task once the first failure arrives (4 bytes a task), and per
// group its counts, hosts and a histogram of HistogramBuckets counts. Beyond MaxGroups
// distinct causes, failures share one group per class of error.
//
// Plain data: not thread-safe; one thread at a time.
class FailureGroups
{
public:
    static constexpr int HistogramBuckets = 60;
    static constexpr qint64 FirstBucketMs = 1000; // doubled as time runs past the last bucket
    static constexpr int MaxGroups = 10000;

    enum class Outcome : quint8 {
        Earlier,  // an earlier attempt of a task that went on: counted, not a member
        Retrying, // the task's latest attempt, and it will try again
        Failed,   // the task's last attempt: it failed for good
    };

    explicit FailureGroups(int tasks = 0);

    int taskCount() const { return m_tasks; }
    // Tasks appended to the run (a fed run): rows taskCount() onwards, none failed yet.
    void addTasks(int count);

    // A failed attempt of the task at row (id taskId): its cause and message, the host of
    // the worker it ran on (empty: not known), when it ended (ms since the epoch; -1: not
    // known). A Retrying or Failed attempt makes the task a member of its cause's group
    // (leaving any other).
    void record(int row, const QString &taskId, const FailureCause &cause, const QString &message,
                const QString &workerHost, qint64 atMs, Outcome outcome);
    // The task at row is no longer failed nor waiting to try again (it succeeded, was
    // cancelled or is run again): it leaves its group; its attempts stay counted.
    void clear(int row);

    // Groups from tasks' final states and failed attempts, as a journal restored them.
    // finishedAtMs: when each row's record was written (ms since the epoch, -1 unknown; may
    // be empty); workerHosts: the host of each worker slot.
    static FailureGroups fromStore(const TaskStore &store, const QVector<qint64> &finishedAtMs,
                                   const QHash<int, QString> &workerHosts);

    FailureSummary summary(int maxGroups = 1000) const;
    // Groups merged when they agree on these fields (e.g. by class of error and host only).
    // Named apart from summary(): a bare int must never be taken for fields.
    FailureSummary summaryBy(FailureCause::Fields fields, int maxGroups = 1000) const;

    // The group of the task at row, -1 when it has none.
    int groupOf(int row) const;
    // The tasks in these groups, in row order.
    QVector<int> rowsOf(const QVector<int> &ids) const;
    bool isEmpty() const { return m_failedAttempts == 0; }

    // Whether anything changed since the last call (for a coalescing caller).
    bool takeChanged();

private:
    struct Group
    {
        FailureGroup g;
        QHash<QString, qint64> hosts;
    };
    int groupFor(const FailureCause &cause);
    void addToHistogram(Group &group, qint64 atMs);
    void leave(int row);

    int m_tasks = 0;
    QVector<qint32> m_member; // per row: group * 2 + 1 if failed for good, -1 none (lazy)
    QVector<Group> m_groups;
    QHash<FailureCause, int> m_index;
    qint64 m_failedTasks = 0;
    qint64 m_retryingTasks = 0;
    qint64 m_failedAttempts = 0;
    qint64 m_originMs = -1;
    qint64 m_bucketMs = FirstBucketMs;
    bool m_changed = false;
};

} // namespace Brigade

Q_DECLARE_METATYPE(Brigade::FailureSummary)
