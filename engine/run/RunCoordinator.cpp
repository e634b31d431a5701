#include "RunCoordinator.h"

#include "FeedGate.h"
#include "WorkerProcess.h"
#include "compute/ComputeRegistry.h"
#include "journal/JournalWriter.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <limits>
#include <utility>

namespace Brigade::Internal {

namespace {

constexpr int MaxTasksPerFrame = 16384;
constexpr int UpdateIntervalMs = 33; // views get at most ~30 updates per second
constexpr int LoadIntervalMs = 250;
// A server that keeps answering 429 with Retry-After: after this many deferrals of one task
// its attempts count again, so it ends.
constexpr quint16 MaxDeferrals = 1000;
} // namespace

RunCoordinator::RunCoordinator(QObject *parent)
    : QObject(parent)
    , m_retryTimer(this) // children, so they move to the engine thread with us
    , m_paceTimer(this)
    , m_updateTimer(this)
    , m_loadTimer(this)
{
    m_paceTimer.setSingleShot(true);
    // A coarse timer fires up to 5% late, and with a burst of 1 every late wake is lost
    // time: a rate-limited run would take 5% longer than its limit allows.
    m_paceTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_paceTimer, &QTimer::timeout, this, &RunCoordinator::dispatch);
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        promoteRetries();
        dispatch();
    });
    m_updateTimer.setInterval(UpdateIntervalMs);
    connect(&m_updateTimer, &QTimer::timeout, this, &RunCoordinator::emitUpdates);
    m_loadTimer.setInterval(LoadIntervalMs);
    connect(&m_loadTimer, &QTimer::timeout, this, &RunCoordinator::sampleLoad);
    m_programLog = std::make_shared<ProgramLog>();
}

RunCoordinator::~RunCoordinator()
{
    shutdown();
}

void RunCoordinator::start(std::shared_ptr<TaskStore> store, const RunSettings &settings,
                           const QVector<int> &reset,
                           std::shared_ptr<const FailureGroups> earlierFailures)
{
    if (m_active)
        stopWorkers();
    if (m_store != store || m_settings.journalPath != settings.journalPath)
        closeJournal();
    if (m_store != store) {
        const bool fits = earlierFailures && earlierFailures->taskCount() == store->size();
        m_failures = fits ? *earlierFailures : FailureGroups(store->size());
    }
    m_store = std::move(store);
    m_settings = settings;
    openJournal();
    m_rng.seed(settings.seed ? settings.seed : std::random_device{}());
    m_active = true;
    m_paused = false;
    m_cancelling = false;
    m_clock.start();
    m_log = &m_store->attemptLog();
    m_log->markRunStart();
    m_runStartUs = m_log->nowUs();
    m_ready.clear();
    m_ready.setAgingMs(settings.pacing.priorityAgingMs);
    m_pacer = HostPacer(settings.pacing);
    m_paceTimer.stop();
    m_retries = {};
    m_counts.fill(0);
    m_againQueued = 0;
    m_againRunning = 0;
    m_attemptsDone = 0;
    m_rateWindow.clear();
    m_rateStart = {-1, 0};
    const int n = m_store->size();
    m_assignedTo.reset(n);
    m_rowHost.reset(n);
    m_deferrals.reset(n);
    m_dispatchedUs.reset(n);
    m_running.clear();
    m_runningAt.reset(n);
    m_runningChanged = true;
    m_runningPublishedMs = -1000000;
    m_changedFlag.reset(n);
    // Made now, not as rows are first dispatched: that happens under the store's write lock,
    // where the first touch of a block's memory would hold up every reader (the window's
    // GUI thread). clearEndedBlocks() gives them back as their rows end. A run that retires
    // its rows has no such reader (the command line): there they are made as rows start,
    // from the blocks the ended rows gave back, and a million-task run holds those of the
    // rows in flight, not 23 MB for every row.
    for (int row = 0; row < n && !settings.retireFinished; row += TaskStates::BlockSize) {
        m_assignedTo[row] = 0;
        m_rowHost[row] = -1;
        m_deferrals[row] = 0;
        m_dispatchedUs[row] = 0;
        m_runningAt[row] = -1;
        m_changedFlag[row] = 0;
    }
    m_changed.clear();
    m_finishedRows.clear();

    // Whatever did not finish (a fresh batch, or one resumed after a crash) runs now, and
    // the finished rows the caller asked to run again.
    m_store->write([&](TaskStates &states, TaskStore &store) {
        resetRows(states, store, reset, false);
        for (int row = 0; row < n; ++row) {
            if (states.isReleased(row))
                continue; // retired in a streamed run: counted below
            // Read first: a fresh task's state is not made until it changes (RowBlocks).
            const TaskState &now = std::as_const(states)[row];
            if (!isTerminal(now.status)) {
                if (now.status != TaskStatus::Queued || now.readyAtMs != 0) {
                    TaskState &st = states[row];
                    st.status = TaskStatus::Queued;
                    st.readyAtMs = 0;
                }
                m_ready.push(readyEntry(row, 0));
            }
            const TaskState &st = std::as_const(states)[row];
            ++m_counts[int(st.status)];
            countAgain(st, +1);
        }
        const StatusCounts freed = store.freedCountsLocked();
        for (int i = 0; i < TaskStatusCount; ++i)
            m_counts[size_t(i)] += freed.n[size_t(i)];
        m_retiredRows = store.retiredRowsLocked();
        // The per-row tables hold no rows of the store's freed blocks either.
        for (int block = 0; block < states.blockCount(); ++block) {
            if (states.isBlockReleased(block))
                releaseBlock(block);
        }
    });

    m_programs.clear();
    m_lastProgram = nullptr;
    m_slotGroups = m_settings.slotGroups();
    m_hosts.clear();
    const int workers = int(m_slotGroups.size());
    m_slots = QVector<Slot>(workers);
    m_slotLane.fill(0, workers);
    for (int i = 0; i < workers; ++i) {
        m_slots[i].info.slot = i;
        m_slots[i].info.group = m_slotGroups[i].label();
        launchSlot(i);
    }
    m_updateTimer.start();
    m_loadTimer.start();
    m_load.sample();
    m_failures.takeChanged();
    emit failuresChanged(m_failures.summary());
    emit started();
    emitUpdates();
    checkDone();
}

void RunCoordinator::launchSlot(int slot)
{
    Slot &s = m_slots[slot];
    s.incarnation = m_nextIncarnation++;
    s.inFlight = 0;
    s.lastCpuUs = 0;
    s.lastCpuAtMs = 0;
    const WorkerGroup &group = m_slotGroups[slot];
    const WorkerLaunch launch = WorkerLaunch::forGroup(group, m_settings);
    s.info.state = launch.mayQueue   ? WorkerState::Queued
                   : s.info.restarts ? WorkerState::Restarting
                                     : WorkerState::Starting;
    s.info.pid = 0;
    if (s.info.host.isEmpty() && group.kind == WorkerGroup::Kind::Ssh)
        s.info.host = group.host;
    auto *p = new WorkerProcess(slot, s.incarnation, launch, m_settings, this);
    s.process = p;
    const quint32 inc = s.incarnation;
    connect(p, &WorkerProcess::ready, this, [this, slot, inc] { onWorkerReady(slot, inc); });
    connect(p, &WorkerProcess::resultsReceived, this,
            [this, slot, inc](const QVector<AttemptResult> &r) { onResults(slot, inc, r); });
    connect(p, &WorkerProcess::heartbeat, this,
            [this, slot, inc](const HeartbeatMsg &hb) { onHeartbeat(slot, inc, hb); });
    connect(p, &WorkerProcess::outputReceived, this,
            [this, slot, inc](const OutputMsg &o) { onOutput(slot, inc, o); });
    connect(p, &WorkerProcess::lost, this,
            [this, slot, inc](const QString &why) { onWorkerLost(slot, inc, why); });
    connect(p, &WorkerProcess::stopped, p, &QObject::deleteLater);
    connect(p, &WorkerProcess::logLine, this,
            [this, slot](const QString &line) { emit workerMessage(slot, line); });
    p->start();
}

