#pragma once

#include "run/RunSettings.h"

#include <QString>
#include <QStringList>

namespace Brigade {

// What the command line asked for.
struct CliOptions
{
    enum class Command { Run, RetryFailed, Export, Help, Version };
    enum class Progress { Auto, Live, Plain, None };

    Command command = Command::Run;
    QString batchPath;
    // brigade run LIST -- PROG ARG...: the command to run once per line of LIST (batchPath,
    // "-" for stdin), GNU parallel style.
    QStringList commandLine;
    QString journalPath; // --journal, or the journal of --resume / retry-failed / export
    bool resume = false;
    bool noJournal = false;
    QString outputPath;
    bool skipInvalid = false;
    Progress progress = Progress::Auto;
    int plainIntervalMs = 3000;
    RunSettings settings;
};

// Parses arguments after the program name ("run BATCH --workers 4 ..."). On a problem
// returns false with a readable message in *error (the caller exits with status 2).
class CliParser
{
public:
    static bool parse(const QStringList &args, CliOptions *options, QString *error);
    static QString helpText();
};

} // namespace Brigade
