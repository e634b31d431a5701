#pragma once

#include "run/RunSettings.h"

#include <QString>

namespace Brigade::Test {

// Where the settings put workers, one line per group with every field, so that comparing
// two of them shows where they differ.
QString describeGroups(const RunSettings &settings);

} // namespace Brigade::Test
