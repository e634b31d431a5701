#include "TaskStore.h"

#include "HugePages.h"

#include <algorithm>
#include <iterator>
#include <new>
#include <type_traits>

namespace Brigade {

const char *statusName(TaskStatus s)
{
    switch (s) {
    case TaskStatus::Queued:
        return "queued";
    case TaskStatus::Running:
        return "running";
    case TaskStatus::Retrying:
        return "retrying";
    case TaskStatus::Succeeded:
        return "succeeded";
    case TaskStatus::Failed:
        return "failed";
    case TaskStatus::Cancelled:
        return "cancelled";
    case TaskStatus::Skipped:
        return "skipped";
    }
    return "unknown";
}

const char *errorKindName(ErrorKind k)
{
    switch (k) {
    case ErrorKind::None:
        return "";
    case ErrorKind::Network:
        return "network";
    case ErrorKind::Timeout:
        return "timeout";
    case ErrorKind::HttpStatus:
        return "http";
    case ErrorKind::TooLarge:
        return "too large";
    case ErrorKind::BadInput:
        return "bad input";
    case ErrorKind::Compute:
        return "compute";
    case ErrorKind::WorkerLost:
        return "worker lost";
    case ErrorKind::Cancelled:
        return "cancelled";
    case ErrorKind::Exit:
        return "exit";
    case ErrorKind::Program:
        return "program";
    case ErrorKind::Tls:
        return "tls";
    case ErrorKind::Protocol:
        return "protocol";
    }
    return "unknown";
}

QByteArray ProcessOutcome::lastStderrLine() const
{
    qsizetype end = stderrTail.size();
    while (end > 0) {
        while (end > 0 && (stderrTail[end - 1] == '\n' || stderrTail[end - 1] == '\r'))
            --end;
        const qsizetype start = stderrTail.lastIndexOf('\n', end - 1) + 1;
        const QByteArray line = stderrTail.mid(start, end - start).trimmed();
        if (!line.isEmpty())
            return line;
        end = start;
    }
    return {};
}

void ProcessOutcome::appendTail(QByteArray *tail, QByteArrayView bytes)
{
    if (bytes.size() >= MaxTailBytes) {
        *tail = bytes.last(MaxTailBytes).toByteArray();
    } else {
        tail->append(bytes);
        if (tail->size() > MaxTailBytes)
            tail->remove(0, tail->size() - MaxTailBytes);
    }
}

qint64 StatusCounts::total() const
{
    qint64 t = 0;
    for (qint64 v : n)
        t += v;
    return t;
}

qint64 StatusCounts::finished() const
{
    return n[int(TaskStatus::Succeeded)] + n[int(TaskStatus::Failed)]
           + n[int(TaskStatus::Cancelled)] + n[int(TaskStatus::Skipped)];
}

TaskStore::TaskStore(QVector<TaskSpec> specs)
    : m_specs(std::move(specs))
    , m_size(int(m_specs.size()))
{
    m_states.resize(int(m_specs.size()));
    m_retired.resize(int(m_specs.size()));
}

TaskState TaskStore::retiredState()
{
    // Terminal, so that whatever still walks every row passes a retired one by.
    TaskState st;
    st.status = TaskStatus::Succeeded;
    return st;
}

const TaskSpec &TaskStore::retiredSpec()
{
    static const TaskSpec none;
    return none;
}

int TaskStore::appendLocked(QVector<TaskSpec> specs)
{
    const int first = size();
    if (m_tail.capacity() == 0)
        m_tail.reserve(MaxTailChunks);
    int row = first;
    for (TaskSpec &spec : specs) {
        const int tail = row - int(m_specs.size());
        const size_t chunk = size_t(tail >> TailChunkBits);
        if (chunk == m_tail.size())
            m_tail.push_back(std::make_unique<TaskSpec[]>(TailChunkSize));
        if (!m_rowOfId.isEmpty())
            m_rowOfId.insert(spec.id, row);
        m_tail[chunk][tail & (TailChunkSize - 1)] = std::move(spec);
        ++row;
    }
    m_states.resize(row);
    m_retired.resize(row);
    m_size.store(row, std::memory_order_release);
    return first;
}

int TaskStore::rowOf(const QString &id) const
{
    Tsan::WriteLocker locker(&m_lock); // the index is built lazily
    const int n = size();
    if (m_rowOfId.isEmpty() && n > 0) {
        m_rowOfId.reserve(n);
        for (int i = 0; i < n; ++i)
            m_rowOfId.insert(spec(i).id, i);
    }
    return m_rowOfId.value(id, -1);
}

TaskState TaskStore::state(int row) const
{
    Tsan::ReadLocker locker(&m_lock);
    return m_states.at(row);
}

QList<AttemptRecord> TaskStore::attemptHistory(int row) const
{
    Tsan::ReadLocker locker(&m_lock);
    return m_history.value(row);
}

ProcessOutcome TaskStore::process(int row) const
{
    Tsan::ReadLocker locker(&m_lock);
    return m_process.value(row);
}

void TaskStore::setProcessLocked(int row, ProcessOutcome process)
{
    if (process.isEmpty())
        m_process.remove(row);
    else
        m_process.insert(row, std::move(process));
}

std::shared_ptr<const TaskShape> TaskStore::currentShape(int row) const
{
    Tsan::ReadLocker locker(&m_lock);
    return shapeLocked(row);
}

bool TaskStore::isChanged(int row) const
{
    Tsan::ReadLocker locker(&m_lock);
    return m_changedShapes.contains(row);
}

void TaskStore::setShapeLocked(int row, std::shared_ptr<const TaskShape> shape)
{
    if (shape == spec(row).shape)
        m_changedShapes.remove(row);
    else
        m_changedShapes.insert(row, std::move(shape));
}

void TaskStore::appendLiveOutputLocked(int row, const QString &command, QByteArrayView out,
                                       QByteArrayView err)
{
    ProcessOutcome &p = m_process[row];
    if (!command.isEmpty())
        p.command = command;
    if (!out.isEmpty())
        ProcessOutcome::appendTail(&p.stdoutTail, out);
    if (!err.isEmpty())
        ProcessOutcome::appendTail(&p.stderrTail, err);
}

StatusCounts TaskStore::counts() const
{
    Tsan::ReadLocker locker(&m_lock);
    StatusCounts c = m_freedCounts;
    m_states.forEachLive([&](int, const TaskState &s) { ++c.n[int(s.status)]; });
    return c;
}

QVector<int> TaskStore::rowsWithStatus(TaskStatus status) const
{
    // Retired rows are not among them: nothing can be done with them any more.
    QVector<int> rows;
    Tsan::ReadLocker locker(&m_lock);
    m_states.forEachLive([&](int row, const TaskState &s) {
        if (s.status == status && !m_retired.at(row))
            rows.append(row);
    });
    return rows;
}

QVector<int> TaskStore::retireLocked(const QVector<int> &rows)
{
    QVector<int> freed;
    const int n = size();
    for (int row : rows) {
        if (row < 0 || row >= n || m_retired.at(row) || !isTerminal(m_states.at(row).status))
            continue;
        m_retired[row] = 1;
        ++m_retiredRows;
        m_history.remove(row);
        m_process.remove(row);
        m_changedShapes.remove(row);
        const int block = TaskStates::blockOf(row);
        if (m_retiredInBlock.size() <= size_t(block))
            m_retiredInBlock.resize(size_t(block) + 1, 0);
        if (++m_retiredInBlock[size_t(block)] < TaskStates::BlockSize)
            continue;
        // Every row of the block retired: its states (counted first) and specs go.
        const int first = block << TaskStates::BlockBits;
        for (int r = first; r < first + TaskStates::BlockSize; ++r)
            ++m_freedCounts.n[int(m_states.at(r).status)];
        m_states.releaseBlock(block);
        m_retired.releaseBlock(block);
        if (!m_rowOfId.isEmpty()) {
            for (int r = first; r < first + TaskStates::BlockSize; ++r)
                m_rowOfId.remove(spec(r).id);
        }
        // The specs: a chunk of the rows added later when the chunks match the blocks (the
        // store began empty, a fed run), or the block's stretch of the batch's own list.
        if (m_specs.size() % TailChunkSize == 0 && first >= m_specs.size()) {
            const size_t chunk = size_t((first - int(m_specs.size())) >> TailChunkBits);
            if (chunk < m_tail.size())
                m_tail[chunk].reset();
        } else if (first + TaskStates::BlockSize <= m_specs.size()) {
            releaseSpecs(block);
        }
        freed.append(block);
    }
    return freed;
}

void TaskStore::releaseSpecs(int block)
{
    // The batch's own rows are one list: their specs are reset to the empty spec (a retired
    // row's, see spec()) and the list's pages under them given back, which a million-task
    // run's 56 MB of specs otherwise held to its end. Not when the list is shared (nothing
    // shares it today): writing to it would copy it whole.
    static const bool emptySpecIsZero = [] {
        alignas(TaskSpec) unsigned char bytes[sizeof(TaskSpec)] = {};
        const TaskSpec *spec = new (bytes) TaskSpec();
        const bool zero = std::all_of(std::begin(bytes), std::end(bytes),
                                      [](unsigned char b) { return b == 0; });
        spec->~TaskSpec();
        return zero;
    }();
    if (!emptySpecIsZero || !m_specs.isDetached())
        return;
    TaskSpec *specs = m_specs.data() + (block << TaskStates::BlockBits);
    for (int i = 0; i < TaskStates::BlockSize; ++i)
        specs[i] = TaskSpec();
    if (m_specsGone.empty())
        m_specsGone.resize(size_t(m_specs.size() >> TaskStates::BlockBits), false);
    m_specsGone[size_t(block)] = true;
    // The pages go back a whole window at a time, once every block over it is reset: one
    // call per 224 KB block split huge pages and stopped the other cores each time, which
    // cost a million-task run ~100 ms (8%) of its wall time.
    constexpr size_t Window = GiveBackWindowBytes;
    const auto base = reinterpret_cast<uintptr_t>(m_specs.constData());
    const uintptr_t listEnd = base + uintptr_t(m_specs.size()) * sizeof(TaskSpec);
    const uintptr_t blockBegin = reinterpret_cast<uintptr_t>(specs);
    const uintptr_t blockEnd = blockBegin + uintptr_t(TaskStates::BlockSize) * sizeof(TaskSpec);
    for (uintptr_t w = blockBegin & ~uintptr_t(Window - 1); w < blockEnd; w += Window) {
        const uintptr_t begin = qMax(w, base);
        const uintptr_t end = qMin(w + Window, listEnd);
        // The blocks this window touches, all reset?
        const size_t firstBlock
                = size_t((begin - base) / sizeof(TaskSpec)) >> TaskStates::BlockBits;
        const size_t lastBlock
                = size_t((end - 1 - base) / sizeof(TaskSpec)) >> TaskStates::BlockBits;
        bool allGone = true;
        for (size_t b = firstBlock; b <= lastBlock && allGone; ++b)
            allGone = b < m_specsGone.size() && m_specsGone[b];
        if (allGone)
            HugePages::giveBack(reinterpret_cast<void *>(begin), size_t(end - begin));
    }
}

TaskStore::~TaskStore()
{
    if (m_specsGone.empty())
        return;
    // Pages given back come again on a read (that is, a destructor's), on this system as
    // memory of their own: a million-task run's exit took its 56 MB back that way. Only the
    // blocks kept are destroyed; the others hold empty specs, with nothing to destroy.
    TaskSpec *specs = m_specs.data();
    const int n = int(m_specs.size());
    for (int first = 0; first < n; first += TaskStates::BlockSize) {
        const size_t block = size_t(first >> TaskStates::BlockBits);
        if (block >= m_specsGone.size() || !m_specsGone[block])
            std::destroy(specs + first, specs + qMin(n, first + TaskStates::BlockSize));
    }
    // What QVector's destructor destroys: none. Qt 6.4's QList has no data_ptr(); its one
    // member is its data pointer, which a standard-layout class shares its address with.
    static_assert(
            std::is_standard_layout_v<QVector<
                    TaskSpec>> && sizeof(QVector<TaskSpec>) == sizeof(QArrayDataPointer<TaskSpec>));
    reinterpret_cast<QArrayDataPointer<TaskSpec> *>(&m_specs)->size = 0;
}

bool TaskStore::isRetired(int row) const
{
    Tsan::ReadLocker locker(&m_lock);
    return row >= 0 && row < m_retired.size() && m_retired.at(row);
}

qint64 TaskStore::retiredRows() const
{
    Tsan::ReadLocker locker(&m_lock);
    return m_retiredRows;
}

qint64 TaskStore::heldRows() const
{
    Tsan::ReadLocker locker(&m_lock);
    return qint64(m_states.liveBlocks()) * TaskStates::BlockSize;
}

void TaskStore::recordAttemptLocked(int row, const AttemptRecord &record)
{
    m_history[row].append(record);
}

void TaskStore::setHistoryLocked(int row, QList<AttemptRecord> history)
{
    if (history.isEmpty())
        m_history.remove(row);
    else
        m_history.insert(row, std::move(history));
}

void TaskStore::resetLocked(int row)
{
    m_states[row] = TaskState{};
    m_history.remove(row);
    m_process.remove(row);
}

} // namespace Brigade
