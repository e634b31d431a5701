#pragma once

#include "DeadlineQueue.h"
#include "OutputChannel.h"
#include "protocol/FrameDecoder.h"
#include "protocol/Messages.h"

#include <QHash>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <deque>
#include <memory>
#include <random>
#include <vector>

namespace Brigade {

class HttpClient;
class StdinReader;

// The worker process: reads frames from the engine on stdin, runs many task attempts at
// once (fetches are asynchronous IO on this thread's event loop; computes run on a small
// thread pool so IO keeps flowing), and writes batched results to stdout.
class WorkerRuntime : public QObject
{
    Q_OBJECT
public:
    explicit WorkerRuntime(int inFd = 0, int outFd = 1, QObject *parent = nullptr);
    ~WorkerRuntime() override;

    // Sends the hello frame and starts reading.
    void start();

private:
    struct Run
    {
        qint32 row = -1;
        quint32 slot = 0; // its place in m_runs
        quint16 attempt = 0;
        FetchKind fetchKind = FetchKind::None;
        quint8 op = 0;
        QByteArray params;
        QByteArray input;
        qint64 startUs = 0;
        quint32 fetchUs = 0;
        quint32 timeoutMs = 0;
        quint64 httpHandle = 0;
        quint16 httpStatus = 0;
        qint64 bytes = -1;
        std::shared_ptr<std::atomic_bool> cancel;
    };
    struct ComputeJob
    {
        qint32 row;
        quint16 attempt;
        quint8 op;
        QByteArray params;
        QByteArray input;
        std::shared_ptr<std::atomic_bool> cancel;
    };
    struct ComputeDone
    {
        qint32 row;
        quint16 attempt;
        bool ok;
        quint32 us;
        QByteArray result;
        QString error;
    };

    void onData(const QByteArray &data);
    void onEndOfInput();
    void handleFrame(const FrameDecoder::Frame &frame);
    void fault(const QString &why);

    void startTask(AssignTask &&t);
    void startFileRead(qint32 row, quint16 attempt, const QString &path, qint64 maxBytes);
    void onFetched(qint32 row, quint16 attempt, QByteArray body);
    void onTimeout(qint32 row, quint16 attempt);
    void cancelTask(qint32 row, quint16 attempt);
    void queueCompute(qint32 row, Run &run, QByteArray input);
    void pumpCompute();
    void onComputeDone(std::vector<ComputeDone> done, bool batchFinished);
    void finish(qint32 row, AttemptResult &&r);
    void finish(Run &run, AttemptResult &&r);
    Run *find(qint32 row, quint16 attempt);
    Run &addRun(qint32 row);
    void removeRun(Run &run);

    void flushResults();
    void sendHeartbeat();

    int m_outFd;
    StdinReader *m_reader = nullptr;
    FrameDecoder m_decoder;
    OutputChannel m_out;
    ConfigureMsg m_config;
    bool m_configured = false;

    HttpClient *m_http = nullptr;
    DeadlineQueue m_deadlines;
    QThreadPool m_computePool;
    QThreadPool m_ioPool; // file reads
    std::deque<ComputeJob> m_computeQueue;
    int m_computeBatches = 0;

    // Attempts in flight live in a slab whose slots are reused, found through a row -> slot
    // hash: a hash of the Runs themselves moved ~100-byte values on every erase, which
    // cost more than a no-op task.
    std::vector<Run> m_runs;
    std::vector<quint32> m_freeRuns;
    QHash<qint32, quint32> m_slotOfRow;
    static constexpr qsizetype PendingBytesToFlush = 4 * 1024 * 1024;
    QVector<AttemptResult> m_pending;
    qsizetype m_pendingBytes = 0; // about what m_pending takes in a frame
    QTimer m_flushTimer;
    QTimer m_heartbeatTimer;
    quint64 m_completed = 0;
    std::mt19937 m_rng;
};

} // namespace Brigade
