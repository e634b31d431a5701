#pragma once

#include "ComputeOp.h"

namespace Brigade {

// {"op":"exec","argv":[...]}: a command per attempt (usercode/CommandSpec), run by the
// worker's ExecRunner rather than on a compute thread.
class ExecOp : public ComputeOp
{
public:
    QByteArray name() const override { return QByteArrayLiteral("exec"); }
    bool hasOwnRunner() const override { return true; }
    bool parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                     QString *errorKey) const override;
    bool run(const QByteArray &params, QByteArrayView input, const std::atomic_bool &cancel,
             QByteArray *resultJson, QString *error) const override;
};

} // namespace Brigade
