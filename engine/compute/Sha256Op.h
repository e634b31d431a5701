#pragma once

#include "ComputeOp.h"

namespace Brigade {

// {"op":"sha256","rounds":R}: SHA-256 of the input, then SHA-256 of that raw 32-byte
// digest, R times in all; the result is the last digest in lowercase hex.
class Sha256Op : public ComputeOp
{
public:
    static constexpr quint32 MaxRounds = 100000000;

    QByteArray name() const override { return QByteArrayLiteral("sha256"); }
    bool isQuick(const QByteArray &params, qsizetype inputBytes) const override;
    bool parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                     QString *errorKey) const override;
    bool run(const QByteArray &params, QByteArrayView input, const std::atomic_bool &cancel,
             QByteArray *resultJson, QString *error) const override;
};

} // namespace Brigade