void RunCoordinator::onWorkerReady(int slot, quint32 incarnation)
{
    Slot &s = m_slots[slot];
    if (s.incarnation != incarnation)
        return;
    s.info.state = WorkerState::Running;
    s.info.host = s.process->hello().host;
    s.info.pid = s.process->hello().pid;
    s.info.slurmJobId = s.process->hello().slurmJobId;
    m_slotLane[slot] = m_log->laneFor(slot, hostOf(slot), s.info.group);
    if (m_journal) {
        QMetaObject::invokeMethod(m_journal, [j = m_journal, slot, host = s.info.host] {
            j->recordWorkerHost(slot, host);
        });
    }
    if (m_hosts.value(s.info.host).blocked) {
        s.process->kill(QStringLiteral("its host %1 is out of rotation").arg(s.info.host));
        return;
    }
    s.process->send(configureFrame(slot));
    dispatch();
}

QByteArray RunCoordinator::configureFrame(int slot)
{
    ConfigureMsg cfg;
    cfg.concurrency = quint32(m_settings.concurrency);
    cfg.computeThreads = quint16(qBound(1, m_settings.computeThreads, 1024));
    cfg.defaultMaxBytes = m_settings.maxBytes;
    cfg.heartbeatMs = m_settings.heartbeatMs;
    cfg.flushUs = m_settings.flushUs;
    cfg.seed = m_settings.seed ? m_settings.seed + quint32(slot) : 0;
    cfg.maxHostConnections = quint32(m_settings.hostConnectionsPerWorker(int(m_slots.size())));
    cfg.httpVersion = m_settings.http1 ? HttpVersion::Http1 : HttpVersion::Default;
    cfg.insecure = m_settings.insecure;
    cfg.caCertificates = m_settings.caCertificates;
    cfg.proxy = m_settings.proxy;
    cfg.workerSlot = quint16(slot);
    cfg.programs = m_programs;
    m_slots[slot].programsSent = int(m_programs.size());
    QByteArray frame;
    Wire::encodeConfigure(&frame, cfg);
    return frame;
}

void RunCoordinator::noteProgram(const std::shared_ptr<const ProgramSpec> &program)
{
    m_lastProgram = program.get();
    for (const ProgramSpec &p : std::as_const(m_programs)) {
        if (p.name == program->name)
            return;
    }
    m_programs.append(*program);
}

void RunCoordinator::logAttempt(int row, const TaskState &st, AttemptOutcome outcome, qint64 endUs,
                                quint32 fetchUs, quint32 computeUs, quint32 backoffMs)
{
    AttemptSpan span;
    const qint64 dispatchedUs = qMin(endUs, m_dispatchedUs[row]);
    span.setEndUs(endUs);
    span.setDispatchUs(dispatchedUs);
    span.lane = st.worker >= 0 && st.worker < m_slotLane.size() ? m_slotLane[st.worker] : 0;
    span.attempt = quint8(qMin<int>(st.attempts, 255));
    span.outcome = outcome;
    span.row = row;
    span.fetchUs = fetchUs;
    span.computeUs = computeUs;
    // On the run clock (ms), as readyAtMs is: a wait of hours fits.
    span.queuedMs = quint32(qMax<qint64>(0, (dispatchedUs - m_runStartUs) / 1000 - st.readyAtMs));
    span.backoffMs = backoffMs;
    // A streamed run keeps no timeline of its attempts either: it would grow by an
    // attempt's 36 bytes each.
    if (m_settings.keepTimeline && !m_settings.retireFinished)
        m_log->append(span);
    dropRunning(row);
}

void RunCoordinator::noteRunning(int row, const TaskState &st, qint64 dispatchedUs)
{
    RunningAttempt a;
    a.dispatchUs = dispatchedUs;
    a.row = row;
    a.queuedMs = quint32(qMax<qint64>(0, (dispatchedUs - m_runStartUs) / 1000 - st.readyAtMs));
    a.lane = st.worker >= 0 && st.worker < m_slotLane.size() ? m_slotLane[st.worker] : 0;
    a.attempt = quint8(qMin<int>(st.attempts, 255));
    if (m_runningAt[row] >= 0) {
        m_running[m_runningAt[row]] = a;
    } else {
        m_runningAt[row] = qint32(m_running.size());
        m_running.append(a);
    }
    m_runningChanged = true;
}

void RunCoordinator::dropRunning(int row)
{
    const qint32 at = row < m_runningAt.size() ? m_runningAt[row] : -1;
    if (at < 0)
        return;
    // Swap with the last: O(1) at any number in flight.
    const RunningAttempt last = m_running.takeLast();
    if (at < m_running.size()) {
        m_running[at] = last;
        m_runningAt[last.row] = at;
    }
    m_runningAt[row] = -1;
    m_runningChanged = true;
}

void RunCoordinator::publishRunning()
{
    // A copy of every attempt in flight (24 bytes each, 16,384 with two default workers):
    // a few times a second is all a timeline redrawn every 250 ms or more can show.
    constexpr qint64 PublishIntervalMs = 100;
    const qint64 now = nowMs();
    if (!m_log || !m_runningChanged || (m_active && now - m_runningPublishedMs < PublishIntervalMs))
        return;
    m_runningChanged = false;
    m_runningPublishedMs = now;
    m_log->setRunning(m_running);
}

TaskSpec RunCoordinator::currentSpec(int row) const
{
    // The host of a failure is the one the task fetched from: after a retry with changes,
    // its changed shape's (read without the lock, as in maxAttemptsOf()).
    TaskSpec spec = m_store->spec(row);
    spec.shape = m_store->shapeLocked(row);
    return spec;
}

quint16 RunCoordinator::maxAttemptsOf(int row) const
{
    // Called with the store's lock held or not: this thread is the only one that changes
    // shapes, so it reads them without the lock.
    const quint16 own = m_store->shapeLocked(row)->maxAttempts;
    return own ? own : quint16(qBound(1, m_settings.maxAttempts, 65535));
}

void RunCoordinator::setStatus(TaskState &st, TaskStatus status)
{
    countAgain(st, -1);
    --m_counts[int(st.status)];
    ++m_counts[int(status)];
    st.status = status;
    countAgain(st, +1);
}

void RunCoordinator::countAgain(const TaskState &st, int sign)
{
    // attempts counts attempts started: a queued task has started none of its own yet.
    if (st.status == TaskStatus::Queued && st.attempts > 0)
        m_againQueued += sign;
    else if (st.status == TaskStatus::Running && st.attempts > 1)
        m_againRunning += sign;
}

void RunCoordinator::markChanged(int row)
{
    if (!m_changedFlag[row]) {
        m_changedFlag[row] = 1;
        m_changed.append(row);
    }
}

qint32 RunCoordinator::priorityOf(int row) const
{
    // The shape the task runs with, where a priority change is kept (and journaled, so a
    // resume keeps it too). No lock: this thread is the store's only writer.
    return m_store->shapeLocked(row)->priority;
}

