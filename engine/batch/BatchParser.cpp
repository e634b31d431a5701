#include "BatchParser.h"

#include "BatchFileCheck.h"
#include "BatchLineParser.h"
#include "IdSet.h"
#include "ShapeTable.h"
#include "compute/ComputeRegistry.h"
#include "core/HugePages.h"
#include "usercode/CommandSpec.h"

#include <QFile>
#include <QFileInfo>
#include <QFuture>
#include <QHash>
#include <QSemaphore>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <mutex>

namespace Brigade {

namespace {

// Chunks are parsed in parallel: big enough that the per-chunk costs (a thread hand-off,
// a cold line cache) vanish, small enough to balance the threads.
constexpr qsizetype MaxChunkBytes = 4 * 1024 * 1024;
constexpr qsizetype MinChunkBytes = 256 * 1024;
// Batches from this size on get arenas of large blocks (BatchLineParser::Arenas).
constexpr qsizetype LargeArenaBatchBytes = 8 * 1024 * 1024;
// Lines between looks at the cancel flag and the progress counter.
constexpr int LinesPerTick = 2048;

struct Chunk
{
    qsizetype begin = 0;
    qsizetype end = 0;
    qint64 firstLine = 1;
    BatchLineParser::Result result;
};

// State shared by the threads parsing one batch.
struct Shared
{
    const char *data = nullptr;
    qsizetype total = 0;
    bool text = false;
    bool arguments = false; // a list of arguments (BatchParser::parseArgumentList)
    QString fileName;
    const BatchLineParser::Fields *defaults = nullptr;
    const ProgramTable *programs = nullptr;
    const BatchParser::Options *options = nullptr;
    QThread *caller = nullptr;
    std::atomic<qint64> done{0};
    std::atomic_bool cancelled{false};
    qint64 lastReportedPercent = -1; // caller thread only
    QSemaphore chunkFinished;
    ShapeTable shapes;
    // Arenas for the ids and URLs of the chunks being parsed, one per thread at a time.
    std::mutex arenasLock;
    std::vector<std::unique_ptr<BatchLineParser::Arenas>> freeArenas;
    bool largeArenas = false; // a big batch: blocks of megabytes on huge pages

    std::unique_ptr<BatchLineParser::Arenas> takeArenas()
    {
        {
            std::lock_guard<std::mutex> lock(arenasLock);
            if (!freeArenas.empty()) {
                auto arenas = std::move(freeArenas.back());
                freeArenas.pop_back();
                return arenas;
            }
        }
        auto arenas = std::make_unique<BatchLineParser::Arenas>();
        if (largeArenas) {
            arenas->ids.useLargeBlocks();
            arenas->urls.useLargeBlocks();
            arenas->inputs.useLargeBlocks();
        }
        return arenas;
    }
    void giveBackArenas(std::unique_ptr<BatchLineParser::Arenas> arenas)
    {
        std::lock_guard<std::mutex> lock(arenasLock);
        freeArenas.push_back(std::move(arenas));
    }

    bool cancelRequested()
    {
        if (options->cancel && options->cancel->load(std::memory_order_relaxed))
            cancelled.store(true, std::memory_order_relaxed);
        return cancelled.load(std::memory_order_relaxed);
    }

