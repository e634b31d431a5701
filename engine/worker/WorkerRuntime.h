#pragma once

#include "ComputeSlots.h"
#include "DeadlineQueue.h"
#include "OutputChannel.h"
#include "ProcessGuardian.h"
#include "RowSlotMap.h"
#include "TaskRunner.h"
#include "protocol/FrameDecoder.h"
#include "protocol/Messages.h"

#include <QHash>
#include <QMap>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <array>
#include <atomic>
#include <memory>
#include <random>
#include <vector>

namespace Brigade {

class HttpClient;
class RunnerRegistry;
class StdinReader;

// The worker process: reads frames from the engine on stdin, runs many task attempts at
// once, and writes batched results to stdout. Fetches are asynchronous IO on this
// thread's event loop; then a runner of the task's op takes over (RunnerRegistry): the
// built-in ops on a small thread pool so IO keeps flowing, commands and programs as
// child processes watched from this thread.
class WorkerRuntime : public QObject, public RunnerHost
{
    Q_OBJECT
public:
    explicit WorkerRuntime(int inFd = 0, int outFd = 1, QObject *parent = nullptr);
    ~WorkerRuntime() override;

    // Sends the hello frame and starts reading.
    void start();

    // RunnerHost
    void attemptFinished(qint32 row, quint16 attempt, AttemptResult &&result) override;
    void taskOutput(qint32 row, quint16 attempt, const QString &command, QByteArrayView out,
                    QByteArrayView err) override;
    void programOutput(const QString &program, quint8 stream, QByteArrayView text) override;
    std::shared_ptr<std::atomic_bool> cancelFlag(qint32 row, quint16 attempt) override;
    ComputeSlots &computeSlots() override { return m_slots; }
    ProcessGuardian &guardian() override { return m_guardian; }
    const ConfigureMsg &config() const override { return m_config; }

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
        QByteArray url;               // for commands' {url}
        TaskRunner *runner = nullptr; // once the fetch is done and the op has started
        qint64 startUs = 0;
        quint32 fetchUs = 0;
        quint32 timeoutMs = 0;
        quint64 httpHandle = 0;
        quint16 httpStatus = 0;
        qint64 bytes = -1;
        std::shared_ptr<std::atomic_bool> cancel; // null until a runner asks for it
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
    // The fetch is done (or there was none): the op's runner takes the attempt.
    void startOp(Run &run, QByteArray body, bool fetched);
    void flushRunners();
    void finish(qint32 row, AttemptResult &&r);
    void finish(Run &run, AttemptResult &&r);
    Run *find(qint32 row, quint16 attempt);
    Run &addRun(qint32 row);
    void removeRun(Run &run);

    void flushResults();
    // withTasks: also the live output of running attempts (else only programs' logs).
    void flushOutput(bool withTasks);
    void sendHeartbeat();

    int m_outFd;
    StdinReader *m_reader = nullptr;
    FrameDecoder m_decoder;
    OutputChannel m_out;
    ConfigureMsg m_config;
    bool m_configured = false;

    HttpClient *m_http = nullptr;
    DeadlineQueue m_deadlines;
    QThreadPool m_ioPool; // file reads
    ComputeSlots m_slots;
    ProcessGuardian m_guardian;
    std::unique_ptr<RunnerRegistry> m_runners;
    std::array<bool, 256> m_ownRunner{}; // per op id: ComputeOp::hasOwnRunner(), looked up once

    // Attempts in flight live in a slab whose slots are reused, found through a row -> slot
    // table: a hash of the Runs themselves moved ~100-byte values on every erase, which
    // cost more than a no-op task.
    std::vector<Run> m_runs;
    std::vector<quint32> m_freeRuns;
    RowSlotMap m_slotOfRow;
    static constexpr qsizetype PendingBytesToFlush = 4 * 1024 * 1024;
    QVector<AttemptResult> m_pending;
    qsizetype m_pendingBytes = 0; // about what m_pending takes in a frame
    QTimer m_flushTimer;
    QTimer m_heartbeatTimer;
    // Live output, sent at most every OutputIntervalMs; an attempt that ends first takes
    // its pending output with it (its result holds all of it).
    static constexpr int OutputIntervalMs = 100;
    static constexpr qsizetype MaxProgramOutputPerInterval = 256 * 1024;
    QHash<qint32, TaskOutput> m_liveOutput;
    QVector<ProgramOutput> m_programOutput;
    qsizetype m_programOutputBytes = 0;
    QMap<QString, qint64> m_programOutputDropped; // bytes per program, this interval
    QTimer m_outputTimer;
    quint64 m_completed = 0;
    std::mt19937 m_rng;
};

} // namespace Brigade
