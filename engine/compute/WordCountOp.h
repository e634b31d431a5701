#pragma once

#include "ComputeOp.h"

namespace Brigade {

// {"op":"wordcount","top":K}: the K most frequent tokens of the input (split at ASCII
// whitespace) with their counts, most frequent first, ties in byte order of the token.
// The result is [["token",count],...]; bytes that are not UTF-8 show as U+FFFD.
class WordCountOp : public ComputeOp
{
public:
    static constexpr int MaxTop = 100000;

    QByteArray name() const override { return QByteArrayLiteral("wordcount"); }
    bool parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                     QString *errorKey) const override;
    bool run(const QByteArray &params, QByteArrayView input, const std::atomic_bool &cancel,
             QByteArray *resultJson, QString *error) const override;
};

} // namespace Brigade
