#include "ExecOp.h"

#include "usercode/CommandSpec.h"

namespace Brigade {

bool ExecOp::parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                         QString *errorKey) const
{
    CommandSpec spec;
    std::vector<SpecProblem> problems;
    if (!CommandSpec::parse(compute, &spec, &problems)) {
        *error = problems.front().message;
        *errorKey = problems.front().key;
        return false;
    }
    *params = spec.encode();
    return true;
}

bool ExecOp::run(const QByteArray &, QByteArrayView, const std::atomic_bool &, QByteArray *,
                 QString *error) const
{
    *error = QStringLiteral("exec runs in the worker's command runner");
    return false;
}

} // namespace Brigade
