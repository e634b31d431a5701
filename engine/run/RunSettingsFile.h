#pragma once

#include "RunSettings.h"

namespace Brigade {

// The run settings a user chose, remembered between sessions with QSettings (the
// application's organisation and name): where workers run, concurrency, attempts, backoff,
// timeouts, host pacing and HTTP options (all but --insecure). Values read back are held to
// RunSettingsRules' limits; what is not remembered (the worker program, the journal, seeds) keeps
// the base's value.
class RunSettingsFile
{
public:
    static RunSettings load(const RunSettings &base = RunSettings{});
    static void save(const RunSettings &settings);
};

} // namespace Brigade
