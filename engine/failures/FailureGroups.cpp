#include "FailureGroups.h"

#include <algorithm>

namespace Brigade {

namespace {

// Groups with tasks first, most tasks first; then by attempts; then the older cause first,
// so that equal groups keep their order from one summary to the next.
bool comesBefore(const FailureGroup &a, const FailureGroup &b)
{
    if ((a.tasks() > 0) != (b.tasks() > 0))
        return a.tasks() > 0;
    if (a.tasks() != b.tasks())
        return a.tasks() > b.tasks();
    if (a.attempts != b.attempts)
        return a.attempts > b.attempts;
    return a.ids.value(0) < b.ids.value(0);
}

QVector<QPair<QString, qint64>> sortedHosts(const QHash<QString, qint64> &hosts)
{
    QVector<QPair<QString, qint64>> out;
    out.reserve(hosts.size());
    for (auto it = hosts.cbegin(); it != hosts.cend(); ++it)
        out.append({it.key(), it.value()});
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return out;
}

} // namespace

FailureGroups::FailureGroups(int tasks)
    : m_tasks(tasks)
{}

void FailureGroups::addTasks(int count)
{
    m_tasks += count;
    if (!m_member.isEmpty())
        m_member.resize(m_tasks, -1);
}

int FailureGroups::groupFor(const FailureCause &cause)
{
    const auto it = m_index.constFind(cause);
    if (it != m_index.cend())
        return it.value();
    FailureCause key = cause;
    if (m_groups.size() >= MaxGroups) {
        // Past the limit, a message that defeats folding must not cost a group per task.
        key = FailureCause{cause.error, 0, QString(),
                           QStringLiteral("(more distinct causes than are kept apart)")};
        const auto other = m_index.constFind(key);
        if (other != m_index.cend())
            return other.value();
    }
    const int id = int(m_groups.size());
    Group group;
    group.g.ids = {id};
    group.g.cause = key;
    m_groups.append(std::move(group));
    m_index.insert(key, id);
    return id;
}

void FailureGroups::addToHistogram(Group &group, qint64 atMs)
{
    if (atMs < 0)
        return;
    if (m_originMs < 0)
        m_originMs = atMs;
    qint64 bucket = qMax<qint64>(0, atMs - m_originMs) / m_bucketMs;
    while (bucket >= HistogramBuckets) {
        // Twice as long a bucket for every group: histograms stay comparable.
        m_bucketMs *= 2;
        for (Group &g : m_groups) {
            QVector<quint32> &h = g.g.histogram;
            if (h.isEmpty())
                continue;
            for (int i = 0; i < HistogramBuckets / 2; ++i)
                h[i] = h[2 * i] + h[2 * i + 1];
            std::fill(h.begin() + HistogramBuckets / 2, h.end(), 0u);
        }
        bucket = qMax<qint64>(0, atMs - m_originMs) / m_bucketMs;
    }
    if (group.g.histogram.isEmpty())
        group.g.histogram.fill(0, HistogramBuckets);
    ++group.g.histogram[int(bucket)];
}

void FailureGroups::leave(int row)
{
    const qint32 member = m_member[row];
    if (member < 0)
        return;
    FailureGroup &g = m_groups[member / 2].g;
    if (member & 1) {
        --g.failed;
        --m_failedTasks;
    } else {
        --g.retrying;
        --m_retryingTasks;
    }
    if (g.exampleRow == row)
        g.exampleRow = -1;
    m_member[row] = -1;
}

void FailureGroups::record(int row, const QString &taskId, const FailureCause &cause,
                           const QString &message, const QString &workerHost, qint64 atMs,
                           Outcome outcome)
{
    if (row < 0 || row >= m_tasks)
        return;
    if (m_member.isEmpty())
        m_member.fill(-1, m_tasks);
    m_changed = true;
    const int id = groupFor(cause);
    Group &group = m_groups[id];
    FailureGroup &g = group.g;
    ++g.attempts;
    ++m_failedAttempts;
    ++group.hosts[workerHost];
    if (atMs >= 0) {
        g.firstAtMs = g.firstAtMs < 0 ? atMs : qMin(g.firstAtMs, atMs);
        g.lastAtMs = qMax(g.lastAtMs, atMs);
    }
    addToHistogram(group, atMs);
    if (g.exampleMessage.isEmpty())
        g.exampleMessage = message;
    if (outcome == Outcome::Earlier)
        return;
    leave(row);
    const bool failed = outcome == Outcome::Failed;
    m_member[row] = id * 2 + (failed ? 1 : 0);
    if (failed) {
        ++g.failed;
        ++m_failedTasks;
    } else {
        ++g.retrying;
        ++m_retryingTasks;
    }
    // A task that failed for good is the better example: it is still there at the end.
    const bool exampleRetrying = g.exampleRow >= 0 && !(m_member[g.exampleRow] & 1);
    if (g.exampleRow < 0 || (failed && exampleRetrying)) {
        g.exampleRow = row;
        g.exampleId = taskId;
        g.exampleMessage = message;
    }
}

void FailureGroups::clear(int row)
{
    if (row < 0 || row >= m_member.size() || m_member[row] < 0)
        return;
    leave(row);
    m_changed = true;
}

FailureGroups FailureGroups::fromStore(const TaskStore &store, const QVector<qint64> &finishedAtMs,
                                       const QHash<int, QString> &workerHosts)
{
    FailureGroups groups(store.size());
    store.read([&](const TaskStates &states) {
        for (int row = 0; row < states.size(); ++row) {
            const TaskState &st = states[row];
            const QList<AttemptRecord> &history = store.historyLocked(row);
            if (st.status != TaskStatus::Failed && history.isEmpty())
                continue;
            // Failures are of the shape the task ran with (changed by a retry with changes).
            TaskSpec spec = store.spec(row);
            spec.shape = store.shapeLocked(row);
            const qint64 at = finishedAtMs.value(row, -1);
            // The journal keeps when a task finished, not when each earlier attempt did.
            for (const AttemptRecord &a : history) {
                if (a.error == ErrorKind::None || a.error == ErrorKind::Cancelled)
                    continue;
                groups.record(row, spec.id, FailureCause::of(spec, a), a.message,
                              workerHosts.value(a.worker), at, Outcome::Earlier);
            }
            if (st.status == TaskStatus::Failed)
                groups.record(row, spec.id, FailureCause::of(spec, st, store.processLocked(row)),
                              st.message, workerHosts.value(st.worker), at, Outcome::Failed);
        }
    });
    groups.m_changed = false;
    return groups;
}

FailureSummary FailureGroups::summary(int maxGroups) const
{
    return summaryBy(FailureCause::AllFields, maxGroups);
}

FailureSummary FailureGroups::summaryBy(FailureCause::Fields fields, int maxGroups) const
{
    FailureSummary s;
    s.failedTasks = m_failedTasks;
    s.retryingTasks = m_retryingTasks;
    s.failedAttempts = m_failedAttempts;
    s.originMs = m_originMs;
    s.bucketMs = m_bucketMs;
    QVector<FailureGroup> all;
    all.reserve(m_groups.size());
    if (fields == FailureCause::AllFields) {
        for (const Group &group : m_groups)
            all.append(group.g); // hosts below, for the groups kept
    } else {
        QHash<FailureCause, int> merged;
        QVector<QHash<QString, qint64>> hosts;
        for (const Group &group : m_groups) {
            const FailureGroup &g = group.g;
            const FailureCause key = g.cause.projected(fields);
            const auto it = merged.constFind(key);
            if (it == merged.cend()) {
                merged.insert(key, int(all.size()));
                all.append(g);
                all.last().cause = key;
                hosts.append(group.hosts);
                continue;
            }
            FailureGroup &m = all[it.value()];
            const bool betterExample
                    = g.exampleRow >= 0 && (m.exampleRow < 0 || g.tasks() > m.tasks());
            m.ids += g.ids;
            if (betterExample) {
                m.exampleRow = g.exampleRow;
                m.exampleId = g.exampleId;
                m.exampleMessage = g.exampleMessage;
            }
            m.failed += g.failed;
            m.retrying += g.retrying;
            m.attempts += g.attempts;
            if (g.firstAtMs >= 0)
                m.firstAtMs = m.firstAtMs < 0 ? g.firstAtMs : qMin(m.firstAtMs, g.firstAtMs);
            m.lastAtMs = qMax(m.lastAtMs, g.lastAtMs);
            if (!g.histogram.isEmpty()) {
                if (m.histogram.isEmpty())
                    m.histogram.fill(0, HistogramBuckets);
                for (int i = 0; i < HistogramBuckets; ++i)
                    m.histogram[i] += g.histogram[i];
            }
            for (auto h = group.hosts.cbegin(); h != group.hosts.cend(); ++h)
                hosts[it.value()][h.key()] += h.value();
        }
        for (int i = 0; i < all.size(); ++i)
            all[i].workerHosts = sortedHosts(hosts[i]);
    }
    s.groupCount = int(all.size());
    s.activeGroupCount = int(std::count_if(all.cbegin(), all.cend(),
                                           [](const FailureGroup &g) { return g.tasks() > 0; }));
    const qsizetype keep = maxGroups < 0 ? all.size() : qMin<qsizetype>(maxGroups, all.size());
    std::partial_sort(all.begin(), all.begin() + keep, all.end(), comesBefore);
    all.resize(keep);
    if (fields == FailureCause::AllFields) {
        for (FailureGroup &g : all)
            g.workerHosts = sortedHosts(m_groups[g.ids.first()].hosts);
    }
    s.groups = std::move(all);
    return s;
}

int FailureGroups::groupOf(int row) const
{
    if (row < 0 || row >= m_member.size() || m_member[row] < 0)
        return -1;
    return m_member[row] / 2;
}

QVector<int> FailureGroups::rowsOf(const QVector<int> &ids) const
{
    QVector<bool> wanted(m_groups.size());
    for (int id : ids) {
        if (id >= 0 && id < wanted.size())
            wanted[id] = true;
    }
    QVector<int> rows;
    for (int row = 0; row < m_member.size(); ++row) {
        if (m_member[row] >= 0 && wanted[m_member[row] / 2])
            rows.append(row);
    }
    return rows;
}

bool FailureGroups::takeChanged()
{
    return std::exchange(m_changed, false);
}

} // namespace Brigade
