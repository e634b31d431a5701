#include "RetryPolicy.h"

#include <algorithm>

namespace Brigade {

bool RetryPolicy::shouldRetry(const AttemptResult &r) const
{
    // A program's own word ({"error":...,"retry":false}) beats the policy.
    if (r.error != ErrorKind::None && r.error != ErrorKind::Cancelled
        && r.retry != RetryHint::Policy)
        return r.retry == RetryHint::Retry;
    switch (r.error) {
    case ErrorKind::None:
    case ErrorKind::Cancelled:
    case ErrorKind::BadInput:
        return false;
    case ErrorKind::Network:
        return retryNetwork;
    case ErrorKind::Timeout:
        return retryTimeout;
    case ErrorKind::WorkerLost:
        return true; // not the task's fault
    case ErrorKind::Compute:
        return retryCompute;
    case ErrorKind::TooLarge:
        return retryTooLarge;
    case ErrorKind::Exit:
        return retryExit;
    case ErrorKind::Program:
        return retryProgram;
    case ErrorKind::Tls:
        return retryTls;
    case ErrorKind::Protocol:
        return retryProtocol;
    case ErrorKind::HttpStatus:
        if (r.httpStatus >= 500 || r.httpStatus == 429 || r.httpStatus == 408)
            return retryServerErrors;
        return retryClientErrors;
    }
    return false;
}

quint32 RetryPolicy::backoffMs(int attempt, quint32 retryAfterMs, std::mt19937 &rng) const
{
    const int shift = std::clamp(attempt - 1, 0, 30);
    const quint64 cap = std::min<quint64>(maxDelayMs, quint64(baseDelayMs) << shift);
    quint32 delay = cap == 0 ? 0 : std::uniform_int_distribution<quint32>(0, quint32(cap))(rng);
    if (honourRetryAfter && retryAfterMs > 0)
        delay = std::max(delay, std::min<quint32>(retryAfterMs, 3600 * 1000));
    return delay;
}

} // namespace Brigade