void RunCoordinator::armPaceTimer()
{
    const qint64 now = nowMs();
    const qint64 wake = m_pacer.nextWakeMs(now);
    if (wake < 0) {
        m_paceTimer.stop();
        return;
    }
    const qint64 wait = qMax<qint64>(0, wake - now);
    if (!m_paceTimer.isActive() || m_paceTimer.remainingTime() > wait)
        m_paceTimer.start(int(qMin<qint64>(wait, 3600 * 1000)));
}

void RunCoordinator::dispatch()
{
    if (!m_active || m_paused)
        return;
    m_pacer.unpark(nowMs(), m_ready);
    if (m_ready.empty())
        return armPaceTimer();
    // A run that retires its finished tasks holds each one's state until the journal has
    // it. When the journal falls behind, starting more would only grow memory: started and
    // not yet retired stay within maxFinishedHeld, and retireRows() dispatches again.
    qint64 room = std::numeric_limits<qint64>::max();
    if (m_settings.retireFinished) {
        room = qMax<qint64>(1, m_settings.maxFinishedHeld) - finishedHeld()
               - m_counts[int(TaskStatus::Running)];
        if (room <= 0)
            return;
    }
    int readyWorkers = 0;
    int liveWorkers = 0;
    for (const Slot &s : std::as_const(m_slots)) {
        readyWorkers += (s.process && s.process->isReady()) ? 1 : 0;
        liveWorkers += s.process ? 1 : 0;
    }
    if (readyWorkers == 0)
        return;
    const qint64 pending = m_counts[int(TaskStatus::Queued)] + m_counts[int(TaskStatus::Running)]
                           + m_counts[int(TaskStatus::Retrying)];
    // A fair share per worker: no worker hoards queued work that another could start now.
    // Shares count workers still starting too: the first worker to say hello must not take
    // a small batch all for itself.
    const qint64 fairShare = (pending + liveWorkers - 1) / liveWorkers;
    const int concurrency = qMax(1, m_settings.concurrency);
    const int cap = int(qMin<qint64>(concurrency, qMax<qint64>(1, fairShare)));
    const int lowWater = qMax(1, concurrency / 8);
    const qint64 now = nowMs();
    const qint64 nowUs = m_log->nowUs();
    const int nSlots = m_slots.size();

    m_store->write([&](TaskStates &states, TaskStore &store) {
        for (int k = 0; k < nSlots && !m_ready.empty(); ++k) {
            const int slot = (m_roundRobin + k) % nSlots;
            Slot &s = m_slots[slot];
            if (!s.process || !s.process->isReady())
                continue;
            const int free = cap - s.inFlight;
            // Avoid trickling one task per frame: wait for a worthwhile batch unless the
            // worker is idle or the queue is short.
            if (free <= 0
                || (s.inFlight > 0 && free < qMin<qint64>(lowWater, qint64(m_ready.size()))))
                continue;
            QByteArray frame;
            Wire::AssignBuilder builder(&frame);
            int budget = int(qMin<qint64>(qMin(free, MaxTasksPerFrame), room));
            while (budget > 0 && !m_ready.empty()) {
                const ReadyQueue::Entry entry = m_ready.pop();
                const int row = entry.row;
                TaskState &st = states[row];
                if (st.status != TaskStatus::Queued)
                    continue; // cancelled while queued
                if (entry.priority != priorityOf(row))
                    continue; // its priority changed: an entry with the new one is queued
                const TaskSpec &spec = store.spec(row);
                const TaskShape &shape = *store.shapeLocked(row);
                if (shape.fetch.kind == FetchKind::Url) {
                    const QByteArray key = HostPacer::hostKey(urlOf(spec, shape));
                    const int host = key.isEmpty() ? -1 : m_pacer.hostIndex(key);
                    if (host >= 0 && !m_pacer.tryStart(host, now)) {
                        m_pacer.park(host, entry);
                        continue;
                    }
                    m_rowHost[row] = host;
                }
                if (shape.compute.program && shape.compute.program.get() != m_lastProgram)
                    noteProgram(shape.compute.program);
                countAgain(st, -1);
                --m_counts[int(st.status)];
                ++m_counts[int(TaskStatus::Running)];
                st.status = TaskStatus::Running;
                ++st.attempts;
                countAgain(st, +1);
                st.worker = qint16(slot);
                st.queuedUs
                        = quint32(qBound(qint64(0), now - st.readyAtMs, qint64(4294967)) * 1000);
                m_assignedTo[row] = s.incarnation;
                m_dispatchedUs[row] = nowUs;
                noteRunning(row, st, nowUs);
                const quint32 timeout
                        = shape.fetch.timeoutMs
                                  ? shape.fetch.timeoutMs
                                  : (shape.timeoutMs ? shape.timeoutMs : m_settings.timeoutMs);
                builder.add(row, st.attempts, timeout, shape, urlOf(spec, shape),
                            shape.fetch.maxBytes ? shape.fetch.maxBytes : m_settings.maxBytes,
                            Wire::AssignBuilder::inputOf(spec));
                markChanged(row);
                ++s.inFlight;
                --budget;
                --room;
            }
            if (builder.count() == 0)
                continue;
            builder.finish();
            // A program first called in this frame: the worker learns it first (a second
            // configure frame only adds to what it knows).
            if (s.programsSent < m_programs.size())
                s.process->send(configureFrame(slot));
            s.process->send(frame);
        }
    });
    m_roundRobin = (m_roundRobin + 1) % qMax(1, nSlots);
    armPaceTimer();
    reportQueued();
}

bool RunCoordinator::deferForRetryAfter(int row, TaskState &st, const AttemptResult &r, qint64 now,
                                        qint64 nowUs)
{
    const int host = m_rowHost[row];
    if (host < 0 || r.error != ErrorKind::HttpStatus || r.retryAfterMs == 0
        || (r.httpStatus != 429 && r.httpStatus != 503) || !m_settings.retry.honourRetryAfter
        || m_deferrals[row] >= MaxDeferrals)
        return false;
    m_pacer.pause(host, now, r.retryAfterMs,
                  QStringLiteral("HTTP %1, Retry-After %2 s")
                          .arg(r.httpStatus)
                          .arg(double(r.retryAfterMs) / 1000.0));
    ++m_deferrals[row];
    logAttempt(row, st, AttemptOutcome::Retried, nowUs, r.fetchUs, r.computeUs, r.retryAfterMs);
    // The attempt is given back: the next one has its number.
    --st.attempts;
    setStatus(st, TaskStatus::Queued);
    m_ready.push(readyEntry(row, st.readyAtMs));
    return true;
}

