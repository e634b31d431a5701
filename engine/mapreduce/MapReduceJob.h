#pragma once

#include "MapReduceResult.h"
#include "MapReduceSpec.h"
#include "PartialResult.h"
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
// Call from one thread; signals arrive on it.
class MapReduceJob : public QObject
{
    Q_OBJECT
public:
    explicit MapReduceJob(QObject *parent = nullptr);
    ~MapReduceJob() override;

    // Looks at the inputs and starts. Returns false with *error when an input cannot be
    // read or the chunking makes no sense; nothing runs then and finished() never comes.
    bool start(const MapReduceSpec &spec, const RunSettings &settings, QString *error);
    void cancel();
    bool isRunning() const { return m_running; }

    MapReduceProgress progress() const;
    // The engine running the chunks (null before start()), for views of the workers.
    Engine *engine() const { return m_engine.get(); }

    // Enough chunks to keep every worker busy to the end and to show progress (about 32
    // per worker), few enough that per-chunk costs vanish: from 1 MiB to 32 MiB.
    static qint64 autoChunkBytes(qint64 totalBytes, int workers);

signals:
    void progressChanged(const Brigade::MapReduceProgress &progress);
    void finished(const Brigade::MapReduceResult &result);
    // News from the engine and the workers (a worker lost, what it wrote on stderr).
    void message(const QString &text);

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
