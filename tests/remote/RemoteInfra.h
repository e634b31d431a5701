#pragma once

#include "run/RunSettings.h"
#include "run/RunStats.h"

#include <QFile>
#include <QHash>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

namespace Brigade::Test {

// The remote workers' test infrastructure (tests/remote/infra.sh): a one-machine Slurm
// cluster and a second host, brigade-node2, in a network namespace behind ssh. Under ctest
// a fixture starts it once for every remote test and BRIGADE_REMOTE_STATE names its state;
// a test binary run by hand starts (and stops) its own.
class RemoteInfra
{
public:
    ~RemoteInfra()
    {
        if (m_owned)
            run(QStringLiteral("bash"), {script(), QStringLiteral("stop"), m_stateFile});
    }

    // False (with why) when the state cannot be read at all.
    bool open(QString *why)
    {
        m_stateFile = qEnvironmentVariable("BRIGADE_REMOTE_STATE");
        if (m_stateFile.isEmpty()) {
            m_stateFile = m_ownState.filePath(QStringLiteral("state"));
            m_owned = true;
            int rc = 0;
            const QByteArray out
                    = run(QStringLiteral("bash"), {script(), QStringLiteral("start"), m_stateFile},
                          &rc, 180000);
            if (rc != 0) {
                *why = QStringLiteral("infra.sh start failed: ") + QString::fromLocal8Bit(out);
                return false;
            }
        }
        int rc = 0;
        const QByteArray env
                = run(QStringLiteral("bash"), {script(), QStringLiteral("env"), m_stateFile}, &rc);
        if (rc != 0) {
            *why = QStringLiteral("no infrastructure state in %1 (did remote/infra-start run?)")
                           .arg(m_stateFile);
            return false;
        }
        for (const QByteArray &line : env.split('\n')) {
            const qsizetype eq = line.indexOf('=');
            if (eq > 0)
                m_env.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
        }
        return true;
    }

    QString value(const QString &key) const { return m_env.value(key); }
    // "ok", "skip: why" or "error: why"
    QString slurmStatus() const { return statusOf(QStringLiteral("SLURM_STATUS")); }
    QString node2Status() const { return statusOf(QStringLiteral("NODE2_STATUS")); }
    QString node2SlurmStatus() const { return statusOf(QStringLiteral("NODE2_SLURM")); }
    int slurmCpus() const { return value(QStringLiteral("SLURM_CPUS")).toInt(); }
    QString node2Host() const { return value(QStringLiteral("NODE2_HOST")); }

    static QString script() { return QStringLiteral(BRIGADE_SOURCE_DIR "/tests/remote/infra.sh"); }

    WorkerGroup slurmGroup(int count, const QString &partition) const
    {
        WorkerGroup g;
        g.kind = WorkerGroup::Kind::Slurm;
        g.count = count;
        g.slurmConf = value(QStringLiteral("SLURM_CONF"));
        g.options = {QStringLiteral("--partition"), partition, QStringLiteral("--job-name"),
                     QStringLiteral("brigade-test")};
        g.remoteProgram = QStringLiteral(BRIGADE_WORKER_PATH);
        return g;
    }

    // Workers on node2 through ssh; remote is the command line run there.
    WorkerGroup sshGroup(int count,
                         const QString &remote = QStringLiteral(BRIGADE_WORKER_PATH)) const
    {
        WorkerGroup g;
        g.kind = WorkerGroup::Kind::Ssh;
        g.count = count;
        g.host = node2Host();
        g.options = {QStringLiteral("-F"), value(QStringLiteral("NODE2_SSH_CONFIG"))};
        g.remoteProgram = remote;
        return g;
    }

    // Slurm's jobs (or steps) in our test cluster, one "id state" line each.
    QStringList squeue(bool steps) const
    {
        QStringList args{QStringLiteral("-h")};
        if (steps)
            args << QStringLiteral("-s") << QStringLiteral("-o") << QStringLiteral("%i");
        else
            args << QStringLiteral("-o") << QStringLiteral("%i %t");
        const QByteArray out = run(QStringLiteral("squeue"), args, nullptr, 30000, slurmEnv());
        return QString::fromUtf8(out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }
    int pendingJobs() const
    {
        int n = 0;
        for (const QString &line : squeue(false))
            n += line.endsWith(QLatin1String(" PD")) ? 1 : 0;
        return n;
    }

    // SIGKILLs program's processes inside node2; returns how many.
    int killNode2Workers(const QString &program = QStringLiteral(BRIGADE_WORKER_PATH)) const
    {
        return run(QStringLiteral("bash"),
                   {script(), QStringLiteral("kill-node2-workers"), m_stateFile, program})
                .trimmed()
                .toInt();
    }
    bool setNode2Link(bool up) const
    {
        int rc = 0;
        run(QStringLiteral("bash"),
            {script(), QStringLiteral("node2-link"), m_stateFile,
             up ? QStringLiteral("up") : QStringLiteral("down")},
            &rc);
        return rc == 0;
    }

    QProcessEnvironment slurmEnv() const
    {
        // Never let a Slurm tool look for a controller in DNS: always our slurm.conf.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SLURM_CONF"), value(QStringLiteral("SLURM_CONF")));
        return env;
    }

    static QByteArray run(const QString &program, const QStringList &args, int *rc = nullptr,
                          int timeoutMs = 60000,
                          const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(program, args);
        const bool ok = p.waitForFinished(timeoutMs);
        if (!ok)
            p.kill();
        if (rc)
            *rc = ok && p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        return p.readAllStandardOutput();
    }

private:
    QString statusOf(const QString &key) const
    {
        const QString s = value(key);
        return s.isEmpty() ? QStringLiteral("error: %1 missing from the state").arg(key) : s;
    }

    QString m_stateFile;
    QTemporaryDir m_ownState;
    bool m_owned = false; // started by this test, not by the ctest fixture
    QHash<QString, QString> m_env;
};

// Skips the test when the part cannot run on this machine, fails it when it should have.
#define BRIGADE_REQUIRE_INFRA(status)                                                              \
    do {                                                                                           \
        const QString status_ = (status);                                                          \
        if (status_.startsWith(QLatin1String("skip")))                                             \
            QSKIP(qPrintable(status_));                                                            \
        if (status_ != QLatin1String("ok"))                                                        \
            QFAIL(qPrintable(status_));                                                            \
    } while (false)

// The workers of the latest load sample.
inline QVector<WorkerInfo> lastWorkers(const QList<LoadSample> &samples)
{
    return samples.isEmpty() ? QVector<WorkerInfo>() : samples.constLast().workers;
}

inline int countInState(const QList<LoadSample> &samples, WorkerState state)
{
    int n = 0;
    for (const WorkerInfo &w : lastWorkers(samples))
        n += w.state == state ? 1 : 0;
    return n;
}

// Every state a slot went through, in order, as the load samples saw it.
inline QVector<WorkerState> stateHistory(const QList<LoadSample> &samples, int slot)
{
    QVector<WorkerState> seen;
    for (const LoadSample &s : samples) {
        if (slot < s.workers.size()
            && (seen.isEmpty() || seen.constLast() != s.workers[slot].state))
            seen.append(s.workers[slot].state);
    }
    return seen;
}

} // namespace Brigade::Test