void RunCoordinator::onResults(int slot, quint32 incarnation, const QVector<AttemptResult> &results)
{
    Slot &s = m_slots[slot];
    if (s.incarnation != incarnation)
        return;
    const qint64 now = nowMs();
    const qint64 nowUs = m_log->nowUs();
    const int n = m_store->size();
    bool retried = false;
    const QString hostName = hostOf(slot);
    HostRecord &host = m_hosts[hostName];
    // Failed attempts, grouped by cause once the store's lock is let go (index into
    // results, and whether the task tries again).
    QVector<QPair<int, bool>> failed;
    QVector<int> succeeded;
    m_store->write([&](TaskStates &states, TaskStore &store) {
        for (qsizetype i = 0; i < results.size(); ++i) {
            const AttemptResult &r = results[i];
            if (r.row >= n)
                continue;
            TaskState &st = states[r.row];
            // Only the attempt this worker is running counts: a late result of a cancelled
            // or reassigned attempt is dropped, so no task is reported twice.
            if (st.status != TaskStatus::Running || m_assignedTo[r.row] != incarnation
                || st.attempts != r.attempt)
                continue;
            --s.inFlight;
            ++s.info.finished;
            ++m_attemptsDone;
            if (const int paced = m_rowHost[r.row]; paced >= 0) {
                const bool pause
                        = r.retryAfterMs > 0 && (r.httpStatus == 429 || r.httpStatus == 503);
                // A pause the server asked for is not the host failing.
                m_pacer.finish(paced,
                               pause ? HostPacer::Outcome::Neutral
                                     : HostPacer::outcomeOf(quint8(r.error), r.httpStatus),
                               now, r.message);
            }
            if (r.error == ErrorKind::None) {
                host.failedInARow = 0;
                ++host.succeeded;
            } else if (r.error != ErrorKind::Cancelled) {
                ++host.failedInARow;
            }
            st.httpStatus = r.httpStatus;
            st.bytes = r.bytes;
            st.fetchUs = r.fetchUs;
            st.computeUs = r.computeUs;
            markChanged(r.row);
            if (r.hasProcess())
                store.setProcessLocked(r.row, *r.process);
            if (r.error == ErrorKind::None) {
                ++s.info.tasksEnded;
                setStatus(st, TaskStatus::Succeeded);
                st.error = ErrorKind::None;
                st.result = r.result;
                st.message.clear();
                st.finishedAtMs = now;
                m_finishedRows.append(r.row);
                logAttempt(r.row, st, AttemptOutcome::Succeeded, nowUs, r.fetchUs, r.computeUs);
                if (st.attempts > 1)
                    succeeded.append(r.row); // may have been in a failure group
                continue;
            }
            st.error = r.error;
            st.message = r.message;
            if (deferForRetryAfter(r.row, st, r, now, nowUs)) {
                m_rowHost[r.row] = -1;
                continue;
            }
            m_rowHost[r.row] = -1;
            const bool again
                    = m_settings.retry.shouldRetry(r) && st.attempts < maxAttemptsOf(r.row);
            failed.append({int(i), again});
            if (again) {
                store.recordAttemptLocked(
                        r.row, AttemptRecord{st.attempts, st.worker, r.error, r.httpStatus,
                                             st.queuedUs, r.fetchUs, r.computeUs, r.message,
                                             r.hasProcess() ? *r.process : ProcessOutcome{}});
                if (r.hasProcess())
                    store.setProcessLocked(r.row, {});
                setStatus(st, TaskStatus::Retrying);
                const quint32 delay
                        = m_settings.retry.backoffMs(st.attempts, r.retryAfterMs, m_rng);
                st.readyAtMs = now + delay;
                m_retries.push(RetryEntry{now + delay, r.row});
                retried = true;
                logAttempt(r.row, st, AttemptOutcome::Retried, nowUs, r.fetchUs, r.computeUs,
                           delay);
            } else {
                ++s.info.tasksEnded;
                setStatus(st, TaskStatus::Failed);
                st.finishedAtMs = now;
                m_finishedRows.append(r.row);
                logAttempt(r.row, st, AttemptOutcome::Failed, nowUs, r.fetchUs, r.computeUs);
            }
        }
    });
    if (!failed.isEmpty() || !succeeded.isEmpty()) {
        const qint64 wall = QDateTime::currentMSecsSinceEpoch();
        for (const auto &[i, again] : std::as_const(failed)) {
            const AttemptResult &r = results[i];
            const TaskSpec spec = currentSpec(r.row);
            m_failures.record(r.row, spec.id, FailureCause::of(spec, r), r.message, hostName, wall,
                              again ? FailureGroups::Outcome::Retrying
                                    : FailureGroups::Outcome::Failed);
        }
        for (int row : std::as_const(succeeded))
            m_failures.clear(row);
    }
    if (retried)
        armRetryTimer();
    if (!host.blocked && host.failedInARow >= m_settings.blocklistFailedAttempts
        && otherHealthyHost(hostName))
        blockHost(hostName, QStringLiteral("%1 attempts in a row failed there while other hosts "
                                           "succeeded")
                                    .arg(host.failedInARow));
    dispatch();
    checkDone();
}

QString RunCoordinator::hostOf(int slot) const
{
    const Slot &s = m_slots[slot];
    return s.info.host.isEmpty() ? s.info.group : s.info.host;
}

bool RunCoordinator::otherHealthyHost(const QString &host) const
{
    for (int i = 0; i < m_slots.size(); ++i) {
        const QString other = hostOf(i);
        if (other != host && m_slots[i].process && m_slots[i].process->isReady()
            && !m_hosts.value(other).blocked)
            return true;
    }
    return false;
}

void RunCoordinator::blockHost(const QString &host, const QString &why)
{
    m_hosts[host].blocked = true;
    emit message(QStringLiteral("host %1 taken out of rotation for this run: %2").arg(host, why));
    for (int i = 0; i < m_slots.size(); ++i) {
        if (hostOf(i) == host && m_slots[i].process)
            m_slots[i].process->kill(QStringLiteral("its host %1 is out of rotation").arg(host));
    }
}

void RunCoordinator::onHeartbeat(int slot, quint32 incarnation, const HeartbeatMsg &hb)
{
    Slot &s = m_slots[slot];
    if (s.incarnation != incarnation)
        return;
    const qint64 now = nowMs();
    if (s.lastCpuAtMs > 0 && now > s.lastCpuAtMs)
        s.info.cpuPercent = 100.0 * double(hb.cpuUs - qMin(hb.cpuUs, s.lastCpuUs))
                            / (1000.0 * double(now - s.lastCpuAtMs));
    s.lastCpuUs = hb.cpuUs;
    s.lastCpuAtMs = now;
    s.info.rssKb = qint64(hb.rssKb);
}

void RunCoordinator::onOutput(int slot, quint32 incarnation, const OutputMsg &output)
{
    if (m_slots[slot].incarnation != incarnation)
        return;
    if (!output.tasks.isEmpty()) {
        const int n = m_store->size();
        m_store->write([&](TaskStates &states, TaskStore &store) {
            for (const TaskOutput &t : output.tasks) {
                // Only the attempt this worker runs now: output of an earlier one is stale.
                if (t.row >= n || states[t.row].status != TaskStatus::Running
                    || m_assignedTo[t.row] != incarnation || states[t.row].attempts != t.attempt)
                    continue;
                store.appendLiveOutputLocked(t.row, t.command, t.stdoutBytes, t.stderrBytes);
                markChanged(t.row);
            }
        });
    }
    for (const ProgramOutput &p : output.programs) {
        m_programLog->append(p.program, slot, ProgramLog::Stream(p.stream), p.text, nowMs());
        if (!m_programLogChanged.contains(p.program))
            m_programLogChanged.append(p.program);
    }
}

