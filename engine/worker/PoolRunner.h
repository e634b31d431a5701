#pragma once

#include "TaskRunner.h"

#include <QObject>
#include <QThreadPool>

#include <deque>
#include <vector>

namespace Brigade {

// The built-in compute ops (sum_to, sha256, wordcount, the MapReduce maps): run on the
// worker's compute threads, handed out in batches of up to 512 tasks, each batch holding
// one compute slot while it runs. Quick ones (ComputeOp::isQuick) run on the worker's
// own thread when the tasks of a frame have been started.
class PoolRunner : public QObject, public TaskRunner
{
    Q_OBJECT
public:
    explicit PoolRunner(RunnerHost &host);
    ~PoolRunner() override;

    void configure() override;
    void start(RunnerTask &&task) override;
    void flush() override;
    void abort(qint32, quint16, Abort, AttemptResult *) override {} // jobs watch their cancel flag
    int queued() const override { return int(m_queue.size() + m_quick.size()); }

private:
    struct Job
    {
        qint32 row;
        quint16 attempt;
        quint8 op;
        QByteArray params;
        QByteArray input;
        std::shared_ptr<std::atomic_bool> cancel; // null for a quick job
    };
    struct Done
    {
        qint32 row;
        quint16 attempt;
        bool ok;
        quint32 us;
        QByteArray result;
        QString error;
    };

    void runQuick();
    void pump();
    void startBatch();
    void onDone(std::vector<Done> done, bool batchFinished);

    QThreadPool m_pool;
    std::deque<Job> m_queue;
    std::vector<Job> m_quick;
    int m_batches = 0;
    bool m_waitingForSlot = false;
};

} // namespace Brigade