    // Progress goes out from the calling thread only, at most once per percent.
    void reportProgress()
    {
        if (!options->progress || QThread::currentThread() != caller || total <= 0)
            return;
        const qint64 bytes = done.load(std::memory_order_relaxed);
        const qint64 percent = bytes * 100 / total;
        if (percent > lastReportedPercent) {
            lastReportedPercent = percent;
            options->progress(bytes, total);
        }
    }
};

const quint8 ExecOpId = ComputeRegistry::instance().idOf("exec");

bool isLineSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// JSON Lines unless the name ends in .txt, or the name says nothing and the first
// non-blank byte is not '{'.
bool isTextFormat(const QString &fileName, QByteArrayView data)
{
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    if (suffix == u"txt")
        return true;
    if (suffix == u"jsonl" || suffix == u"ndjson")
        return false;
    for (char c : data) {
        if (!isLineSpace(c))
            return c != '{';
    }
    return false;
}

QByteArrayView lineAt(const char *data, qsizetype begin, qsizetype end, qsizetype *next)
{
    const void *nl = std::memchr(data + begin, '\n', size_t(end - begin));
    const qsizetype lineEnd = nl ? static_cast<const char *>(nl) - data : end;
    *next = lineEnd + 1;
    qsizetype length = lineEnd - begin;
    if (length > 0 && data[begin + length - 1] == '\r')
        --length; // CRLF
    return QByteArrayView(data + begin, length);
}

void parseChunk(Shared &shared, Chunk &chunk)
{
    // This chunk's slots of the batch's task list, made on this thread (see parseView).
    std::uninitialized_value_construct_n(chunk.result.into, chunk.result.intoCapacity);
    // The thread's arenas while it parses this chunk: its next chunk goes on filling
    // their blocks (blocks of a chunk's own were each left partly empty).
    struct ArenasLease
    {
        Shared &shared;
        std::unique_ptr<BatchLineParser::Arenas> arenas = shared.takeArenas();
        ~ArenasLease() { shared.giveBackArenas(std::move(arenas)); }
    } lease{shared};
    BatchLineParser parser(shared.fileName, shared.defaults, shared.options->maxErrors,
                           &chunk.result);
    parser.setArenas(lease.arenas.get());
    parser.setPrograms(shared.programs);
    parser.setShapeTable(&shared.shapes);
    parser.setData(QByteArrayView(shared.data, shared.total));
    qint64 lineNo = chunk.firstLine;
    qsizetype reported = chunk.begin;
    int sinceTick = 0;
    for (qsizetype pos = chunk.begin, next = 0; pos < chunk.end; pos = next, ++lineNo) {
        const QByteArrayView line = lineAt(shared.data, pos, chunk.end, &next);
        if (shared.arguments)
            parser.parseArgumentLine(line, lineNo);
        else if (shared.text)
            parser.parseTextLine(line, lineNo);
        else if (!BatchLineParser::isBlank(line))
            parser.parseJsonLine(line, lineNo);
        if (++sinceTick == LinesPerTick) {
            sinceTick = 0;
            const qsizetype upTo = std::min(next, chunk.end); // no final newline: end + 1
            shared.done.fetch_add(upTo - reported, std::memory_order_relaxed);
            reported = upTo;
            if (shared.cancelRequested()) {
                chunk.result.cancelled = true;
                return;
            }
            shared.reportProgress();
        }
    }
    shared.done.fetch_add(chunk.end - reported, std::memory_order_relaxed);
}

qint64 countLines(const char *data, qsizetype begin, qsizetype end)
{
    qint64 n = 0;
    if (begin >= end)
        return 0; // data may be null then
    for (const char *p = data + begin, *stop = data + end;
         (p = static_cast<const char *>(std::memchr(p, '\n', size_t(stop - p)))) != nullptr; ++p)
        ++n;
    return n;
}

// Runs job(0..n-1) on the calling thread and on helpers from the global thread pool. The
// calling thread takes chunks too, so this finishes even when the pool is busy.
template<typename Job>
void runParallel(Shared &shared, int n, const Job &job)
{
    std::atomic<int> nextIndex{0};
    std::atomic<int> workersDone{0};
    auto work = [&] {
        for (int i; (i = nextIndex.fetch_add(1)) < n;) {
            job(i);
            shared.chunkFinished.release();
        }
        workersDone.fetch_add(1, std::memory_order_release); // its last touch of this frame
    };
    const int helpers = std::min(n, QThread::idealThreadCount()) - 1;
    QList<QFuture<void>> futures;
    for (int i = 0; i < helpers; ++i)
        futures.append(QtConcurrent::run(work));
    work();
    // Every chunk has been taken; wait for the helpers' last ones, reporting progress.
    for (int finished = 0; finished < n;) {
        if (shared.chunkFinished.tryAcquire(1, 50))
            ++finished;
        shared.reportProgress();
    }
    for (QFuture<void> &f : futures)
        f.waitForFinished();
    // Qt's waits order the helpers' work before what follows, out of ThreadSanitizer's sight
    // (Qt is not built with it): this acquire, paired with each helper's release, says so.
    [[maybe_unused]] const int done = workersDone.load(std::memory_order_acquire);
    Q_ASSERT(done == helpers + 1);
}

class Merger
{
public:
    Merger(Batch *batch, int maxErrors, const char *data, const std::vector<Chunk> &chunks)
        : m_batch(batch)
        , m_maxErrors(maxErrors)
        , m_data(data)
        , m_chunks(chunks)
    {}

