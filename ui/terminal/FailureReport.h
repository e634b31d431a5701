#pragma once

#include "failures/FailureGroups.h"

#include <QStringList>

namespace Brigade {

// Failure groups as the command line prints them, fitted to a width: one line per group
// with its task count and cause, then an example id and message; at the end of a run (the
// top few) and for `brigade failures JOURNAL` (all, with times and hosts).
class FailureReport
{
public:
    struct Options
    {
        int columns = 80;
        int maxGroups = 5;    // -1: all
        bool details = false; // first and last time, hosts, attempts
        QString journal;      // named in "... more: brigade failures JOURNAL"
    };
    static QStringList lines(const FailureSummary &failures, const Options &options);
};

} // namespace Brigade
