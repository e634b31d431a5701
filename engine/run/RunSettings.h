#pragma once

#include "HostPacing.h"
#include "core/RetryPolicy.h"
#include "journal/BatchBytes.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace Brigade {

// Where a group of workers runs and how it is started. A worker is a process speaking
// frames on stdin/stdout, so any launcher that relays stdio can start one.
struct WorkerGroup
{
    enum class Kind { Local, Ssh, Slurm, Command };

    Kind kind = Kind::Local;
    int count = 1;
    QString host;          // Ssh: [user@]host, as ssh takes it
    QStringList options;   // extra launcher options (ssh -o ..., srun --partition ...)
    QString remoteProgram; // Ssh/Slurm: the worker on the far side (default brigade-worker)
    QString command;       // Command: a template such as "docker exec box brigade-worker"
    QString slurmConf;     // Slurm: SLURM_CONF for srun (empty: the environment's)

    QString label() const; // "local", "ssh node2", "slurm", or the command
};

// How a run is carried out. Plain data; front ends fill it from flags or QSettings.
struct RunSettings
{
    int workers = 0;           // local workers; 0: one per core (none when groups are given)
    QList<WorkerGroup> groups; // remote or custom workers, besides the local ones
    int concurrency = 8192;    // tasks in flight per worker
    int computeThreads = 1;    // compute threads per worker
    int maxAttempts = 3;       // default for tasks that do not say
    quint32 timeoutMs = 0;     // default per-attempt timeout; 0: none
    qint64 maxBytes = 64 * 1024 * 1024;
    RetryPolicy retry;
    quint32 heartbeatMs = 500;
    quint32 heartbeatTimeoutMs = 10000; // a worker silent this long is replaced
    quint32 queueTimeoutMs = 0;         // how long a Slurm worker may wait for a CPU; 0: forever
    quint32 flushUs = 2000;
    quint32 seed = 0; // 0: random
    // Per slot, so a worker that cannot start does not spin.
    int maxWorkerRestarts = 50;
    // A host that loses this many workers, or fails this many attempts in a row while
    // other hosts succeed, is taken out of rotation for the run.
    int blocklistLostWorkers = 5;
    int blocklistFailedAttempts = 50;
    quint64 workerMemoryLimitMb = 0; // 0: none; else each worker's data memory is capped
    // HTTP. Connections to one host for the whole run (shared out among the workers, at
    // least one each); HTTP/2 carries many requests on each. 0: no cap. Debian's nginx
    // takes 768 connections per worker process; 256 keeps well clear of that and still
    // fills a fast server.
    int maxHostConnections = 256;
    bool http1 = false;         // never HTTP/2
    bool insecure = false;      // no TLS certificate or host name checks
    QByteArray caCertificates;  // PEM trusted in place of the system's bundle (--cacert)
    QString caCertificatesFile; // where they were read from (shown, remembered)
    QByteArray proxy;           // empty: the environment's http_proxy, https_proxy, no_proxy
    HostPacing pacing;          // per host, for all workers together
    // Connections per host each of workers worker processes may open.
    int hostConnectionsPerWorker(int workers) const;
    // What a front end says, loudly, when insecure is on.
    static QString insecureWarning();
    QString journalPath; // the journal to record into
    QString journalRunKind = QStringLiteral("run");
    // Set when journalPath is still to be created from this batch (its path and bytes): it
    // is then built on the journal's thread while the workers start, instead of before.
    QString journalBatchPath;
    BatchBytes journalBatchData;
    bool createJournal = false;
    // A run of the command line (RunSession::setRetireFinished): finished tasks leave the
    // store once journaled and released by the front end (Engine::releaseRows), and no
    // timeline of attempts is kept, so memory stays flat however many tasks come.
    bool retireFinished = false;
    // Such a run starts no more tasks while this many finished ones wait to retire (the
    // journal or the front end fell behind): ~20 MB of their states, a tenth of a second
    // of a fast run.
    qint64 maxFinishedHeld = 256 * 1024;
    // Whether every attempt is kept for the timeline and the time breakdown (AttemptLog,
    // 36 bytes an attempt): the window shows them; a front end without such a view turns
    // it off.
    bool keepTimeline = true;
    QString workerProgram; // default: brigade-worker beside the application
    QStringList workerArguments;

    // Every worker slot's group, local ones first.
    QList<WorkerGroup> slotGroups() const;
    int effectiveWorkers() const { return int(slotGroups().size()); }
    QString effectiveWorkerProgram() const;
};

} // namespace Brigade
