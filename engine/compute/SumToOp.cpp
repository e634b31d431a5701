#include "SumToOp.h"

#include <QtEndian>

#include <limits>

namespace Brigade {

namespace {
__extension__ typedef unsigned __int128 Wide; // __extension__: no -Wpedantic warning
constexpr Wide MaxSum = Wide(std::numeric_limits<qint64>::max());
static_assert(Wide(SumToOp::MaxN) * (SumToOp::MaxN + 1) / 2 <= MaxSum
                      && Wide(SumToOp::MaxN + 1) * (SumToOp::MaxN + 2) / 2 > MaxSum,
              "MaxN is the largest n whose sum fits in a qint64");
} // namespace

bool SumToOp::parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                          QString *errorKey) const
{
    for (auto it = compute.begin(); it != compute.end(); ++it) {
        if (it.key() != u"op" && it.key() != u"n") {
            *error = QStringLiteral("unknown key \"%1\" for sum_to (expected \"op\" and \"n\")")
                             .arg(it.key());
            *errorKey = it.key();
            return false;
        }
    }
    const QJsonValue value = compute.value(QLatin1String("n"));
    // toInteger() refuses fractions and doubles beyond qint64; -1 doubles as "not valid".
    const qint64 n = value.isDouble() ? value.toInteger(-1) : -1;
    if (n < 0 || quint64(n) > MaxN) {
        *error = QStringLiteral("expected \"n\" to be an integer from 0 to %1").arg(MaxN);
        *errorKey = QStringLiteral("n");
        return false;
    }
    params->resize(8);
    qToLittleEndian<quint64>(quint64(n), params->data());
    return true;
}

bool SumToOp::isQuick(const QByteArray &params, qsizetype) const
{
    // About a nanosecond an addition: up to a thousand take well under a microsecond.
    return params.size() == 8 && qFromLittleEndian<quint64>(params.constData()) <= 1000;
}

bool SumToOp::run(const QByteArray &params, QByteArrayView, const std::atomic_bool &cancel,
                  QByteArray *resultJson, QString *error) const
{
    if (params.size() != 8) {
        *error = QStringLiteral("sum_to: bad parameters");
        return false;
    }
    const quint64 n = qFromLittleEndian<quint64>(params.constData());
    // Exact overflow check: params come over the wire.
    if (Wide(n) * (Wide(n) + 1) / 2 > MaxSum) {
        *error = QStringLiteral("sum_to: n is too large");
        return false;
    }
    constexpr quint64 Step = 1u << 20; // look at the cancel flag every ~1M additions
    quint64 acc = 0;
    quint64 i = 0;
    while (i <= n) {
        const quint64 last = n - i < Step ? n : i + Step - 1;
        for (; i <= last; ++i) {
            acc += i;
            // An empty asm that "might change" acc: the compiler cannot replace the loop
            // with n(n+1)/2, so the op really takes time proportional to n.
            asm volatile("" : "+r"(acc));
        }
        if (last == n)
            break;
        if (cancel.load(std::memory_order_relaxed)) {
            *error = QStringLiteral("cancelled");
            return false;
        }
    }
    *resultJson = QByteArray::number(acc);
    return true;
}

} // namespace Brigade
