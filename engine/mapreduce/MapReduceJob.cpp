#include "MapReduceJob.h"

#include "ChunkParams.h"
#include "CountTable.h"
#include "Reducer.h"
#include "compute/ComputeRegistry.h"
#include "core/TaskStore.h"
#include "run/Engine.h"

#include <QFile>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Brigade {

namespace {

constexpr qint64 MiB = 1024 * 1024;
constexpr qint64 MaxChunks = 1000000;
constexpr int MaxErrorsKept = 20;

QString chunkName(const QString &path, qint64 offset, qint64 length)
{
    return QStringLiteral("%1:%2-%3")
            .arg(QFileInfo(path).fileName())
            .arg(offset)
            .arg(offset + length);
}

} // namespace

MapReduceJob::MapReduceJob(MapReduceSpec spec, RunSettings settings, QObject *parent)
    : Job(parent)
    , m_spec(std::move(spec))
    , m_settings(std::move(settings))
{
    setTitle(QStringLiteral("MapReduce"));
    setCapabilities(Killable);
    setProgressUnit(Unit::Bytes);
    m_pool.setMaxThreadCount(1);
    m_pool.setObjectName(QStringLiteral("brigade-reduce"));
    connect(&m_mergeWatcher, &QFutureWatcher<MergeOutcome>::finished, this,
            &MapReduceJob::onMergeDone);
    connect(&m_finishWatcher, &QFutureWatcher<MapReduceResult>::finished, this, [this] {
        MapReduceResult result = m_finishWatcher.result();
        result.elapsedMs = m_clock.elapsed();
        m_running = false;
        m_engine.reset(); // the workers have stopped; nothing of the run is needed any more
        m_reducer.reset();
        m_result = std::move(result);
        if (m_result.status == MapReduceResult::Status::Failed) {
            setError(FailedError);
            setErrorText(m_result.errors.value(0));
        }
        emitResult();
    });
}

MapReduceJob::~MapReduceJob()
{
    // A merge may still be reading the reducer.
    m_pool.waitForDone();
    // The job is often the last holder of its result (the view let go of it first): a
    // table and a top list of a million keys take long enough to free that the caller's
    // (a GUI's) thread must not do it.
    if (m_result.table || !m_result.top.isEmpty())
        (void)QtConcurrent::run([result = std::move(m_result)]() mutable { result = {}; });
}

qint64 MapReduceJob::autoChunkBytes(qint64 totalBytes, int workers)
{
    // Measured on W5 (500 MB, 2 workers): 8 MB chunks ran the job in 0.34-0.41 s, 32 MB
    // chunks in 0.52-0.66 s (a late first result, an idle worker at the end), 2 MB chunks
    // in 0.54-0.56 s (mapping and merging costs per chunk).
    const qint64 chunks = 32 * qint64(qMax(1, workers));
    return qBound(MiB, (totalBytes + chunks - 1) / chunks, 32 * MiB);
}

