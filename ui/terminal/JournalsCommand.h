#pragma once

#include "CliParser.h"

#include <QStringList>

namespace Brigade {

// brigade journals [--prune [--keep N | --older-than DAYS]]: the journals runs left in the
// default folder, a line each (when, counts, size, batch, path), and removing old ones.
class JournalsCommand
{
public:
    // Prints to stdout (errors to stderr); returns the exit status.
    static int run(const CliOptions &options);
    // The listing's lines for these entries, laid out for columns (at least 40).
    static QStringList lines(const QString &dir, int columns);
};

} // namespace Brigade
