#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <memory>

namespace Brigade {

struct ProgramSpec;

// What a task fetches before it computes.
enum class FetchKind : quint8 {
    None = 0,  // compute over the UTF-8 bytes of the task id
    Delay = 1, // simulated IO: wait a uniform random time in [delayMinMs, delayMaxMs]
    Url = 2,   // http, https or file URL
};

struct FetchSpec
{
    FetchKind kind = FetchKind::None;
    quint32 delayMinMs = 0;
    quint32 delayMaxMs = 0;
    // Delay only: the share of attempts that fail as a network error after their wait, in
    // parts per million (flaky IO for demos and retry tests, as the asyncio recipes simulate).
    quint32 failPpm = 0;
    QByteArray url; // fully encoded
    QList<QPair<QByteArray, QByteArray>> headers;
    qint64 maxBytes = 0;   // 0: the run's default
    quint32 timeoutMs = 0; // 0: the task's attempt timeout
};

// A compute op and its parameters, encoded by the op itself (see ComputeRegistry).
struct ComputeSpec
{
    quint8 op = 0; // 0: no compute, the result is the fetch outcome
    QByteArray params;
    // A "call" task's program (the definition from the batch's first line); the workers
    // get every program a run needs in their configure frame.
    std::shared_ptr<const ProgramSpec> program;
};

// Everything about a task except its id. Identical shapes are shared between tasks,
// so a million tasks of one kind cost one shape.
struct TaskShape
{
    FetchSpec fetch;
    ComputeSpec compute;
    quint16 maxAttempts = 0; // 0: the run's default
    quint32 timeoutMs = 0;   // per attempt; 0: the run's default
};

struct TaskSpec
{
    QString id;
    std::shared_ptr<const TaskShape> shape;
    qint32 line = 0;    // line in the batch file, for messages
    QString input = {}; // "input": what {} stands for in a command (null: the id)
};

} // namespace Brigade
