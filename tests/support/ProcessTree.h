#pragma once

#include <QList>

namespace Brigade::Test {

// The direct children of a process, read from /proc (for tests that kill workers).
QList<qint64> childProcesses(qint64 pid);

// Every live process (not a zombie) with an argument containing marker: for tests that
// check no command outlived its task, worker or engine.
QList<qint64> processesWithArgument(const QByteArray &marker);

} // namespace Brigade::Test
