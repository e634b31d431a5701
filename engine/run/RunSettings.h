#pragma once

#include "core/RetryPolicy.h"

#include <QString>
#include <QStringList>

namespace Brigade {

// How a run is carried out. Plain data; front ends fill it from flags or QSettings.
struct RunSettings
{
    int workers = 0;        // 0: one per core
    int concurrency = 8192; // tasks in flight per worker
    int computeThreads = 1; // compute threads per worker
    int maxAttempts = 3;    // default for tasks that do not say
    quint32 timeoutMs = 0;  // default per-attempt timeout; 0: none
    qint64 maxBytes = 64 * 1024 * 1024;
    RetryPolicy retry;
    quint32 heartbeatMs = 500;
    quint32 heartbeatTimeoutMs = 10000; // a worker silent this long is replaced
    quint32 flushUs = 2000;
    quint32 seed = 0; // 0: random
    int maxWorkerRestarts = 50;
    quint64 workerMemoryLimitMb = 0; // 0: none; else each worker's data memory is capped // per
                                     // slot, so a worker that cannot start does not spin
    QString journalPath;             // an existing journal (Journal::create) to record into
    QString journalRunKind = QStringLiteral("run");
    QString workerProgram; // default: brigade-worker beside the application
    QStringList workerArguments;

    int effectiveWorkers() const;
    QString effectiveWorkerProgram() const;
};

} // namespace Brigade