void RunCoordinator::onWorkerLost(int slot, quint32 incarnation, const QString &reason)
{
    Slot &s = m_slots[slot];
    if (s.incarnation != incarnation)
        return;
    s.process->deleteLater();
    s.process = nullptr;
    s.info.lastError = reason;
    const QString message = QStringLiteral("worker %1 lost: %2").arg(slot).arg(reason);
    emit workerMessage(slot, message);
    // Its attempts in flight failed through no fault of theirs: retry them elsewhere.
    const qint64 now = nowMs();
    const qint64 nowUs = m_log->nowUs();
    bool retried = false;
    QVector<QPair<int, bool>> lost; // row, and whether it tries again
    m_store->write([&](TaskStates &states, TaskStore &store) {
        for (int row = 0; row < states.size(); ++row) {
            TaskState &st = states[row];
            if (st.status != TaskStatus::Running || m_assignedTo[row] != incarnation)
                continue;
            ++m_attemptsDone;
            if (m_rowHost[row] >= 0)
                m_pacer.finish(m_rowHost[row], HostPacer::Outcome::Neutral, now);
            m_rowHost[row] = -1;
            st.error = ErrorKind::WorkerLost;
            st.message = message;
            markChanged(row);
            logAttempt(row, st, AttemptOutcome::Lost, nowUs);
            lost.append({row, st.attempts < maxAttemptsOf(row)});
            if (st.attempts < maxAttemptsOf(row)) {
                const ProcessOutcome *live = store.processLocked(row);
                store.recordAttemptLocked(row,
                                          AttemptRecord{st.attempts, st.worker,
                                                        ErrorKind::WorkerLost, 0, st.queuedUs, 0, 0,
                                                        message, live ? *live : ProcessOutcome{}});
                if (live)
                    store.setProcessLocked(row, {});
                setStatus(st, TaskStatus::Queued);
                st.readyAtMs = now;
                m_ready.pushFront(readyEntry(row, now));
                retried = true;
            } else {
                ++s.info.tasksEnded;
                setStatus(st, TaskStatus::Failed);
                st.finishedAtMs = now;
                m_finishedRows.append(row);
            }
        }
    });
    Q_UNUSED(retried)
    const QString lostOn = hostOf(slot);
    const qint64 wall = QDateTime::currentMSecsSinceEpoch();
    for (const auto &[row, again] : std::as_const(lost)) {
        const TaskSpec spec = currentSpec(row);
        m_failures.record(row, spec.id, FailureCause::of(spec, ErrorKind::WorkerLost, 0, message),
                          message, lostOn, wall,
                          again ? FailureGroups::Outcome::Retrying
                                : FailureGroups::Outcome::Failed);
    }
    s.inFlight = 0;
    if (!m_active) {
        s.info.state = WorkerState::Stopped;
        return;
    }
    const QString hostName = hostOf(slot);
    HostRecord &host = m_hosts[hostName];
    ++host.lostWorkers;
    if (!host.blocked && host.lostWorkers >= m_settings.blocklistLostWorkers
        && otherHealthyHost(hostName))
        blockHost(hostName, QStringLiteral("it lost %1 workers").arg(host.lostWorkers));
    if (host.blocked) {
        s.info.state = WorkerState::Blocked;
        dispatch();
        checkDone();
        return;
    }
    ++s.info.restarts;
    if (s.info.restarts > m_settings.maxWorkerRestarts) {
        s.info.state = WorkerState::Failed;
        bool anyAlive = false;
        for (const Slot &o : std::as_const(m_slots))
            anyAlive = anyAlive || o.process;
        if (!anyAlive) {
            emit workerMessage(slot, QStringLiteral("every worker failed to run; giving up"));
            cancelAll();
            return;
        }
    } else {
        launchSlot(slot);
    }
    dispatch();
    checkDone();
}

void RunCoordinator::promoteRetries()
{
    const qint64 now = nowMs();
    if (m_retries.empty() || m_retries.top().dueMs > now)
        return armRetryTimer();
    m_store->write([&](TaskStates &states, TaskStore &) {
        while (!m_retries.empty() && m_retries.top().dueMs <= now) {
            const int row = m_retries.top().row;
            m_retries.pop();
            TaskState &st = states[row];
            if (st.status != TaskStatus::Retrying)
                continue;
            setStatus(st, TaskStatus::Queued);
            st.readyAtMs = now;
            m_ready.push(readyEntry(row, now));
            markChanged(row);
        }
    });
    armRetryTimer();
}

void RunCoordinator::armRetryTimer()
{
    if (m_retries.empty()) {
        m_retryTimer.stop();
        return;
    }
    const qint64 wait = qMax<qint64>(0, m_retries.top().dueMs - nowMs());
    if (!m_retryTimer.isActive() || m_retryTimer.remainingTime() > wait)
        m_retryTimer.start(int(wait));
}

void RunCoordinator::setPaused(bool paused)
{
    m_paused = paused;
    if (!paused)
        dispatch();
    emitUpdates();
}

void RunCoordinator::cancelTasks(const QVector<int> &rows)
{
    endTasks(rows, TaskStatus::Cancelled, QStringLiteral("cancelled"));
    dispatch();
    checkDone();
}

void RunCoordinator::skipTasks(const std::shared_ptr<TaskStore> &store, const QVector<int> &rows,
                               const QString &reason, const QString &journalPath,
                               const std::shared_ptr<const FailureGroups> &earlierFailures)
{
    if (m_active && store == m_store) {
        const QVector<int> skipped = endTasks(rows, TaskStatus::Skipped, reason);
        emit tasksSkipped(skipped);
        dispatch();
        checkDone();
        return;
    }
    if (m_store != store) {
        // Nothing has run on this store here yet (a journal just opened).
        closeJournal();
        const bool fits = earlierFailures && earlierFailures->taskCount() == store->size();
        m_failures = fits ? *earlierFailures : FailureGroups(store->size());
        m_store = store;
        m_settings = RunSettings();
    }
    // Between runs: the states change here, and go to the journal before anyone hears.
    QVector<int> skipped;
    m_counts.fill(0);
    m_store->write([&](TaskStates &states, TaskStore &s) {
        for (int row : rows) {
            if (row < 0 || row >= states.size())
                continue;
            TaskState &st = states[row];
            if (st.status == TaskStatus::Succeeded || st.status == TaskStatus::Skipped)
                continue;
            st.status = TaskStatus::Skipped;
            st.message = reason;
            m_failures.clear(row);
            skipped.append(row);
        }
        states.forEachLive([&](int, const TaskState &st) { ++m_counts[int(st.status)]; });
        const StatusCounts freed = s.freedCountsLocked();
        for (int i = 0; i < TaskStatusCount; ++i)
            m_counts[size_t(i)] += freed.n[size_t(i)];
    });
    if (!m_journal && !journalPath.isEmpty()) {
        m_settings.journalPath = journalPath;
        m_settings.createJournal = false;
    }
    m_settings.journalRunKind = QStringLiteral("skip");
    if (!journalPath.isEmpty() || m_journal)
        openJournal();
    if (m_journal) {
        QMetaObject::invokeMethod(m_journal,
                                  [j = m_journal, skipped] { j->appendFinished(skipped); });
        QMetaObject::invokeMethod(
                m_journal, [j = m_journal, open = openTasks()] { j->recordOpenTasks(open); },
                Qt::BlockingQueuedConnection);
    }
    m_failures.takeChanged();
    emit failuresChanged(m_failures.summary());
    emit tasksChanged(skipped);
    emit progress(makeStats());
    emit tasksSkipped(skipped);
}

