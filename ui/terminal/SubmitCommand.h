#pragma once

#include "CliParser.h"

namespace Brigade {

// brigade submit [--to NAME] FILE|-: sends FILE's lines to a running Brigade's run (see
// SubmitServer for the socket and its frames), a piece at a time, so a large file or a
// producer on stdin waits while the run is full rather than filling memory.
class SubmitCommand
{
public:
    // Prints what was accepted and each rejected line (on stderr); returns the exit status.
    static int run(const CliOptions &options);
};

} // namespace Brigade