    // The defaults line's result: problems only, no tasks.
    void addHead(BatchLineParser::Result &r)
    {
        Q_ASSERT(r.taskCount() == 0 && r.errorLineIds.empty());
        m_batch->errors.append(r.errors);
        m_batch->errorCount += r.errorCount;
        m_mapReduce += r.mapReduce;
    }

    // A chunk's result, in file order. Its tasks are in the batch's list already, in the
    // chunk's own slots; they move down only when earlier chunks left slots empty (blank
    // lines, errors).
    void add(BatchLineParser::Result &r)
    {
        // Each distinct shape is one object batch-wide: through the ShapeTable the chunks
        // share, or, without one, by mapping a chunk's copy to the first.
        QHash<const TaskShape *, int> replaced; // the chunk's shape -> the batch's
        for (size_t k = 0; k < m_ownShapeTasks.size(); ++k)
            m_ownShapeTasks[k] += r.ownShapeTasks[k];
        for (size_t s = 0; s < r.shapes.size(); ++s) {
            auto it = m_shapeIndex.constFind(r.shapeKeys[s]);
            if (it == m_shapeIndex.constEnd()) {
                it = m_shapeIndex.insert(r.shapeKeys[s], int(m_shapes.size()));
                m_shapes.push_back(r.shapes[s]);
                m_uses.push_back(0);
            } else if (m_shapes[size_t(it.value())] != r.shapes[s]) {
                replaced.insert(r.shapes[s].get(), it.value());
            }
            m_uses[size_t(it.value())] += r.shapeUses[s];
        }
        TaskSpec *tasks = m_batch->tasks.data();
        const qsizetype offset = m_count;
        TaskSpec *from = r.into;
        if (from != tasks + offset)
            std::move(from, from + r.intoCount, tasks + offset);
        if (!replaced.isEmpty()) { // only without a ShapeTable
            for (qsizetype i = offset; i < offset + r.intoCount; ++i) {
                const auto it = replaced.constFind(tasks[i].shape.get());
                if (it != replaced.constEnd())
                    tasks[i].shape = m_shapes[size_t(it.value())];
            }
        }
        m_count += r.intoCount;
        for (const bool written : r.idWritten)
            m_writtenIds += written ? 1 : 0;
        m_idWritten.insert(m_idWritten.end(), r.idWritten.begin(), r.idWritten.end());
        r.idWritten = {};
        for (BatchLineParser::ErrorLineId &id : r.errorLineIds)
            m_errorLineIds.push_back(std::move(id));
        r.errorLineIds = {};
        m_batch->errors.append(r.errors);
        m_batch->errorCount += r.errorCount;
        m_mapReduce += r.mapReduce;
    }

    void finish()
    {
        m_batch->tasks.resize(m_count);
        checkMapReduce();
        checkDuplicateIds();
        std::stable_sort(m_batch->errors.begin(), m_batch->errors.end(),
                         [](const BatchError &a, const BatchError &b) {
                             return a.line != b.line ? a.line < b.line : a.column < b.column;
                         });
        if (m_batch->errors.size() > m_maxErrors)
            m_batch->errors.resize(std::max(0, m_maxErrors));
        // Counted per kind first: there may be a shape per task.
        std::array<qint64, FetchKindNames.size()> kinds{};
        std::array<qint64, 256> ops{};
        for (size_t k = 0; k < kinds.size(); ++k) {
            kinds[k] += m_ownShapeTasks[k];
            ops[0] += m_ownShapeTasks[k];
        }
        for (size_t g = 0; g < m_shapes.size(); ++g) {
            kinds[fetchKindIndex(*m_shapes[g])] += m_uses[g];
            ops[m_shapes[g]->compute.op] += m_uses[g];
        }
        for (size_t k = 0; k < kinds.size(); ++k) {
            if (kinds[k] > 0)
                m_batch->fetchKinds.insert(QString::fromLatin1(FetchKindNames[k]), kinds[k]);
        }
        for (size_t id = 0; id < ops.size(); ++id) {
            const ComputeOp *op = ComputeRegistry::instance().op(quint8(id));
            if (ops[id] > 0)
                m_batch->computeOps.insert(
                        op ? QString::fromUtf8(op->name()) : QStringLiteral("none"), ops[id]);
        }
        // What the batch would run of the user's own: shown before it runs.
        for (size_t g = 0; g < m_shapes.size(); ++g) {
            CommandSpec command;
            if (m_uses[g] > 0 && m_shapes[g]->compute.op == ExecOpId
                && CommandSpec::decode(m_shapes[g]->compute.params, &command))
                m_batch->commands[command.displayTemplate()] += m_uses[g];
        }
    }

private:
    void addError(int line, const QString &message)
    {
        ++m_batch->errorCount;
        m_batch->errors.append(BatchError{m_batch->path, line, 1, message});
    }

