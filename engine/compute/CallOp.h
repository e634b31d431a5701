#pragma once

#include "ComputeOp.h"

namespace Brigade {

// {"op":"call","program":"score","args":{...}}: a request to a long-lived program
// (usercode/CallSpec), run by the worker's CallRunner rather than on a compute thread.
class CallOp : public ComputeOp
{
public:
    QByteArray name() const override { return QByteArrayLiteral("call"); }
    bool hasOwnRunner() const override { return true; }
    bool parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                     QString *errorKey) const override;
    bool run(const QByteArray &params, QByteArrayView input, const std::atomic_bool &cancel,
             QByteArray *resultJson, QString *error) const override;
};

} // namespace Brigade
