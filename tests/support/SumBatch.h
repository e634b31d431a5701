#pragma once

#include "EngineHarness.h"

#include <QStringList>

namespace Brigade::Test {

// n tasks "t0".."t<n-1>": a simulated wait of delayMs, then sum_to i, whose result is
// i(i+1)/2. Easy to check wherever a task ran and however often it was retried.
QStringList sumTasks(int n, int delayMs);

// Every task of sumTasks(n, ...) succeeded exactly once with the right result. Records a
// test failure (and returns) otherwise: check QTest::currentTestFailed() after it.
void verifySums(EngineHarness &h, int n);

} // namespace Brigade::Test
