#include "CallOp.h"

#include "usercode/CallSpec.h"

namespace Brigade {

bool CallOp::parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                         QString *errorKey) const
{
    CallSpec spec;
    std::vector<SpecProblem> problems;
    if (!CallSpec::parse(compute, &spec, &problems)) {
        *error = problems.front().message;
        *errorKey = problems.front().key;
        return false;
    }
    *params = spec.encode();
    return true;
}

bool CallOp::run(const QByteArray &, QByteArrayView, const std::atomic_bool &, QByteArray *,
                 QString *error) const
{
    *error = QStringLiteral("call runs in the worker's program runner");
    return false;
}

} // namespace Brigade
