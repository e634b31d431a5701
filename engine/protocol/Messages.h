#pragma once

#include "FrameDecoder.h"
#include "WireWriter.h"
#include "core/TaskSpec.h"
#include "core/TaskState.h"
#include "usercode/ProgramSpec.h"

#include <QByteArray>
#include <QString>
#include <QVector>

namespace Brigade {

constexpr quint32 ProtocolMagic = 0x44475242; // "BRGD"
// 2: delay fetches carry fail_rate; 3: commands and programs (exec, call); 4: HTTP
// options in configure and assign.
constexpr quint16 ProtocolVersion = 4;

struct HelloMsg
{
    quint32 magic = ProtocolMagic;
    quint16 version = ProtocolVersion;
    QString host;
    quint32 pid = 0;
    quint16 cores = 0;
    QString slurmJobId;
    QString workerVersion;
};

struct ConfigureMsg
{
    quint32 concurrency = 0;    // tasks the engine may keep in flight on this worker
    quint16 computeThreads = 1; // threads that run compute ops
    qint64 defaultMaxBytes = 64 * 1024 * 1024;
    quint32 heartbeatMs = 500;
    quint32 flushUs = 2000; // results are sent at least this often while any are pending
    quint32 seed = 0;       // for delay_ms ranges, so a run can be reproduced
    // How the worker's HTTP client treats servers (see HttpClientOptions).
    quint32 maxHostConnections = 0; // per worker; 0: no cap
    HttpVersion httpVersion = HttpVersion::Default;
    bool insecure = false;
    QByteArray caCertificates; // PEM
    QByteArray proxy;
    quint16 workerSlot = 0; // {worker} in commands and programs
    // The programs the run's "call" tasks may name. The engine sends another configure
    // frame, with more of them, before the first task that calls one the worker lacks.
    QVector<ProgramSpec> programs;
};

// One attempt of one task, self-contained: workers keep no batch state.
struct AssignTask
{
    qint32 row = 0;
    quint16 attempt = 0;
    quint32 timeoutMs = 0; // 0: none
    FetchKind fetchKind = FetchKind::None;
    quint32 delayMinMs = 0;
    quint32 delayMaxMs = 0;
    quint32 failPpm = 0; // Delay: parts per million of attempts that fail after the wait
    QByteArray url;
    qint64 maxBytes = 0;
    HeaderList headers; // with the spec's secret headers
    HttpOptions http;
    quint8 op = 0;
    QByteArray params;
    QByteArray input; // the id's UTF-8 bytes when the compute does not run over a fetched body
};

struct CancelEntry
{
    qint32 row = 0;
    quint16 attempt = 0;
};

// Live output of a running command or program call: what it wrote since the last frame.
struct TaskOutput
{
    qint32 row = 0;
    quint16 attempt = 0;
    QString command; // set in the first entry of an attempt: the expanded command line
    QByteArray stdoutBytes;
    QByteArray stderrBytes;
};

// Lines a long-lived program wrote, or what happened to it, for its log.
struct ProgramOutput
{
    enum Stream : quint8 { Stdout = 1, Stderr = 2, Event = 3 }; // Event: Brigade's own words
    QString program;
    quint8 stream = Stdout;
    QByteArray text; // whole lines
};

struct OutputMsg
{
    QVector<TaskOutput> tasks;
    QVector<ProgramOutput> programs;
    bool isEmpty() const { return tasks.isEmpty() && programs.isEmpty(); }
};

struct HeartbeatMsg
{
    quint64 cpuUs = 0; // user + system CPU time of the worker process
    quint32 inFlight = 0;
    quint32 computeQueued = 0;
    quint64 rssKb = 0;
    quint64 completed = 0;
};

// Encoders append one whole frame to out; decoders return false on a malformed payload.
namespace Wire {
void encodeHello(QByteArray *out, const HelloMsg &m);
bool decodeHello(const QByteArray &payload, HelloMsg *m);

void encodeConfigure(QByteArray *out, const ConfigureMsg &m);
bool decodeConfigure(const QByteArray &payload, ConfigureMsg *m);

// Assign frames are built task by task to avoid an intermediate list.
class AssignBuilder
{
public:
    explicit AssignBuilder(QByteArray *out);
    void add(const AssignTask &t);
    // Writes the task straight from a spec (the engine's hot path): url is the task's
    // (urlOf()), input what the op gets besides a fetched body (the id's UTF-8, a
    // TaskContext, or nothing).
    void add(qint32 row, quint16 attempt, quint32 timeoutMs, const TaskShape &shape,
             QByteArrayView url, qint64 maxBytes, QByteArrayView input);
    // The input a task's attempt carries: a built-in op's input without a URL fetch (the
    // id's UTF-8, when the op reads input); for exec and call the TaskContext; else none.
    static QByteArray inputOf(const TaskSpec &spec);
    int count() const { return m_count; }
    qsizetype bytes() const;
    // Completes the frame; the buffer must not be touched before this.
    void finish();

private:
    QByteArray *m_out;
    qsizetype m_start;
    WireWriter m_w;
    qsizetype m_countPos = 0;
    int m_count = 0;
};
bool decodeAssign(const QByteArray &payload, QVector<AssignTask> *tasks);

void encodeCancel(QByteArray *out, const QVector<CancelEntry> &entries);
bool decodeCancel(const QByteArray &payload, QVector<CancelEntry> *entries);

void encodeResults(QByteArray *out, const QVector<AttemptResult> &results);
bool decodeResults(const QByteArray &payload, QVector<AttemptResult> *results);

void encodeHeartbeat(QByteArray *out, const HeartbeatMsg &m);
bool decodeHeartbeat(const QByteArray &payload, HeartbeatMsg *m);

void encodeOutput(QByteArray *out, const OutputMsg &m);
bool decodeOutput(const QByteArray &payload, OutputMsg *m);

void encodeFault(QByteArray *out, const QString &message);
bool decodeFault(const QByteArray &payload, QString *message);

void encodeShutdown(QByteArray *out);
} // namespace Wire

} // namespace Brigade
