#pragma once

#include <QList>

namespace Brigade::Test {

// The direct children of a process, read from /proc (for tests that kill workers).
QList<qint64> childProcesses(qint64 pid);

} // namespace Brigade::Test
