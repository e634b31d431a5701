#pragma once

#include "run/RunSettings.h"
#include "session/SpecChange.h"

#include <QString>
#include <QStringList>

#include <limits>
#include <optional>

namespace Brigade {

// What the command line asked for.
struct CliOptions
{
    enum class Command {
        Run,
        RetryFailed,
        Export,
        Failures,
        Journals,
        Skip,
        Submit,
        Help,
        Version
    };
    enum class Progress { Auto, Live, Plain, None };

    Command command = Command::Run;
    QString submitTo;                     // Submit: the running Brigade's name (--to), or empty
    std::optional<qint32> submitPriority; // Submit: --priority, for lines without their own
    QString helpCommand; // Help: the command whose help was asked for ("run"), or empty
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
    // run BATCH --resume [JOURNAL] and retry-failed JOURNAL BATCH: batchPath is an edited
    // batch run against journalPath (empty: the batch's last journal), recorded in
    // newJournalPath (--journal; empty: a new one in the default folder).
    bool edited = false;
    QString newJournalPath;
    // --explain: print what would run and why, run nothing. -1: not asked; 0: the summary;
    // N: the summary and the first N tasks' lines (ExplainAll: every task's).
    static constexpr qint64 ExplainAll = std::numeric_limits<qint64>::max();
    qint64 explain = -1;
    bool noJournal = false;
    QString outputPath;
    bool onlyRetried = false; // retry-failed -o: the retried tasks' records alone
    // brigade journals --prune: keep the newest keepJournals of each batch (-1: any number),
    // or remove those older than journalsOlderThanDays (-1: any age).
    bool pruneJournals = false;
    int keepJournals = -1;
    int journalsOlderThanDays = -1;
    bool skipInvalid = false;
    Progress progress = Progress::Auto;
    int plainIntervalMs = 3000;
    RunSettings settings;
    // retry-failed: only these failure groups (numbered from 1 as brigade failures lists
    // them; empty: every failed task), and the change their tasks get (--set-*).
    QList<int> groups;
    SpecChange change;
    QString reason; // skip: why the tasks are given up on
    // When the run ends: a command to run (split into arguments, no shell) and the bell.
    QStringList onFinish;
    bool bell = false;

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
    // One command's own help ("run", "retry-failed", ...): usage, options, exit statuses.
    static QString helpText(const QString &command);
    static QStringList commands(); // the commands with a help of their own
    // Every help text the command line prints, the general one first. The man page is
    // built from these (app/manpage_main.cpp): a command's help added here gets its own
    // section there, so the two cannot drift.
    static QList<HelpTopic> helpTopics();
};

} // namespace Brigade