    // A MapReduce job is a batch of its own: one job line and no tasks.
    void checkMapReduce()
    {
        if (m_mapReduce.isEmpty())
            return;
        const MapReduceSpec &first = m_mapReduce.first();
        for (qsizetype i = 1; i < m_mapReduce.size(); ++i)
            addError(m_mapReduce[i].line,
                     QStringLiteral("only one \"mapreduce\" job per batch (the first is on line "
                                    "%1)")
                             .arg(first.line));
        if (!m_batch->tasks.isEmpty())
            addError(first.line, QStringLiteral("a \"mapreduce\" job must be alone in its batch, "
                                                "but line %1 is a task")
                                         .arg(m_batch->tasks.first().line));
        if (m_mapReduce.size() == 1 && m_batch->tasks.isEmpty())
            m_batch->mapReduce = first;
    }

    // Ids written in the file must be unique, also against the line-number ids of tasks
    // without one. The later line is the error, naming the line that used the id first.
    // The ids compared are the tasks' own (no list of them is made: a million ids' list was
    // 32 MB) and those of lines that made no task.
    void checkDuplicateIds()
    {
        if (m_writtenIds == 0 && m_errorLineIds.empty())
            return; // only line numbers: unique
        QVector<TaskSpec> &tasks = m_batch->tasks;
        const size_t taskCount = size_t(tasks.size());
        // Every id in line order: tasks are; lines without a task go between them. Entry i
        // is a task's row, or ~k for m_errorLineIds[k]. Made only when there are such lines.
        std::vector<qint32> order;
        if (!m_errorLineIds.empty()) {
            order.reserve(taskCount + m_errorLineIds.size());
            size_t k = 0;
            for (size_t t = 0; t < taskCount; ++t) {
                for (;
                     k < m_errorLineIds.size() && m_errorLineIds[k].line < tasks[qsizetype(t)].line;
                     ++k)
                    order.push_back(~qint32(k));
                order.push_back(qint32(t));
            }
            for (; k < m_errorLineIds.size(); ++k)
                order.push_back(~qint32(k));
        }
        const size_t count = order.empty() ? taskCount : order.size();
        const auto entry = [&](size_t i) {
            return order.empty() ? qint32(i) : order[i];
        };
        const auto idAt = [&](size_t i) -> const QString & {
            const qint32 e = entry(i);
            return e >= 0 ? tasks[e].id : m_errorLineIds[size_t(~e)].id;
        };
        const auto lineAt = [&](size_t i) -> qint64 {
            const qint32 e = entry(i);
            return e >= 0 ? tasks[e].line : m_errorLineIds[size_t(~e)].line;
        };
        // Equal ids have equal UTF-16.
        const auto found = IdSet::duplicates(count, [&](size_t i) {
            const QString &id = idAt(i);
            return QByteArrayView(reinterpret_cast<const char *>(id.constData()),
                                  id.size() * qsizetype(sizeof(QChar)));
        });
        std::vector<bool> drop;
        QList<BatchError> duplicates; // in line order; finish() sorts them in
        for (const auto &[later, first] : found) {
            const qint32 e = entry(later);
            const qint64 line = lineAt(later);
            ++m_batch->errorCount;
            if (duplicates.size() < m_maxErrors) {
                // A line-number id was not written: its line has no column for it.
                const bool written = e < 0 || m_idWritten[size_t(e)];
                const int column = written ? BatchLineParser::keyColumn(lineText(line), "id") : 1;
                duplicates.append(
                        BatchError{m_batch->path, int(line), column,
                                   QStringLiteral("duplicate id \"%1\" (first used on line %2)")
                                           .arg(idAt(later))
                                           .arg(lineAt(first))});
            }
            if (e >= 0) {
                if (drop.empty())
                    drop.resize(taskCount, false);
                drop[size_t(e)] = true;
            }
        }
        m_batch->errors.append(duplicates);
        if (drop.empty())
            return;
        // Each dropped task's use of its shape is taken back (shapes found by address).
        QHash<const TaskShape *, size_t> shapeOf;
        for (size_t g = 0; g < m_shapes.size(); ++g)
            shapeOf.insert(m_shapes[g].get(), g);
        qsizetype out = 0;
        for (qsizetype i = 0; i < tasks.size(); ++i) {
            if (drop[size_t(i)]) {
                const auto g = shapeOf.constFind(tasks[i].shape.get());
                if (g != shapeOf.constEnd())
                    --m_uses[g.value()];
                else // a URL list's line
                    --m_ownShapeTasks[fetchKindIndex(tasks[i])];
                continue;
            }
            if (out != i)
                tasks[out] = std::move(tasks[i]);
            ++out;
        }
        tasks.resize(out);
    }