QVector<int> RunCoordinator::endTasks(const QVector<int> &rows, TaskStatus status,
                                      const QString &message)
{
    QVector<int> ended;
    if (!m_store)
        return ended;
    QVector<int> wereFinished; // failed or cancelled, now skipped: journaled again
    QHash<int, QVector<CancelEntry>> perSlot;
    const qint64 now = nowMs();
    const qint64 nowUs = m_log ? m_log->nowUs() : 0;
    m_store->write([&](TaskStates &states, TaskStore &) {
        for (int row : rows) {
            if (row < 0 || row >= states.size()
                || (m_settings.retireFinished && isTerminal(states[row].status)))
                continue; // a streamed run's finished task may have left memory: leave it
            TaskState &st = states[row];
            if (status == TaskStatus::Skipped
                && (st.status == TaskStatus::Failed || st.status == TaskStatus::Cancelled)) {
                setStatus(st, status);
                m_failures.clear(row);
                st.message = message;
                wereFinished.append(row);
                ended.append(row);
                markChanged(row);
                continue;
            }
            if (isTerminal(st.status))
                continue;
            if (st.status == TaskStatus::Running) {
                logAttempt(row, st, AttemptOutcome::Cancelled, nowUs);
                if (m_rowHost[row] >= 0)
                    m_pacer.finish(m_rowHost[row], HostPacer::Outcome::Neutral, now);
                m_rowHost[row] = -1;
                for (int slot = 0; slot < m_slots.size(); ++slot) {
                    if (m_slots[slot].incarnation == m_assignedTo[row]) {
                        perSlot[slot].append(CancelEntry{row, st.attempts});
                        --m_slots[slot].inFlight;
                    }
                }
            }
            setStatus(st, status);
            // Cancelled or skipped is not a failure, whatever came before.
            m_failures.clear(row);
            if (status == TaskStatus::Cancelled)
                st.error = ErrorKind::Cancelled;
            st.message = message;
            st.finishedAtMs = now;
            m_finishedRows.append(row);
            ended.append(row);
            markChanged(row);
        }
    });
    if (m_journal && !wereFinished.isEmpty())
        QMetaObject::invokeMethod(
                m_journal, [j = m_journal, wereFinished] { j->appendFinished(wereFinished); });
    reportQueued();
    for (auto it = perSlot.cbegin(); it != perSlot.cend(); ++it) {
        if (WorkerProcess *p = m_slots[it.key()].process) {
            QByteArray frame;
            Wire::encodeCancel(&frame, it.value());
            p->send(frame);
        }
    }
    return ended;
}

void RunCoordinator::cancelAll()
{
    if (!m_active || !m_store)
        return;
    m_cancelling = true;
    // A cancelled run takes nothing more: the feed stops reading, and what is on its way
    // is dropped.
    if (m_feed && !m_feedReopens)
        m_feed->close();
    m_feedOpen = false;
    QVector<int> rows;
    m_store->read([&](const TaskStates &states) {
        for (int row = 0; row < states.size(); ++row) {
            if (!isTerminal(states[row].status))
                rows.append(row);
        }
    });
    cancelTasks(rows);
    checkDone();
}

void RunCoordinator::retryTasks(const QVector<int> &rows)
{
    if (!m_store)
        return;
    if (!m_active) {
        start(m_store, m_settings, rows);
        return;
    }
    QVector<int> reset;
    m_store->write([&](TaskStates &states, TaskStore &store) {
        reset = resetRows(states, store, rows, true);
        for (int row : std::as_const(reset))
            states[row].readyAtMs = nowMs();
    });
    for (int row : std::as_const(reset)) {
        m_ready.push(readyEntry(row, m_store->state(row).readyAtMs));
        markChanged(row);
    }
    dispatch();
}

void RunCoordinator::changeTasks(const std::shared_ptr<TaskStore> &store, const QVector<int> &rows,
                                 const QVector<std::shared_ptr<const TaskShape>> &shapes,
                                 const JournalEdit &edit)
{
    store->write([&](TaskStates &, TaskStore &s) {
        for (qsizetype i = 0; i < rows.size() && i < shapes.size(); ++i)
            s.setShapeLocked(rows[i], shapes[i]);
    });
    if (store == m_store)
        recordEdit(edit);
    else
        m_pendingEdits.append(edit);
}

void RunCoordinator::recordEdit(const JournalEdit &edit)
{
    if (m_journal)
        QMetaObject::invokeMethod(m_journal, [j = m_journal, edit] { j->appendEdit(edit); });
    else
        m_pendingEdits.append(edit);
}

void RunCoordinator::changePriority(const QVector<int> &rows, int delta, const QByteArray &change)
{
    if (!m_store || delta == 0)
        return;
    JournalEdit edit;
    edit.change = change;
    // Tasks of one shape and one new priority keep sharing one shape.
    QHash<QPair<const TaskShape *, qint32>, std::shared_ptr<const TaskShape>> made;
    m_store->write([&](TaskStates &states, TaskStore &store) {
        for (int row : rows) {
            if (row < 0 || row >= states.size() || states[row].status != TaskStatus::Queued)
                continue;
            const std::shared_ptr<const TaskShape> before = store.shapeLocked(row);
            const auto p = qint32(qBound(-qint64(MaxPriority), qint64(before->priority) + delta,
                                         qint64(MaxPriority)));
            if (p == before->priority)
                continue;
            std::shared_ptr<const TaskShape> &after = made[{before.get(), p}];
            if (!after) {
                auto shape = std::make_shared<TaskShape>(*before);
                shape->priority = p;
                after = std::move(shape);
            }
            store.setShapeLocked(row, after);
            edit.rows.append(row);
            const QJsonObject line{
                    {QStringLiteral("row"), row},
                    {QStringLiteral("id"), store.spec(row).id},
                    {QStringLiteral("before"),
                     QJsonObject{{QStringLiteral("priority"), before->priority}}},
                    {QStringLiteral("after"), QJsonObject{{QStringLiteral("priority"), p}}}};
            edit.specs += QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
            // A second entry with the new priority; the old one is skipped when it comes up.
            m_ready.push(readyEntry(row, states[row].readyAtMs));
            markChanged(row);
        }
    });
    if (!edit.rows.isEmpty())
        recordEdit(edit);
    dispatch();
}

QVector<int> RunCoordinator::resetRows(TaskStates &states, TaskStore &store,
                                       const QVector<int> &rows, bool counted)
{
    QVector<int> reset;
    for (int row : rows) {
        // A streamed run's finished tasks may have left memory (retired): they run again
        // from the journal (brigade retry-failed JOURNAL), not in the run.
        if (row < 0 || row >= states.size() || !isTerminal(states[row].status)
            || m_settings.retireFinished)
            continue;
        if (counted) {
            --m_counts[int(states[row].status)];
            ++m_counts[int(TaskStatus::Queued)];
        }
        store.resetLocked(row); // fresh attempt count; earlier attempts are forgotten
        m_failures.clear(row);
        reset.append(row);
    }
    if (m_journal && !reset.isEmpty())
        QMetaObject::invokeMethod(m_journal, [j = m_journal, reset] { j->appendReset(reset); });
    return reset;
}

void RunCoordinator::findFailureRows(quint64 token, const QVector<int> &ids)
{
    emit failureRowsFound(token, m_failures.rowsOf(ids));
}

void RunCoordinator::killWorker(int slot)
{
    if (slot >= 0 && slot < m_slots.size() && m_slots[slot].process)
        m_slots[slot].process->kill(QStringLiteral("killed on request"));
}

void RunCoordinator::checkDone()
{
    if (!m_active)
        return;
    const qint64 open = m_counts[int(TaskStatus::Queued)] + m_counts[int(TaskStatus::Running)]
                        + m_counts[int(TaskStatus::Retrying)];
    if (open == 0 && m_feedOpen && m_feedPending == 0)
        emit feedIdle();
    if (open > 0 || m_feedOpen || m_feedPending > 0)
        return;
    if (m_feed && !m_feedReopens)
        m_feed->close();
    m_active = false;
    m_retryTimer.stop();
    stopWorkers();
    m_updateTimer.stop();
    m_loadTimer.stop();
    emitUpdates();
    sampleLoad();
    if (m_journal) {
        // Everything finished is on disk before anyone hears the run is over.
        QMetaObject::invokeMethod(
                m_journal, [j = m_journal, open = openTasks()] { j->recordOpenTasks(open); },
                Qt::BlockingQueuedConnection);
    }
    emit finished(makeStats());
    if (!m_held.isEmpty()) {
        // Tasks that came while a cancel was under way: they run now, in a reopened run.
        const QList<HeldTasks> held = std::exchange(m_held, {});
        reopen();
        for (const HeldTasks &h : held) {
            if (h.journaled)
                acceptTasks(m_store, h.specs);
            else
                addTasks(h.specs, h.lines, h.taken);
        }
    }
}

