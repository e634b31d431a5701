#include "ResumePlan.h"

#include "batch/TaskIdentity.h"

#include <QDateTime>
#include <QHash>
#include <QSet>

namespace Brigade {

namespace {

// Identities of a store's tasks: their shapes are shared, so each is hashed once.
class Digests
{
public:
    explicit Digests(const TaskStore &store)
        : m_store(store)
    {}
    QByteArray of(int row)
    {
        const std::shared_ptr<const TaskShape> shape = m_store.currentShape(row);
        if (shape->fetch.urls) // a URL list's tasks share a shape, not a URL
            return TaskIdentity::of(m_store.spec(row), *shape).digest();
        auto it = m_shapes.constFind(shape.get());
        if (it == m_shapes.cend())
            it = m_shapes.insert(shape.get(), TaskIdentity::shapeDigest(*shape));
        return TaskIdentity::digestOf(m_store.spec(row), it.value());
    }

private:
    const TaskStore &m_store;
    QHash<const TaskShape *, QByteArray> m_shapes; // the store keeps the shapes alive
};

bool finishedState(TaskStatus s)
{
    return s == TaskStatus::Succeeded || s == TaskStatus::Failed || s == TaskStatus::Skipped;
}

} // namespace

ResumePlan ResumePlan::make(const TaskStore &earlier, const QVector<qint64> &finishedAtMs,
                            const TaskStore &batch, Mode mode)
{
    ResumePlan plan;
    plan.m_mode = mode;
    const int earlierSize = earlier.size();
    Digests earlierDigests(earlier);
    Digests batchDigests(batch);
    QMultiHash<QByteArray, int> byDigest;
    QHash<QString, int> byId;
    byDigest.reserve(earlierSize);
    byId.reserve(earlierSize);
    QVector<TaskStatus> status(earlierSize);
    earlier.read([&](const TaskStates &states) {
        for (int row = 0; row < earlierSize; ++row)
            status[row] = states.at(row).status;
    });
    // Rows inserted last come out of a QMultiHash first: insert backwards so that the
    // earliest row of identical tasks is matched first.
    for (int row = earlierSize - 1; row >= 0; --row) {
        // The shape the task last ran with (currentShape): a retry with changes edits it.
        byDigest.insert(earlierDigests.of(row), row);
        byId.insert(earlier.spec(row).id, row);
    }
    QVector<bool> used(earlierSize);
    const int size = batch.size();
    plan.m_tasks.resize(size);
    for (int row = 0; row < size; ++row) {
        Task &task = plan.m_tasks[row];
        const QByteArray digest = batchDigests.of(row);
        // The same task finished first, else the same task at all.
        int match = -1;
        for (auto it = byDigest.constFind(digest); it != byDigest.cend() && it.key() == digest;
             ++it) {
            if (used[it.value()])
                continue;
            if (match < 0 || (finishedState(status[it.value()]) && !finishedState(status[match])))
                match = it.value();
        }
        if (match >= 0) {
            used[match] = true;
            task.earlierRow = match;
            task.earlierFinishedMs = match < finishedAtMs.size() ? finishedAtMs[match] : -1;
            switch (status[match]) {
            case TaskStatus::Succeeded:
            case TaskStatus::Skipped:
                task.decision = Decision::Kept;
                break;
            case TaskStatus::Failed:
                task.decision
                        = mode == Mode::Resume ? Decision::KeptFailed : Decision::FailedBefore;
                break;
            default:
                task.decision = Decision::Unfinished;
                break;
            }
        } else if (const auto it = byId.constFind(batch.spec(row).id); it != byId.cend()) {
            task.decision = Decision::Changed;
            task.earlierRow = it.value();
            task.changed
                    = TaskIdentity::of(batch.spec(row), *batch.currentShape(row))
                              .differences(TaskIdentity::of(earlier.spec(it.value()),
                                                            *earlier.currentShape(it.value())));
        } else {
            task.decision = Decision::New;
        }
        ++plan.m_counts[int(task.decision)];
    }
    // What was matched by identity or id alone is still in the batch.
    QSet<QString> ids;
    ids.reserve(size);
    for (int row = 0; row < size; ++row)
        ids.insert(batch.spec(row).id);
    for (int row = 0; row < earlierSize; ++row) {
        if (!used[row] && !ids.contains(earlier.spec(row).id))
            ++plan.m_removed;
    }
    return plan;
}

QVector<int> ResumePlan::keptRows() const
{
    QVector<int> rows;
    for (int row = 0; row < m_tasks.size(); ++row) {
        const Decision d = m_tasks[row].decision;
        if (d == Decision::Kept || d == Decision::KeptFailed)
            rows.append(row);
    }
    return rows;
}

qint64 ResumePlan::toRun() const
{
    return m_tasks.size() - count(Decision::Kept) - count(Decision::KeptFailed);
}

QString ResumePlan::summary() const
{
    QString kept
            = QStringLiteral("kept %1").arg(count(Decision::Kept) + count(Decision::KeptFailed));
    if (count(Decision::KeptFailed) > 0)
        kept += QStringLiteral(" (%1 failed)").arg(count(Decision::KeptFailed));
    return QStringLiteral("%1, changed %2, new %3, failed before %4, unfinished %5, removed %6: "
                          "%7 %8 run")
            .arg(kept)
            .arg(count(Decision::Changed))
            .arg(count(Decision::New))
            .arg(count(Decision::FailedBefore))
            .arg(count(Decision::Unfinished))
            .arg(m_removed)
            .arg(toRun())
            .arg(toRun() == 1 ? QStringLiteral("task") : QStringLiteral("tasks"));
}

QString ResumePlan::explain(int row, const TaskStore &batch) const
{
    const Task &task = m_tasks.at(row);
    const QString at = task.earlierFinishedMs >= 0 ? QStringLiteral(" at %1").arg(
                               QDateTime::fromMSecsSinceEpoch(task.earlierFinishedMs)
                                       .toLocalTime()
                                       .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                                                   : QString();
    QString why;
    switch (task.decision) {
    case Decision::Kept:
        why = QStringLiteral("kept (finished identical%1)").arg(at);
        break;
    case Decision::KeptFailed:
        why = QStringLiteral("kept (failed identical%1; retry-failed runs it)").arg(at);
        break;
    case Decision::Changed:
        why = QStringLiteral("runs: %1 changed").arg(task.changed.join(QStringLiteral(", ")));
        break;
    case Decision::New:
        why = QStringLiteral("runs: new");
        break;
    case Decision::FailedBefore:
        why = QStringLiteral("runs: failed before%1").arg(at);
        break;
    case Decision::Unfinished:
        why = QStringLiteral("runs: never finished");
        break;
    }
    return QStringLiteral("%1: %2").arg(batch.spec(row).id, why);
}

void ResumePlan::seed(const TaskStore &earlier, TaskStore &batch) const
{
    const QVector<int> rows = keptRows();
    QVector<TaskState> states(rows.size());
    earlier.read([&](const TaskStates &s) {
        for (qsizetype i = 0; i < rows.size(); ++i)
            states[i] = s.at(m_tasks[rows[i]].earlierRow);
    });
    batch.write([&](TaskStates &s, TaskStore &store) {
        for (qsizetype i = 0; i < rows.size(); ++i) {
            const int from = m_tasks[rows[i]].earlierRow;
            s[rows[i]] = states[i];
            store.setHistoryLocked(rows[i], earlier.attemptHistory(from));
            store.setProcessLocked(rows[i], earlier.process(from));
        }
    });
}

} // namespace Brigade
