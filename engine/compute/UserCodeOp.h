#pragma once

#include "ComputeOp.h"
#include "usercode/SpecProblem.h"

#include <vector>

namespace Brigade {

// "exec" and "call": ops that run the user's own code. They are never run() on the compute
// threads: the worker has runners of their own for them (worker/RunnerRegistry); here they
// only check and encode their parameters (usercode/CommandSpec, usercode/CallSpec).
class UserCodeOp : public ComputeOp
{
public:
    // Parses the "compute" object into *params; problems, when it is not valid.
    using Parse = bool (*)(const QJsonObject &compute, QByteArray *params,
                           std::vector<SpecProblem> *problems);

    static std::unique_ptr<UserCodeOp> exec();
    static std::unique_ptr<UserCodeOp> call();

    UserCodeOp(QByteArray name, Parse parse)
        : m_name(std::move(name))
        , m_parse(parse)
    {}

    QByteArray name() const override { return m_name; }
    bool hasOwnRunner() const override { return true; }
    bool parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                     QString *errorKey) const override;
    bool run(const QByteArray &params, QByteArrayView input, const std::atomic_bool &cancel,
             QByteArray *resultJson, QString *error) const override;

private:
    QByteArray m_name;
    Parse m_parse;
};

} // namespace Brigade
