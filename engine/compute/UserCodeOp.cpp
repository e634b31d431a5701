#include "UserCodeOp.h"

#include "usercode/CallSpec.h"
#include "usercode/CommandSpec.h"

namespace Brigade {

std::unique_ptr<UserCodeOp> UserCodeOp::exec()
{
    return std::make_unique<UserCodeOp>(
            QByteArrayLiteral("exec"),
            [](const QJsonObject &compute, QByteArray *params, std::vector<SpecProblem> *problems) {
                CommandSpec spec;
                if (!CommandSpec::parse(compute, &spec, problems))
                    return false;
                *params = spec.encode();
                return true;
            });
}

std::unique_ptr<UserCodeOp> UserCodeOp::call()
{
    return std::make_unique<UserCodeOp>(
            QByteArrayLiteral("call"),
            [](const QJsonObject &compute, QByteArray *params, std::vector<SpecProblem> *problems) {
                CallSpec spec;
                if (!CallSpec::parse(compute, &spec, problems))
                    return false;
                *params = spec.encode();
                return true;
            });
}

bool UserCodeOp::parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                             QString *errorKey) const
{
    std::vector<SpecProblem> problems;
    if (m_parse(compute, params, &problems))
        return true;
    *error = problems.front().message;
    *errorKey = problems.front().key;
    return false;
}

bool UserCodeOp::run(const QByteArray &, QByteArrayView, const std::atomic_bool &, QByteArray *,
                     QString *error) const
{
    *error = QStringLiteral("%1 runs in a runner of its own in the worker")
                     .arg(QString::fromLatin1(m_name));
    return false;
}

} // namespace Brigade