bool MapReduceJob::statFile(const QString &path, Input *input, QString *error)
{
    const QByteArray local = QFile::encodeName(path);
    // Opened, not just stat()ed: what matters is whether the workers can read it.
    const int fd = ::open(local.constData(), O_RDONLY | O_CLOEXEC);
    struct stat st = {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
        *error = QStringLiteral("cannot read input %1: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        if (fd >= 0)
            ::close(fd);
        return false;
    }
    ::close(fd);
    if (!S_ISREG(st.st_mode)) {
        *error = QStringLiteral("input %1 is not a regular file").arg(path);
        return false;
    }
    input->path = path;
    input->localPath = local;
    input->size = qint64(st.st_size);
    input->mtimeNs = qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    return true;
}

void MapReduceJob::failToStart(const QString &error)
{
    setError(StartError);
    setErrorText(error);
    m_result.status = MapReduceResult::Status::Failed;
    m_result.errors = QStringList{error};
    // Never from inside start(): the caller connects after it returns, as with any result.
    QMetaObject::invokeMethod(this, &MapReduceJob::emitResult, Qt::QueuedConnection);
}

void MapReduceJob::doStart()
{
    const MapReduceSpec &spec = m_spec;
    const RunSettings &settings = m_settings;
    QVector<Input> inputs;
    qint64 total = 0;
    QString error;
    for (const QString &path : spec.inputs) {
        Input input;
        if (!statFile(path, &input, &error))
            return failToStart(error);
        total += input.size;
        inputs.append(input);
    }
    const qint64 chunkBytes = spec.chunkBytes > 0
                                      ? spec.chunkBytes
                                      : autoChunkBytes(total, settings.effectiveWorkers());
    qint64 chunkCount = 0;
    for (const Input &input : std::as_const(inputs))
        chunkCount += (input.size + chunkBytes - 1) / chunkBytes;
    if (chunkCount > MaxChunks) {
        return failToStart(
                QStringLiteral("chunk_bytes %1 makes %2 chunks of %3 bytes of input (at most %4 "
                               "chunks)")
                        .arg(chunkBytes)
                        .arg(chunkCount)
                        .arg(total)
                        .arg(MaxChunks));
    }

    m_inputs = inputs;
    m_totalBytes = total;
    m_chunks.clear();
    m_queue.clear();
    m_errors.clear();
    m_merging = m_engineDone = m_finishing = m_cancelled = false;
    m_chunksDone = m_chunksFailed = 0;
    m_bytesDone = m_keys = 0;
    m_badLines = 0;
    m_reducer = std::make_unique<Reducer>(total);
    m_running = true;
    m_clock.start();

    const quint8 op = ComputeRegistry::instance().idOf(spec.format == MapFormat::Ngram
                                                               ? QByteArrayLiteral("map_ngram")
                                                               : QByteArrayLiteral("map_words"));
    QVector<TaskSpec> tasks;
    tasks.reserve(qsizetype(chunkCount));
    m_chunks.reserve(qsizetype(chunkCount));
    for (int i = 0; i < inputs.size(); ++i) {
        const Input &input = inputs[i];
        for (qint64 offset = 0; offset < input.size; offset += chunkBytes) {
            Chunk chunk{i, offset, qMin(chunkBytes, input.size - offset), false, {}};
            auto shape = std::make_shared<TaskShape>();
            shape->compute.op = op;
            shape->compute.params = ChunkParams{input.localPath, chunk.offset, chunk.length,
                                                input.size, input.mtimeNs}
                                            .encode();
            shape->maxAttempts = spec.maxAttempts;
            shape->timeoutMs = spec.timeoutMs;
            tasks.append(TaskSpec{chunkName(input.path, chunk.offset, chunk.length),
                                  std::move(shape), spec.line});
            m_chunks.append(chunk);
        }
    }
    if (tasks.isEmpty()) {
        // Only empty inputs: nothing for workers to do.
        m_engineDone = true;
        QMetaObject::invokeMethod(this, &MapReduceJob::maybeFinish, Qt::QueuedConnection);
        return;
    }

    RunSettings run = settings;
    run.journalPath.clear(); // partial results are dropped once merged: nothing to resume
    // A chunk in the works and one queued per compute thread: the workers never wait for
    // the next chunk, and a slow worker holds back no more than that.
    run.concurrency = qMax(1, settings.computeThreads) * 2;
    m_engine = std::make_unique<Engine>();
    connect(m_engine.get(), &Engine::tasksFinished, this, &MapReduceJob::onTasksFinished);
    connect(m_engine.get(), &Engine::finished, this, &MapReduceJob::onEngineFinished);
    connect(m_engine.get(), &Engine::progress, this, &MapReduceJob::emitProgress);
    connect(m_engine.get(), &Engine::message, this,
            [this](const QString &text) { emit infoMessage(this, text); });
    connect(m_engine.get(), &Engine::workerMessage, this,
            [this](int, const QString &text) { emit infoMessage(this, text); });
    emit engineStarted(m_engine.get());
    m_engine->start(std::make_shared<TaskStore>(std::move(tasks)), run);
    emitProgress();
}

bool MapReduceJob::doKill()
{
    if (!m_running || m_cancelled)
        return false;
    m_cancelled = true;
    if (m_engine && !m_engineDone)
        m_engine->cancel();
    return true;
}

void MapReduceJob::onTasksFinished(const QVector<int> &rows)
{
    QVector<Partial> arrived;
    QStringList failures;
    // Taken out of the store: once merged, a partial result is gone for good.
    m_engine->store()->write([&](TaskStates &states, TaskStore &) {
        for (int row : rows) {
            TaskState &st = states[row];
            const Chunk &chunk = m_chunks[row];
            if (st.status == TaskStatus::Succeeded) {
                arrived.append(Partial{row, std::move(st.result), chunk.length});
                st.result = QByteArray();
            } else if (st.status == TaskStatus::Failed) {
                failures.append(QStringLiteral("%1 bytes %2-%3: %4")
                                        .arg(m_inputs[chunk.input].path)
                                        .arg(chunk.offset)
                                        .arg(chunk.offset + chunk.length)
                                        .arg(st.message));
            }
        }
    });
    for (const Partial &p : std::as_const(arrived)) {
        ++m_chunksDone;
        m_bytesDone += p.bytes;
    }
    m_chunksDone += failures.size();
    m_chunksFailed += failures.size();
    for (const QString &f : std::as_const(failures)) {
        if (m_errors.size() < MaxErrorsKept)
            m_errors.append(f);
    }
    if (!failures.isEmpty() && !m_engineDone)
        m_engine->cancel(); // the totals could only be wrong now
    m_queue += arrived;
    startMerge();
    emitProgress();
}

void MapReduceJob::onEngineFinished(const RunStats &)
{
    m_engineDone = true;
    maybeFinish();
}

void MapReduceJob::startMerge()
{
    if (m_merging || m_queue.isEmpty())
        return;
    m_merging = true;
    m_mergeWatcher.setFuture(QtConcurrent::run(&m_pool, &MapReduceJob::merge, m_reducer.get(),
                                               std::exchange(m_queue, {})));
}

MapReduceJob::MergeOutcome MapReduceJob::merge(Reducer *reducer, QVector<Partial> partials)
{
    MergeOutcome outcome;
    for (Partial &p : partials) {
        ChunkStats stats;
        if (!reducer->merge(p.data, p.bytes, &stats) && outcome.error.isEmpty())
            outcome.error
                    = QStringLiteral("a worker sent a malformed result for chunk %1").arg(p.chunk);
        outcome.stats.append({p.chunk, stats});
        p.data = QByteArray(); // freed as we go
    }
    outcome.keys = reducer->table().size();
    return outcome;
}

void MapReduceJob::onMergeDone()
{
    const MergeOutcome outcome = m_mergeWatcher.result();
    m_merging = false;
    for (const auto &[chunk, stats] : outcome.stats) {
        m_chunks[chunk].done = true;
        m_chunks[chunk].stats = stats;
        m_badLines += stats.badLines;
    }
    m_keys = outcome.keys;
    if (!outcome.error.isEmpty()) {
        if (m_errors.size() < MaxErrorsKept)
            m_errors.append(outcome.error);
        if (!m_engineDone)
            m_engine->cancel();
    }
    emitProgress();
    startMerge();
    maybeFinish();
}

void MapReduceJob::maybeFinish()
{
    if (m_engineDone && !m_merging && m_queue.isEmpty() && !m_finishing)
        finishUp();
}

void MapReduceJob::finishUp()
{
    m_finishing = true;
    emitProgress();
    // Top K, totals and the final look at the inputs run on the pool thread too: a table
    // of millions of keys takes a while.
    m_finishWatcher.setFuture(QtConcurrent::run(&m_pool, [reducer = m_reducer.get(), spec = m_spec,
                                                          inputs = m_inputs, chunks = m_chunks,
                                                          errors = m_errors,
                                                          cancelled = m_cancelled,
                                                          total = m_totalBytes] {
        MapReduceResult r;
        r.id = spec.id;
        r.chunks = chunks.size();
        r.bytes = total;
        r.errors = errors;
        // A file that changed while it was read gives totals of neither version.
        for (const Input &input : inputs) {
            Input now;
            QString error;
            if (!statFile(input.path, &now, &error))
                r.errors.append(error);
            else if (now.size != input.size)
                r.errors.append(QStringLiteral("%1 changed during the run: it was %2 "
                                               "bytes, now %3")
                                        .arg(input.path)
                                        .arg(input.size)
                                        .arg(now.size));
            else if (now.mtimeNs != input.mtimeNs)
                r.errors.append(QStringLiteral("%1 changed during the run (it was modified)")
                                        .arg(input.path));
        }
        r.errors.removeDuplicates();
        r.status = cancelled            ? MapReduceResult::Status::Cancelled
                   : r.errors.isEmpty() ? MapReduceResult::Status::Succeeded
                                        : MapReduceResult::Status::Failed;
        // Line numbers: a chunk's lines come after those of the chunks before it.
        quint64 base = 0;
        for (qsizetype i = 0; i < chunks.size(); ++i) {
            const Chunk &c = chunks[i];
            if (i > 0 && chunks[i - 1].input != c.input)
                base = 0;
            r.lines += c.stats.lines;
            r.badLines += c.stats.badLines;
            r.overflowed = r.overflowed || c.stats.overflowed;
            for (const BadLine &bad : c.stats.examples) {
                if (r.badExamples.size() < ChunkStats::MaxExamples)
                    r.badExamples.append(BadLineExample{inputs[c.input].path, base + bad.line + 1,
                                                        badLineReasonText(bad.reason)});
            }
            base += c.stats.lines;
        }
        if (!r.succeeded())
            return r;
        const CountTable &table = reducer->table();
        r.distinctKeys = table.size();
        r.totalCount = table.total();
        r.overflowed = r.overflowed || table.overflowed();
        for (quint32 i : table.top(spec.top))
            r.top.append(KeyTotal{table.key(i).toByteArray(), table.count(i), true});
        for (const QByteArray &key : spec.keys) {
            const qint64 i = table.find(key);
            r.keys.append(KeyTotal{key, i >= 0 ? table.count(i) : 0, i >= 0});
        }
        r.table = std::make_shared<const CountTable>(std::move(reducer->table()));
        return r;
    }));
}

MapReduceProgress MapReduceJob::progress() const
{
    MapReduceProgress p;
    p.chunksDone = m_chunksDone;
    p.chunksTotal = m_chunks.size();
    p.chunksFailed = m_chunksFailed;
    p.bytesDone = m_bytesDone;
    p.bytesTotal = m_totalBytes;
    p.elapsedMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    p.keys = m_keys;
    p.badLines = m_badLines;
    p.active = m_running;
    if (p.elapsedMs > 0)
        p.bytesPerSecond = double(m_bytesDone) * 1000.0 / double(p.elapsedMs);
    if (m_bytesDone >= m_totalBytes)
        p.etaMs = 0;
    else if (p.bytesPerSecond > 0)
        p.etaMs = qint64(double(m_totalBytes - m_bytesDone) * 1000.0 / p.bytesPerSecond);
    return p;
}

void MapReduceJob::emitProgress()
{
    if (!m_running)
        return;
    setTotalAmount(Unit::Bytes, m_totalBytes);
    setTotalAmount(Unit::Items, m_chunks.size());
    setProcessedAmount(Unit::Bytes, m_bytesDone);
    setProcessedAmount(Unit::Items, m_chunksDone);
    emit progressChanged(progress());
}

} // namespace Brigade
