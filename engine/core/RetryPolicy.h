#pragma once

#include "TaskState.h"

#include <QtGlobal>

#include <random>

namespace Brigade {

// Which failures are retried, and how long to wait before the next attempt.
struct RetryPolicy
{
    bool retryNetwork = true;
    bool retryTimeout = true;
    bool retryServerErrors = true;  // 5xx, 429 and 408
    bool retryClientErrors = false; // other 4xx
    bool retryCompute = false;
    bool retryTooLarge = false;
    bool retryTls = false;      // an untrusted or mismatched certificate stays so
    bool retryProtocol = false; // a malformed response, too many or refused redirects
    // A command that exits non-zero (or dies of a signal) usually does so again for the
    // same input, so it is not retried unless asked (GNU parallel's default too); flaky
    // commands: --retry-on exit.
    bool retryExit = false;
    // A long-lived program that crashed, hung or talked garbage: usually not the fault of
    // the calls it had in flight, so they are retried (a program that keeps failing is
    // declared broken, and those calls are not).
    bool retryProgram = true;
    bool honourRetryAfter = true;
    quint32 baseDelayMs = 100;
    quint32 maxDelayMs = 30000;

    bool shouldRetry(const AttemptResult &r) const;

    // Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))],
    // then at least the server's Retry-After when it sent one. attempt is the attempt that
    // just failed (1 for the first).
    quint32 backoffMs(int attempt, quint32 retryAfterMs, std::mt19937 &rng) const;
};

} // namespace Brigade