void RunCoordinator::stopWorkers()
{
    for (Slot &s : m_slots) {
        if (s.process) {
            s.process->disconnect(this);
            connect(s.process, &WorkerProcess::lost, s.process, &QObject::deleteLater);
            s.process->stop();
            s.process = nullptr;
        }
        // A slot that gave up or whose host was taken out of rotation says so after the run.
        if (s.info.state != WorkerState::Failed && s.info.state != WorkerState::Blocked)
            s.info.state = WorkerState::Stopped;
        s.inFlight = 0;
    }
}

void RunCoordinator::openJournal()
{
    // Edits made before this run's journal was open go in first, before any reset.
    const QList<JournalEdit> edits = std::exchange(m_pendingEdits, {});
    auto writeEdits = [this, &edits] {
        for (const JournalEdit &edit : edits)
            QMetaObject::invokeMethod(m_journal, [j = m_journal, edit] { j->appendEdit(edit); });
    };
    if (m_journal) {
        QMetaObject::invokeMethod(m_journal, [j = m_journal, kind = m_settings.journalRunKind] {
            j->beginRun(kind);
        });
        writeEdits();
        return;
    }
    if (m_settings.journalPath.isEmpty())
        return;
    m_journalPath = m_settings.journalPath;
    m_journalThread = new QThread(this);
    m_journalThread->setObjectName(QStringLiteral("brigade-journal"));
    m_journal = new JournalWriter(m_journalPath, m_store);
    m_journal->moveToThread(m_journalThread);
    connect(m_journalThread, &QThread::finished, m_journal, &QObject::deleteLater);
    connect(m_journal, &JournalWriter::failed, this, [this](const QString &why) {
        emit message(QStringLiteral("journal: %1 (results are still reported, but a crash "
                                    "now would lose them)")
                             .arg(why));
    });
    m_journalThread->start();
    if (m_settings.createJournal) {
        QMetaObject::invokeMethod(
                m_journal, [j = m_journal, path = m_settings.journalBatchPath,
                            data = m_settings.journalBatchData,
                            kind = m_settings.journalRunKind] { j->create(path, data, kind); });
        // The journal holds its own copy now; this one need not live as long as the run.
        m_settings.journalBatchData = BatchBytes();
    } else {
        QMetaObject::invokeMethod(
                m_journal, [j = m_journal, kind = m_settings.journalRunKind] { j->open(kind); });
    }
    writeEdits();
}

void RunCoordinator::closeJournal()
{
    if (!m_journal)
        return;
    QMetaObject::invokeMethod(m_journal, [j = m_journal, open = openTasks()] { j->close(open); });
    m_journalThread->quit();
    m_journalThread->wait();
    delete m_journalThread;
    m_journalThread = nullptr;
    m_journal = nullptr; // deleted by the thread's finished()
}

void RunCoordinator::shutdown()
{
    closeJournal();
    m_active = false;
    m_updateTimer.stop();
    m_loadTimer.stop();
    m_retryTimer.stop();
    for (Slot &s : m_slots) {
        delete s.process; // kills the process
        s.process = nullptr;
    }
}

qint64 RunCoordinator::openTasks() const
{
    const RunStats st = makeStats();
    return st.total - st.succeeded - st.failed - st.skipped;
}

RunStats RunCoordinator::makeStats() const
{
    RunStats st;
    st.queued = m_counts[int(TaskStatus::Queued)] - m_againQueued;
    st.running = m_counts[int(TaskStatus::Running)] - m_againRunning;
    st.retrying = m_counts[int(TaskStatus::Retrying)] + m_againQueued + m_againRunning;
    st.succeeded = m_counts[int(TaskStatus::Succeeded)];
    st.failed = m_counts[int(TaskStatus::Failed)];
    st.cancelled = m_counts[int(TaskStatus::Cancelled)];
    st.skipped = m_counts[int(TaskStatus::Skipped)];
    st.total = st.queued + st.running + st.retrying + st.finished();
    st.attempts = m_attemptsDone;
    st.elapsedMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    st.paused = m_paused;
    st.active = m_active;
    if (!m_active && m_rateStart.first >= 0 && !m_rateWindow.empty()) {
        const auto &b = m_rateWindow.back();
        if (b.first > m_rateStart.first)
            st.rate = qMax(0.0, 1000.0 * double(b.second - m_rateStart.second)
                                        / double(b.first - m_rateStart.first));
    } else if (m_rateWindow.size() >= 2) {
        const auto &a = m_rateWindow.front();
        const auto &b = m_rateWindow.back();
        if (b.first > a.first)
            st.rate = 1000.0 * double(b.second - a.second) / double(b.first - a.first);
    }
    const qint64 open = st.queued + st.running + st.retrying;
    if (st.rate > 0)
        st.etaMs = qint64(1000.0 * double(open) / st.rate);
    else if (open == 0)
        st.etaMs = 0;
    return st;
}

void RunCoordinator::emitUpdates()
{
    const qint64 now = nowMs();
    // Tasks that ran to an end: a cancel ends thousands at once, which is no rate of work.
    const qint64 done = m_counts[int(TaskStatus::Succeeded)] + m_counts[int(TaskStatus::Failed)];
    if (m_log) {
        CountSample sample;
        sample.atUs = m_log->nowUs();
        sample.queued = qint32(m_counts[int(TaskStatus::Queued)]);
        sample.running = qint32(m_counts[int(TaskStatus::Running)]);
        sample.retrying = qint32(m_counts[int(TaskStatus::Retrying)]);
        sample.succeeded = qint32(m_counts[int(TaskStatus::Succeeded)]);
        sample.failed = qint32(m_counts[int(TaskStatus::Failed)]);
        sample.cancelled = qint32(m_counts[int(TaskStatus::Cancelled)]);
        sample.attempts = qint32(m_attemptsDone);
        m_log->addSample(sample);
        publishRunning();
    }
    if (m_rateStart.first < 0)
        m_rateStart = {now, done};
    m_rateWindow.emplace_back(now, done);
    while (m_rateWindow.size() > 2 && now - m_rateWindow.front().first > 3000)
        m_rateWindow.pop_front();
    if (!m_finishedRows.isEmpty()) {
        if (m_journal) {
            QMetaObject::invokeMethod(
                    m_journal, [j = m_journal, rows = m_finishedRows] { j->appendFinished(rows); });
        }
        emit tasksFinished(m_finishedRows);
        m_finishedRows.clear();
    }
    if (m_failures.takeChanged())
        emit failuresChanged(m_failures.summary());
    if (!m_changed.isEmpty()) {
        for (int row : std::as_const(m_changed))
            m_changedFlag[row] = 0;
        emit tasksChanged(m_changed);
        m_changed.clear();
    }
    clearEndedBlocks();
    if (!m_programLogChanged.isEmpty()) {
        emit programLogChanged(m_programLogChanged);
        m_programLogChanged.clear();
    }
    emit progress(makeStats());
}

