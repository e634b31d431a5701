#pragma once

#include "TaskRunner.h"

#include <array>
#include <memory>
#include <vector>

namespace Brigade {

// The worker's runners by op: which TaskRunner starts an attempt of each compute op.
// Adding a runner: write a TaskRunner subclass and add one line to the constructor.
class RunnerRegistry
{
public:
    explicit RunnerRegistry(RunnerHost &host);

    // Never null: ops without a runner of their own run on the compute threads.
    TaskRunner *runnerFor(quint8 op) const { return m_byOp[op]; }
    const std::vector<std::unique_ptr<TaskRunner>> &runners() const { return m_runners; }

private:
    void add(std::unique_ptr<TaskRunner> runner, const char *op);

    std::vector<std::unique_ptr<TaskRunner>> m_runners;
    std::array<TaskRunner *, 256> m_byOp{};
};

} // namespace Brigade
