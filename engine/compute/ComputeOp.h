#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <atomic>

namespace Brigade {

// One compute op ("sum_to", "sha256", ...). Ops are stateless and thread-safe: run()
// is called from compute threads in the workers.
class ComputeOp
{
public:
    virtual ~ComputeOp() = default;

    virtual QByteArray name() const = 0;
    // Public ops are listed in messages and docs; the others are only used by the engine
    // itself (the map step of MapReduce jobs) and refuse to be written in a batch.
    virtual bool isPublic() const { return true; }

    // Whether run() reads its input. When it does not, the engine sends no input at all
    // (for a task without fetch that would be a copy of its id per attempt).
    virtual bool usesInput() const { return true; }

    // Ops that run the user's own code (exec, call) are not run() on the compute threads:
    // a runner of their own in the worker does it (worker/RunnerRegistry), and their input
    // is the task's TaskContext (id and "input"), whatever the task fetches.
    virtual bool hasOwnRunner() const { return false; }

    // Whether run() with these params over this much input takes about a microsecond or
    // less. The worker then runs it at once on its own thread: handing such a task to a
    // compute thread and its result back costs more than running it.
    virtual bool isQuick(const QByteArray &params, qsizetype inputBytes) const
    {
        Q_UNUSED(params);
        Q_UNUSED(inputBytes);
        return false;
    }

    // Checks the op's parameters in a task's "compute" object and encodes them compactly
    // into *params (sent to workers). On a problem returns false with *error set to what
    // was expected, and *errorKey to the offending key (for the column in messages).
    virtual bool parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                             QString *errorKey) const = 0;

    // Computes over input. On success sets *resultJson to the result as JSON text
    // (e.g. 42, "ab12...", [["the",3]]; the map ops of MapReduce jobs return binary data
    // instead). On failure returns false with *error set.
    // Long loops check *cancel now and then and give up when it is set.
    virtual bool run(const QByteArray &params, QByteArrayView input, const std::atomic_bool &cancel,
                     QByteArray *resultJson, QString *error) const = 0;
};

} // namespace Brigade