    // The text of a body line, found again (for the column of a duplicate id): from the
    // start of its chunk.
    QByteArrayView lineText(qint64 line) const
    {
        const auto chunk
                = std::upper_bound(m_chunks.begin(), m_chunks.end(), line,
                                   [](qint64 l, const Chunk &c) { return l < c.firstLine; });
        if (chunk == m_chunks.begin() || !m_data)
            return {};
        const Chunk &c = *(chunk - 1);
        qsizetype pos = c.begin;
        for (qint64 n = c.firstLine; n < line && pos < c.end; ++n) {
            const void *nl = std::memchr(m_data + pos, '\n', size_t(c.end - pos));
            pos = nl ? static_cast<const char *>(nl) - m_data + 1 : c.end;
        }
        qsizetype next = 0;
        return pos < c.end ? lineAt(m_data, pos, c.end, &next) : QByteArrayView();
    }

    Batch *m_batch;
    int m_maxErrors;
    QHash<QByteArray, int> m_shapeIndex;
    std::vector<std::shared_ptr<const TaskShape>> m_shapes;
    std::vector<qint64> m_uses;
    // Tasks whose shape is not in m_shapes (a URL list's lines), per fetch kind; their op
    // is none.
    std::array<qint64, FetchKindNames.size()> m_ownShapeTasks{};
    qsizetype m_count = 0;         // tasks so far, at the front of the batch's list
    std::vector<bool> m_idWritten; // per task (BatchLineParser::Result::idWritten)
    size_t m_writtenIds = 0;
    std::vector<BatchLineParser::ErrorLineId> m_errorLineIds; // in line order
    const char *m_data;
    const std::vector<Chunk> &m_chunks;
    QVector<MapReduceSpec> m_mapReduce;
};

// argumentDefaults: bytes is a list of arguments, with this defaults line (see
// BatchParser::parseArgumentList); its lines are numbered in the list, the tasks' lines in
// the batch made of it.
Batch parseView(QByteArrayView bytes, const QString &fileName, const BatchParser::Options &options,
                const QByteArrayView *argumentDefaults = nullptr)
{
    Batch batch;
    batch.path = fileName;
    const char *data = bytes.data();
    const qsizetype size = bytes.size();

    std::optional<BatchError> whole;
    if (!argumentDefaults) // any bytes are arguments
        whole = BatchFileCheck::check(bytes, fileName);
    if (whole) {
        batch.lines = countLines(data, 0, size) + (size > 0 && data[size - 1] != '\n' ? 1 : 0);
        batch.errors.append(*whole);
        batch.errorCount = 1;
        return batch;
    }
    qsizetype start = 0;
    if (bytes.startsWith("\xef\xbb\xbf") && !argumentDefaults)
        start = 3; // UTF-8 byte order mark
    Shared shared;
    shared.data = data;
    shared.total = size;
    shared.arguments = argumentDefaults != nullptr;
    shared.text = !shared.arguments && isTextFormat(fileName, bytes.sliced(start));
    // A few blocks of megabytes hold hundreds of thousands of ids; a small batch's few
    // would each take a whole huge page.
    shared.largeArenas = size - start >= LargeArenaBatchBytes;
    shared.fileName = fileName;
    shared.options = &options;
    shared.caller = QThread::currentThread();
    shared.done = start;

    // The defaults line, if any, is the first non-blank line; the parallel part begins
    // after it so every chunk sees the same defaults.
    BatchLineParser::Result head;
    BatchLineParser::Fields defaults;
    ProgramTable programs;
    qint64 bodyFirstLine = 1;
    qsizetype bodyStart = start;
    if (shared.arguments) {
        BatchLineParser parser(fileName, nullptr, options.maxErrors, &head);
        if (parser.parseDefaultsLine(*argumentDefaults, 1, &defaults, &programs, &batch.pacing,
                                     &batch.hasPacing)) {
            shared.defaults = &defaults;
            shared.programs = &programs;
            batch.defaultsText = QString::fromUtf8(*argumentDefaults).trimmed();
        }
    } else if (!shared.text) {
        qint64 lineNo = 1;
        for (qsizetype pos = start, next = 0; pos < size; pos = next, ++lineNo) {
            const QByteArrayView line = lineAt(data, pos, size, &next);
            if (BatchLineParser::isBlank(line))
                continue;
            BatchLineParser parser(fileName, nullptr, options.maxErrors, &head);
            if (parser.parseDefaultsLine(line, lineNo, &defaults, &programs, &batch.pacing,
                                         &batch.hasPacing)) {
                shared.defaults = &defaults;
                shared.programs = &programs;
                batch.defaultsText = QString::fromUtf8(line).trimmed();
                bodyStart = std::min(next, size);
                bodyFirstLine = lineNo + 1;
                shared.done = bodyStart;
            }
            break;
        }
    }

    // Chunks end at line boundaries.
    const qsizetype chunkBytes = qBound(
            MinChunkBytes, (size - bodyStart) / (4 * QThread::idealThreadCount()), MaxChunkBytes);
    std::vector<Chunk> chunks;
    for (qsizetype begin = bodyStart; begin < size;) {
        qsizetype end = size;
        if (size - begin > chunkBytes) {
            const void *nl = std::memchr(data + begin + chunkBytes - 1, '\n',
                                         size_t(size - (begin + chunkBytes - 1)));
            if (nl)
                end = static_cast<const char *>(nl) - data + 1;
        }
        Chunk chunk;
        chunk.begin = begin;
        chunk.end = end;
        chunks.push_back(std::move(chunk));
        begin = end;
    }

    // Line numbers are global, so each chunk needs the count of lines before it.
    std::vector<qint64> newlines(chunks.size());
    if (chunks.size() == 1) {
        newlines[0] = countLines(data, chunks[0].begin, chunks[0].end);
    } else if (chunks.size() > 1) {
        runParallel(shared, int(chunks.size()), [&](int i) {
            newlines[size_t(i)] = countLines(data, chunks[size_t(i)].begin, chunks[size_t(i)].end);
        });
    }
    qint64 lineNo = bodyFirstLine;
    qsizetype room = 0;
    for (size_t i = 0; i < chunks.size(); ++i) {
        chunks[i].firstLine = lineNo;
        lineNo += newlines[i];
        room += qsizetype(newlines[i]) + 1;
    }
    // A task per line at most: each chunk writes its tasks straight into its stretch of the
    // batch's list, so a million tasks are neither moved nor copied (the merge closes the
    // gaps that lines without a task leave).
    // The slots are made by the chunks' threads (see parseChunk): made here, a million of
    // them were a third of the parse on one thread, most of it the page faults of their
    // memory's first touch.
    // Allocated exactly (resize() would leave room to grow); handed to batch.tasks once
    // every slot is made.
    const auto list = QTypedArrayData<TaskSpec>::allocate(room);
    HugePages::advise(list.second, size_t(room) * sizeof(TaskSpec));
    // The same for the URLs of a URL list's lines (BatchLineParser::urlList), should the
    // batch have any: only the slots written take memory.
    using UrlRegion = UrlList::allocator_type::Region;
    std::shared_ptr<const UrlRegion> urlRegion;
    if (size_t(room) * sizeof(QByteArray) >= HugePages::MinBytes)
        urlRegion = std::make_shared<const UrlRegion>(size_t(room));
    {
        TaskSpec *at = list.second;
        for (size_t i = 0; i < chunks.size(); ++i) {
            chunks[i].result.into = at;
            chunks[i].result.intoCapacity = qsizetype(newlines[i]) + 1;
            if (urlRegion && urlRegion->begin) {
                chunks[i].result.urlAllocator
                        = UrlList::allocator_type(urlRegion, urlRegion->begin + (at - list.second),
                                                  size_t(chunks[i].result.intoCapacity));
            }
            at += chunks[i].result.intoCapacity;
            chunks[i].result.idWritten.reserve(size_t(newlines[i]) + 1);
        }
    }
    if (shared.arguments) {
        // The made batch: the defaults line, then each line of the list, every one closed.
        batch.lines = 1 + (lineNo - bodyFirstLine) + (size > 0 && data[size - 1] != '\n' ? 1 : 0);
        batch.lastLineOpen = false;
    } else {
        const qint64 bodyNewlines = countLines(data, start, bodyStart);
        batch.lines = size == start ? 0 : bodyNewlines + (lineNo - bodyFirstLine);
        if (size > start && data[size - 1] != '\n')
            ++batch.lines; // no final newline
        batch.lastLineOpen = size > 0 && data[size - 1] != '\n';
    }

    if (chunks.size() == 1)
        parseChunk(shared, chunks.front());
    else if (chunks.size() > 1)
        runParallel(shared, int(chunks.size()),
                    [&](int i) { parseChunk(shared, chunks[size_t(i)]); });
    // Every chunk made its slots, cancelled or not: the list holds them all.
    batch.tasks = QVector<TaskSpec>(QArrayDataPointer<TaskSpec>(list.first, list.second, room));

    if (shared.cancelled.load() || (options.cancel && options.cancel->load())) {
        // A partial batch must not pass for a whole one.
        Batch cancelled;
        cancelled.path = fileName;
        cancelled.cancelled = true;
        return cancelled;
    }

    Merger merger(&batch, options.maxErrors, data, chunks);
    merger.addHead(head);
    for (Chunk &chunk : chunks)
        merger.add(chunk.result);
    merger.finish();
    if (batch.tasks.capacity() - batch.tasks.size() > batch.tasks.size() / 8)
        batch.tasks.squeeze(); // many lines without a task: give the room back
    batch.programs = programs;
    if (options.progress && size > 0)
        options.progress(size, size);
    return batch;
}

} // namespace

Batch BatchParser::parseData(const QByteArray &data, const QString &fileName,
                             const Options &options)
{
    return parseView(QByteArrayView(data), fileName, options);
}

Batch BatchParser::parseArgumentList(QByteArrayView list, QByteArrayView defaultsLine,
                                     const QString &fileName, const Options &options)
{
    return parseView(list, fileName, options, &defaultsLine);
}

Batch BatchParser::parseFile(const QString &path, const Options &options)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        Batch batch;
        batch.path = path;
        batch.errors.append(
                BatchError{path, 0, 0, QStringLiteral("cannot open: %1").arg(file.errorString())});
        batch.errorCount = 1;
        return batch;
    }
    // Mapped rather than read: no copy of a file that may be hundreds of megabytes. Some
    // files (pipes, /proc) cannot be mapped and are read instead.
    const qint64 size = file.size();
    if (size > 0) {
        if (const uchar *mapped = file.map(0, size)) {
            Batch batch = parseView(
                    QByteArrayView(reinterpret_cast<const char *>(mapped), qsizetype(size)), path,
                    options);
            file.unmap(const_cast<uchar *>(mapped));
            return batch;
        }
    }
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        Batch batch;
        batch.path = path;
        batch.errors.append(
                BatchError{path, 0, 0, QStringLiteral("cannot read: %1").arg(file.errorString())});
        batch.errorCount = 1;
        return batch;
    }
    return parseData(data, path, options);
}

} // namespace Brigade
