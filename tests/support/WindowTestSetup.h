#pragma once

#include "run/RunSettings.h"

#include <QString>

namespace Brigade::Test {

// For tests of the window. Keeps QSettings (recent files, geometry, run settings) and run
// journals out of the user's: test-mode standard paths under the test's own application
// name, nothing left by an earlier run (a journal would be offered as an earlier run).
void isolateWindowSettings(const QString &applicationName);
// base with what window tests run with: the built worker, two workers, two attempts,
// short backoffs, no timeout (a setting another test left in QSettings must not apply).
RunSettings windowTestRunSettings(RunSettings base);

} // namespace Brigade::Test
