#include "Sha256Op.h"

#include <QtEndian>

#include <cstring>
#include <openssl/sha.h>

namespace Brigade {

bool Sha256Op::parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                           QString *errorKey) const
{
    for (auto it = compute.begin(); it != compute.end(); ++it) {
        if (it.key() != u"op" && it.key() != u"rounds") {
            *error = QStringLiteral(
                             "unknown key \"%1\" for sha256 (expected \"op\" and \"rounds\")")
                             .arg(it.key());
            *errorKey = it.key();
            return false;
        }
    }
    const QJsonValue value = compute.value(QLatin1String("rounds"));
    const qint64 rounds = value.isDouble() ? value.toInteger(-1) : -1;
    if (rounds < 1 || rounds > MaxRounds) {
        *error = QStringLiteral("expected \"rounds\" to be an integer from 1 to %1").arg(MaxRounds);
        *errorKey = QStringLiteral("rounds");
        return false;
    }
    params->resize(4);
    qToLittleEndian<quint32>(quint32(rounds), params->data());
    return true;
}

bool Sha256Op::isQuick(const QByteArray &params, qsizetype inputBytes) const
{
    // A compression takes a few hundred nanoseconds: a task id hashed a few times, not a
    // fetched page.
    return params.size() == 4 && qFromLittleEndian<quint32>(params.constData()) <= 2
           && inputBytes <= 64;
}

bool Sha256Op::run(const QByteArray &params, QByteArrayView input, const std::atomic_bool &cancel,
                   QByteArray *resultJson, QString *error) const
{
    if (params.size() != 4) {
        *error = QStringLiteral("sha256: bad parameters");
        return false;
    }
    const quint32 rounds = qFromLittleEndian<quint32>(params.constData());
    if (rounds < 1 || rounds > MaxRounds) {
        *error = QStringLiteral("sha256: bad number of rounds");
        return false;
    }

    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, input.data(), size_t(input.size()));
    // The block holds the digest followed by SHA-256 padding for a 32-byte message, so
    // each further round is a single compression (SHA256_Transform runs OpenSSL's SHA-NI
    // or AVX code) instead of the Init/Update/Final bookkeeping.
    unsigned char block[SHA256_CBLOCK] = {};
    SHA256_Final(block, &ctx);
    block[32] = 0x80;
    block[62] = 0x01; // message length: 256 bits, big-endian in the last 8 bytes

    SHA256_CTX initial;
    SHA256_Init(&initial);
    for (quint32 done = 1; done < rounds;) {
        const quint32 batchEnd = rounds - done < 4096 ? rounds : done + 4096;
        for (; done < batchEnd; ++done) {
            std::memcpy(ctx.h, initial.h, sizeof ctx.h);
            SHA256_Transform(&ctx, block);
            for (int w = 0; w < 8; ++w)
                qToBigEndian<quint32>(ctx.h[w], block + 4 * w);
        }
        if (done < rounds && cancel.load(std::memory_order_relaxed)) {
            *error = QStringLiteral("cancelled");
            return false;
        }
    }

    static const char hex[] = "0123456789abcdef";
    QByteArray out(2 + 2 * SHA256_DIGEST_LENGTH, '"');
    for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
        out[1 + 2 * i] = hex[block[i] >> 4];
        out[2 + 2 * i] = hex[block[i] & 0xf];
    }
    *resultJson = out;
    return true;
}

} // namespace Brigade
