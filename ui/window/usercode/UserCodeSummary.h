#pragma once

#include <QString>

namespace Brigade {

struct Batch;

// The user's own code a batch runs, in words for the window: the programs its first line
// declares (with their command lines) and its command templates with how many tasks use
// each. The batch summary shows it; the question before a first run lists it in full.
class UserCodeSummary
{
public:
    struct Options
    {
        int maxCommands = 3;       // templates listed; "and N more" after them
        bool logLinks = false;     // a link to each program's log (TaskDetailsView's links)
        bool fullPrograms = false; // each program's directory and environment too
        int maxChars = 0;          // of a command line shown; 0: all of it
    };

    // Rich text, one line per program and per command; empty when the batch runs none.
    static QString html(const Batch &batch, const Options &options);
};

} // namespace Brigade
