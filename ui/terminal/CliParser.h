#pragma once

#include "run/RunSettings.h"

#include <QString>
#include <QStringList>

namespace Brigade {

// What the command line asked for.
struct CliOptions
{
    enum class Command { Run, RetryFailed, Export, Failures, Help, Version };
    enum class Progress { Auto, Live, Plain, None };

    Command command = Command::Run;
    QString batchPath;
    // brigade run LIST -- PROG ARG...: the command to run once per line of LIST (batchPath,
    // "-" for stdin), GNU parallel style.
    QStringList commandLine;
    // brigade run - (batchPath "-" without a command) and brigade run --follow FILE
    // (followPath): tasks read while the run goes, at most maxQueued waiting to start.
    QString followPath;
    qint64 maxQueued = 100000;
    QString journalPath; // --journal, or the journal of --resume / retry-failed / export
    bool resume = false;
    bool noJournal = false;
    QString outputPath;
    bool skipInvalid = false;
    Progress progress = Progress::Auto;
    int plainIntervalMs = 3000;
    RunSettings settings;

    // A run fed as it goes rather than a batch read at once.
    bool isFed() const
    {
        return command == Command::Run && !resume && (!followPath.isEmpty() || batchPath == u"-");
    }
};

// One help text the command line prints: the general one (command empty) or one
// command's own.
struct HelpTopic
{
    QString command; // e.g. "brigade run"
    QString text;
};

// Parses arguments after the program name ("run BATCH --workers 4 ..."). On a problem
// returns false with a readable message in *error (the caller exits with status 2).
class CliParser
{
public:
    static bool parse(const QStringList &args, CliOptions *options, QString *error);
    static QString helpText();
    // Every help text the command line prints, the general one first. The man page is
    // built from these (app/manpage_main.cpp): a command's help added here gets its own
    // section there, so the two cannot drift.
    static QList<HelpTopic> helpTopics();
};

} // namespace Brigade
