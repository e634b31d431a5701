#pragma once

#include "ComputeOp.h"

namespace Brigade {

// {"op":"sum_to","n":N}: 0 + 1 + ... + N, added up one by one so that it costs CPU time
// proportional to N (a stand-in for real CPU-bound work).
class SumToOp : public ComputeOp
{
public:
    // The largest n whose sum still fits in a qint64.
    static constexpr quint64 MaxN = 4294967295ull;

    QByteArray name() const override { return QByteArrayLiteral("sum_to"); }
    bool usesInput() const override { return false; }
    bool isQuick(const QByteArray &params, qsizetype inputBytes) const override;
    bool parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                     QString *errorKey) const override;
    bool run(const QByteArray &params, QByteArrayView input, const std::atomic_bool &cancel,
             QByteArray *resultJson, QString *error) const override;
};

} // namespace Brigade
