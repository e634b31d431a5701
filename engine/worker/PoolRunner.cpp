#include "PoolRunner.h"

#include "ComputeSlots.h"
#include "compute/ComputeRegistry.h"
#include "protocol/Messages.h"

#include <QElapsedTimer>

#include <algorithm>

namespace Brigade {

PoolRunner::PoolRunner(RunnerHost &host)
    : TaskRunner(host)
{
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
}

PoolRunner::~PoolRunner()
{
    for (Job &job : m_queue)
        job.cancel->store(true);
    m_pool.waitForDone();
}

void PoolRunner::configure()
{
    m_pool.setMaxThreadCount(m_host.config().computeThreads);
}

void PoolRunner::start(RunnerTask &&task)
{
    const ComputeOp *op = ComputeRegistry::instance().op(task.op);
    if (op && op->isQuick(task.params, task.input.size())) {
        m_quick.push_back(Job{task.row,
                              task.attempt,
                              task.op,
                              std::move(task.params),
                              std::move(task.input),
                              {}});
        return;
    }
    m_queue.push_back(Job{task.row, task.attempt, task.op, std::move(task.params),
                          std::move(task.input), m_host.cancelFlag(task.row, task.attempt)});
}

void PoolRunner::flush()
{
    runQuick();
    pump();
}

void PoolRunner::runQuick()
{
    if (m_quick.empty())
        return;
    // Taken out first: the loop must not see jobs started while it reports.
    std::vector<Job> jobs;
    jobs.swap(m_quick);
    const ComputeRegistry &registry = ComputeRegistry::instance();
    static const std::atomic_bool neverCancelled{false}; // over before a cancel can come
    QElapsedTimer clock;
    clock.start();
    qint64 jobStartNs = 0;
    for (Job &job : jobs) {
        AttemptResult res;
        QString error;
        if (!registry.op(job.op)->run(job.params, job.input, neverCancelled, &res.result, &error)) {
            res.error = ErrorKind::Compute;
            res.message = std::move(error);
            res.result.clear();
        }
        const qint64 nowNs = clock.nsecsElapsed();
        res.computeUs = quint32((nowNs - jobStartNs) / 1000);
        jobStartNs = nowNs;
        m_host.attemptFinished(job.row, job.attempt, std::move(res));
    }
    jobs.clear();
    if (m_quick.empty())
        m_quick.swap(jobs); // keeps the capacity for the next frame
}

void PoolRunner::pump()
{
    ComputeSlots &slotCount = m_host.computeSlots();
    while (m_batches < m_pool.maxThreadCount() && !m_queue.empty() && !m_waitingForSlot) {
        if (!slotCount.tryAcquire(1)) {
            // In line behind the commands waiting for a slot; the slot comes back here.
            m_waitingForSlot = true;
            slotCount.enqueue(1, [this] {
                m_waitingForSlot = false;
                if (m_queue.empty())
                    m_host.computeSlots().release(1);
                else
                    startBatch();
                pump();
            });
            return;
        }
        startBatch();
    }
}

void PoolRunner::startBatch()
{
    const int threads = m_pool.maxThreadCount();
    // Hand out work in batches: one pool job per task would cost more than a no-op task.
    // Smaller batches when the queue is short keep every thread busy.
    const size_t take = std::clamp<size_t>(m_queue.size() / size_t(threads), 1, 512);
    auto batch = std::make_shared<std::vector<Job>>();
    batch->reserve(take);
    for (size_t i = 0; i < take; ++i) {
        batch->push_back(std::move(m_queue.front()));
        m_queue.pop_front();
    }
    ++m_batches;
    m_pool.start([this, batch]() mutable {
        const ComputeRegistry &registry = ComputeRegistry::instance();
        const size_t count = batch->size();
        auto done = std::make_shared<std::vector<Done>>();
        done->reserve(count);
        // One clock read per job: it ends this job's time and starts the next one's.
        QElapsedTimer clock;
        clock.start();
        qint64 jobStartNs = 0;
        qint64 postedNs = 0;
        for (size_t i = 0; i < count; ++i) {
            Job &job = (*batch)[i];
            Done d{job.row, job.attempt, false, 0, {}, {}};
            qint64 nowNs = jobStartNs;
            if (!job.cancel->load()) {
                if (const ComputeOp *op = registry.op(job.op))
                    d.ok = op->run(job.params, job.input, *job.cancel, &d.result, &d.error);
                else
                    d.error = QStringLiteral("unknown compute op %1").arg(job.op);
                nowNs = clock.nsecsElapsed();
                d.us = quint32((nowNs - jobStartNs) / 1000);
                jobStartNs = nowNs;
            }
            done->push_back(std::move(d));
            // Long computes report as they go rather than when the whole batch is done.
            const bool last = i + 1 == count;
            if (last) {
                // The jobs go back with the last results, to be freed on the thread that
                // made their buffers: freeing them here cost the worker more than a
                // no-op task in malloc's cross-thread bookkeeping.
                QMetaObject::invokeMethod(
                        this,
                        [this, done, jobs = std::move(batch)] { onDone(std::move(*done), true); },
                        Qt::QueuedConnection);
            } else if (nowNs - postedNs >= 5'000'000) {
                QMetaObject::invokeMethod(
                        this, [this, done] { onDone(std::move(*done), false); },
                        Qt::QueuedConnection);
                done = std::make_shared<std::vector<Done>>();
                done->reserve(count - i - 1);
                postedNs = nowNs;
            }
        }
    });
}

void PoolRunner::onDone(std::vector<Done> done, bool batchFinished)
{
    if (batchFinished) {
        --m_batches;
        m_host.computeSlots().release(1);
    }
    for (Done &d : done) {
        AttemptResult res;
        res.computeUs = d.us;
        if (d.ok) {
            res.result = std::move(d.result);
        } else {
            res.error = ErrorKind::Compute;
            res.message = std::move(d.error);
        }
        m_host.attemptFinished(d.row, d.attempt, std::move(res));
    }
    pump();
}

} // namespace Brigade
