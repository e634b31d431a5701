#pragma once

#include "run/RunSettings.h"

namespace Brigade::Test {

// Settings that start this build's brigade-worker: `workers` of them, each with
// `concurrency` tasks in flight (0: the run's default).
RunSettings workerSettings(int workers, int concurrency = 0);

// As above with two workers, a fixed seed and retries a few milliseconds apart, for tests
// that wait on retries.
RunSettings quickRetrySettings();

} // namespace Brigade::Test
