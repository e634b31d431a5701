#pragma once

#include "MapReduceResult.h"
#include "MapReduceSpec.h"
#include "PartialResult.h"
#include "job/Job.h"
#include "run/RunSettings.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>
#include <QVector>

#include <memory>

namespace Brigade {

class Engine;
class Reducer;
struct RunStats;

// Runs a MapReduce job: splits the inputs into byte-range chunks aligned to lines (see
// ChunkParams), maps each chunk in a worker through the Engine (so a chunk whose worker is
// lost is retried elsewhere), and merges the partial results on a pool thread as they
// arrive, dropping each from the task store once merged: memory grows with the distinct
// keys, not with the input. The caller's thread (a GUI's) never waits on any of it.
//
// A Job: Killable (the partial totals are dropped), amounts in bytes of input (and chunks
// as items). Its result() comes with NoError and the totals in mapReduceResult(); with
// StartError when an input cannot be read or the chunking makes no sense (nothing ran);
// FailedError when a chunk failed or an input changed; KilledError after kill().
//
// Call from one thread; signals arrive on it.
class MapReduceJob : public Job
{
    Q_OBJECT
public:
    MapReduceJob(MapReduceSpec spec, RunSettings settings, QObject *parent = nullptr);
    ~MapReduceJob() override;

    // After result(): the totals, or why there are none.
    const MapReduceResult &mapReduceResult() const { return m_result; }
    const MapReduceSpec &spec() const { return m_spec; }
    MapReduceProgress progress() const;
    // The engine running the chunks (null before start()), for views of the workers.
    Engine *engine() const { return m_engine.get(); }

    // Enough chunks to keep every worker busy to the end and to show progress (about 32
    // per worker), few enough that per-chunk costs vanish: from 1 MiB to 32 MiB.
    static qint64 autoChunkBytes(qint64 totalBytes, int workers);

signals:
    // Progress in detail (chunks, MB/s, keys), as the amounts move.
    void progressChanged(const Brigade::MapReduceProgress &progress);
    // The engine that runs the chunks was made (once, when the job starts mapping).
    void engineStarted(Brigade::Engine *engine);

private:
    struct Input
    {
        QString path;
        QByteArray localPath;
        qint64 size = 0;
        qint64 mtimeNs = 0;
    };
    struct Chunk
    {
        int input = 0;
        qint64 offset = 0;
        qint64 length = 0;
        bool done = false;
        ChunkStats stats;
    };
    struct Partial
    {
        int chunk;
        QByteArray data;
        qint64 bytes;
    };
    struct MergeOutcome
    {
        QVector<QPair<int, ChunkStats>> stats;
        QString error;
        qint64 keys = 0;
    };

    void doStart() override;
    bool doKill() override;
    void failToStart(const QString &error);
    void onTasksFinished(const QVector<int> &rows);
    void onEngineFinished(const RunStats &stats);
    void startMerge();
    void onMergeDone();
    void maybeFinish();
    void finishUp();
    static MergeOutcome merge(Reducer *reducer, QVector<Partial> partials);
    static bool statFile(const QString &path, Input *input, QString *error);
    void emitProgress();

    MapReduceSpec m_spec;
    RunSettings m_settings;
    MapReduceResult m_result;
    QVector<Input> m_inputs;
    QVector<Chunk> m_chunks;
    qint64 m_totalBytes = 0;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<Reducer> m_reducer;
    QThreadPool m_pool; // one thread: merges run one after another
    QFutureWatcher<MergeOutcome> m_mergeWatcher;
    QFutureWatcher<MapReduceResult> m_finishWatcher;
    QVector<Partial> m_queue; // results waiting for the merge thread
    bool m_merging = false;
    bool m_engineDone = false;
    bool m_finishing = false;
    bool m_running = false;
    bool m_cancelled = false;
    QStringList m_errors;
    QElapsedTimer m_clock;
    int m_chunksDone = 0;
    int m_chunksFailed = 0;
    qint64 m_bytesDone = 0;
    qint64 m_keys = 0;
    quint64 m_badLines = 0;
};

} // namespace Brigade
