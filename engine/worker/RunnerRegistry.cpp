#include "RunnerRegistry.h"

#include "CallRunner.h"
#include "ExecRunner.h"
#include "PoolRunner.h"
#include "compute/ComputeRegistry.h"

namespace Brigade {

RunnerRegistry::RunnerRegistry(RunnerHost &host)
{
    m_runners.push_back(std::make_unique<PoolRunner>(host)); // every op not named below
    m_byOp.fill(m_runners.front().get());
    add(std::make_unique<ExecRunner>(host), "exec");
    add(std::make_unique<CallRunner>(host), "call");
}

void RunnerRegistry::add(std::unique_ptr<TaskRunner> runner, const char *op)
{
    const quint8 id = ComputeRegistry::instance().idOf(op);
    Q_ASSERT(id != 0);
    m_byOp[id] = runner.get();
    m_runners.push_back(std::move(runner));
}

} // namespace Brigade