void RunCoordinator::sampleLoad()
{
    LoadSample sample;
    sample.elapsedMs = nowMs();
    sample.cores = m_load.sample();
    for (Slot &s : m_slots) {
        s.info.inFlight = s.inFlight;
        sample.workers.append(s.info);
    }
    sample.tasksPerSecond = makeStats().rate;
    sample.hosts = m_pacer.snapshot(nowMs());
    emit loadSampled(sample);
}

// Feeding a running run.

void RunCoordinator::openFeed(std::shared_ptr<FeedGate> gate, bool reopens)
{
    // The same gate again (the window's next run): tasks on their way still count.
    if (gate != m_feed)
        m_feedPending = 0;
    m_feed = std::move(gate);
    m_feedOpen = true;
    m_feedReopens = reopens;
}

void RunCoordinator::reopen()
{
    RunSettings settings = m_settings;
    settings.journalRunKind = QStringLiteral("reopen");
    settings.createJournal = false; // the run that ended made it
    settings.journalBatchData = {};
    m_feedOpen = true; // ends again once the feeder says so and its tasks are done
    start(m_store, settings, {});
}

void RunCoordinator::closeFeed()
{
    m_feedOpen = false;
    checkDone();
}

void RunCoordinator::addTasks(QVector<TaskSpec> specs, const QByteArray &lines,
                              std::function<void()> taken)
{
    if (m_feedReopens && m_store && !m_active) {
        reopen();
    } else if (m_feedReopens && m_store && m_cancelling) {
        m_held.append(HeldTasks{std::move(specs), lines, std::move(taken), false});
        return;
    }
    if (!m_store || m_cancelling || !m_active) {
        if (m_feed) // dropped: nothing will start them
            m_feed->setQueued(feedHeld(), specs.size());
        if (taken)
            taken();
        return;
    }
    if (!m_journal) {
        acceptTasks(m_store, std::move(specs));
        if (taken)
            taken();
        return;
    }
    // Journaled before they count: once a task is in the store, a crash cannot lose it.
    m_feedPending += specs.size();
    const qint64 open = openTasks() + m_feedPending;
    QMetaObject::invokeMethod(m_journal, [j = m_journal, self = this, store = m_store, lines, open,
                                          specs = std::move(specs),
                                          taken = std::move(taken)]() mutable {
        j->appendBatchData(lines, open);
        QMetaObject::invokeMethod(
                self, [self, store, specs = std::move(specs), taken = std::move(taken)]() mutable {
                    self->m_feedPending -= specs.size();
                    self->acceptTasks(store, std::move(specs));
                    if (taken)
                        taken();
                });
    });
}

void RunCoordinator::acceptTasks(const std::shared_ptr<TaskStore> &store, QVector<TaskSpec> specs)
{
    const int count = int(specs.size());
    if (store == m_store && m_feedReopens && m_active && m_cancelling && count > 0) {
        m_held.append(HeldTasks{std::move(specs), {}, {}, true});
        checkDone();
        return;
    }
    if (store != m_store || !m_active || m_cancelling || count == 0) {
        if (m_feed)
            m_feed->setQueued(feedHeld(), count);
        checkDone();
        return;
    }
    const qint64 now = nowMs();
    int first = 0;
    m_store->write([&](TaskStates &states, TaskStore &s) {
        first = s.appendLocked(std::move(specs));
        for (int row = first; row < first + count; ++row)
            states[row].readyAtMs = now;
    });
    const int n = first + count;
    m_assignedTo.resize(n);
    m_dispatchedUs.resize(n);
    m_runningAt.resize(n);
    m_changedFlag.resize(n);
    m_rowHost.resize(n);
    m_deferrals.resize(n);
    m_failures.addTasks(count);
    for (int row = first; row < n; ++row)
        m_ready.push(readyEntry(row, now));
    m_counts[int(TaskStatus::Queued)] += count;
    if (m_feed)
        m_feed->setQueued(feedHeld(), count);
    dispatch();
}

void RunCoordinator::releaseRows(const QVector<int> &rows)
{
    if (!m_settings.retireFinished || !m_store || rows.isEmpty())
        return;
    if (!m_journal) {
        retireRows(m_store, rows);
        return;
    }
    // Through the journal's thread: it writes the rows' results in the order they were
    // queued, so by the time this comes back they are in the journal.
    QMetaObject::invokeMethod(m_journal, [self = this, store = m_store, rows] {
        QMetaObject::invokeMethod(self, [self, store, rows] { self->retireRows(store, rows); });
    });
}

void RunCoordinator::retireRows(const std::shared_ptr<TaskStore> &store, const QVector<int> &rows)
{
    if (store != m_store)
        return;
    QVector<int> freed;
    m_store->write([&](TaskStates &, TaskStore &s) {
        freed = s.retireLocked(rows);
        m_retiredRows = s.retiredRowsLocked();
    });
    for (int block : std::as_const(freed))
        releaseBlock(block);
    reportQueued(); // room for the feeder, if finished rows were what filled it
    dispatch();     // and for the workers (see dispatch())
}

qint64 RunCoordinator::finishedHeld() const
{
    return m_counts[int(TaskStatus::Succeeded)] + m_counts[int(TaskStatus::Failed)]
           + m_counts[int(TaskStatus::Cancelled)] + m_counts[int(TaskStatus::Skipped)]
           - m_retiredRows;
}

qint64 RunCoordinator::feedHeld() const
{
    qint64 held = m_counts[int(TaskStatus::Queued)];
    if (m_settings.retireFinished) {
        // Finished rows still in memory count too: if the journal or the front end falls
        // behind, reading waits for them rather than memory growing.
        held += finishedHeld();
    }
    return held;
}

void RunCoordinator::clearEndedBlocks()
{
    // The per-row tables matter while a row runs or waits to: a block whose rows have all
    // ended gives their memory back (23 bytes a row), so a million-task run holds the
    // tables of the tasks in flight, not of every task. A retry makes them again.
    const auto made = [this](int block) {
        return m_assignedTo.isBlockMade(block) || m_dispatchedUs.isBlockMade(block)
               || m_runningAt.isBlockMade(block) || m_changedFlag.isBlockMade(block)
               || m_rowHost.isBlockMade(block) || m_deferrals.isBlockMade(block);
    };
    if (!m_store)
        return;
    m_store->read([&](const TaskStates &states) {
        for (int block = 0; block < m_assignedTo.blockCount(); ++block) {
            if (!made(block))
                continue;
            const int first = block << TaskStates::BlockBits;
            const int end = qMin(states.size(), first + TaskStates::BlockSize);
            bool ended = true;
            for (int row = first; row < end && ended; ++row)
                ended = isTerminal(states.at(row).status);
            if (!ended)
                continue;
            m_assignedTo.clearBlock(block);
            m_dispatchedUs.clearBlock(block);
            m_runningAt.clearBlock(block);
            m_changedFlag.clearBlock(block);
            m_rowHost.clearBlock(block);
            m_deferrals.clearBlock(block);
        }
    });
}

void RunCoordinator::releaseBlock(int block)
{
    m_assignedTo.releaseBlock(block);
    m_dispatchedUs.releaseBlock(block);
    m_runningAt.releaseBlock(block);
    m_changedFlag.releaseBlock(block);
    m_rowHost.releaseBlock(block);
    m_deferrals.releaseBlock(block);
}

void RunCoordinator::reportQueued()
{
    if (m_feed)
        m_feed->setQueued(feedHeld());
}

} // namespace Brigade::Internal
