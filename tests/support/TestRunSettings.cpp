#include "TestRunSettings.h"

namespace Brigade::Test {

RunSettings workerSettings(int workers, int concurrency)
{
    RunSettings s;
    s.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    s.workers = workers;
    if (concurrency > 0)
        s.concurrency = concurrency;
    return s;
}

RunSettings quickRetrySettings()
{
    RunSettings s = workerSettings(2);
    s.seed = 7;
    s.retry.baseDelayMs = 10;
    s.retry.maxDelayMs = 50;
    return s;
}

} // namespace Brigade::Test
