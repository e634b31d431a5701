#pragma once

#include "RunSettings.h"
#include "core/Result.h"

#include <QList>
#include <QString>

namespace Brigade {

// What a user may choose for a run, and what is wrong with a choice: the one set of rules
// that the command line, the Run Settings dialog and the worker placement editor all call,
// so they accept and refuse the same things with the same words. Messages are sentences a
// front end shows as they are (the command line puts the option's name before them).
class RunSettingsRules
{
public:
    enum class Field {
        Workers,
        Concurrency,
        ComputeThreads,
        MaxAttempts,
        TimeoutMs,
        MaxBytes,
        BackoffMs,
        HeartbeatTimeoutMs,
        WorkerMemoryMb,
        QueueTimeoutMs,
        Seed,
        MaxHostConnections, // 0: no cap
        Proxy,
        Rate,            // a --rate HOST=N/s[:burst=B]
        HostInFlight,    // 0: no cap
        BreakerFailures, // 0: no breaker
        BreakerCooldownMs,
        MaxPauseMs,
        PriorityAgingMs,
        SshWorkers,   // workers on one ssh host (HOST*N)
        GroupWorkers, // Slurm steps, launcher workers
        SshHost,
        Slurm,
        Launcher,
    };
    struct Limit
    {
        qint64 min;
        qint64 max;
    };
    struct Problem
    {
        Field field;
        QString message;
    };

    static Limit limit(Field field);
    static bool withinLimit(Field field, qint64 value)
    {
        const Limit l = limit(field);
        return value >= l.min && value <= l.max;
    }

    // The values: numbers within their limits, ssh host names, backoff base <= cap. Nothing
    // here looks at the machine.
    static QList<Problem> check(const RunSettings &settings);
    // What this machine lacks to start the chosen workers: ssh or srun on the PATH, the
    // launcher's program, the slurm.conf file.
    static QList<Problem> checkEnvironment(const RunSettings &settings);

    // The pieces, for editors that check a field as it is typed. Empty: nothing wrong.
    static QString sshHostProblem(const QString &host);
    static QString partitionProblem(const QString &partition);
    static QString timeLimitProblem(const QString &time);
    static QString slurmConfProblem(const QString &path);
    static QString launcherProblem(const QString &command);
    static QString programProblem(const QString &program, const QString &what);
    // "HOST=10/s", "*=600/min", "HOST=10/s:burst=5": a host's request rate.
    static Result<HostRate> parseRate(const QString &text);
    static QString rateProblem(const HostRate &rate); // empty: nothing wrong
    // One rate per line (blank lines skipped); a problem names its line when there are
    // several.
    static Result<QList<HostRate>> parseRates(const QString &lines);
    // The CA certificates of a --cacert file (PEM): its bytes, or why they cannot be used.
    static Result<QByteArray> readCaCertificates(const QString &path);
};

} // namespace Brigade
