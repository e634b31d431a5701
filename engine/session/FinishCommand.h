#pragma once

#include "core/Result.h"
#include "mapreduce/MapReduceResult.h"
#include "run/RunStats.h"

#include <QObject>
#include <QProcessEnvironment>
#include <QStringList>

namespace Brigade {

// A command run when a run ends (brigade run --on-finish, the window's Run Settings), given
// as arguments (no shell: a user who wants one writes sh -c '...'), with the run's counts
// and journal in its environment:
//
//   BRIGADE_STATUS     the run's exit status (RunStats::exitStatus, or the CLI's own)
//   BRIGADE_TOTAL, BRIGADE_SUCCEEDED, BRIGADE_FAILED, BRIGADE_CANCELLED, BRIGADE_SKIPPED,
//   BRIGADE_NOT_RUN
//   BRIGADE_ELAPSED_MS
//   BRIGADE_JOURNAL    the run's journal (empty without one)
//
// A MapReduce job counts as one task (jobStats): succeeded, failed or cancelled.
//
// One object runs one command; it is not waited for on the caller's thread.
class FinishCommand : public QObject
{
    Q_OBJECT
public:
    explicit FinishCommand(QObject *parent = nullptr);

    // CMD as a POSIX shell splits it into words (single and double quotes, backslashes),
    // without running one; an unterminated quote is refused.
    static Result<QStringList> split(const QString &text);
    // A MapReduce job's end as the counts of a run of one task, so a job ends as a run does.
    static RunStats jobStats(const MapReduceResult &result);
    static QProcessEnvironment environment(const RunStats &stats, const QString &journal,
                                           int status);
    // Runs command (not empty) with its output where ours goes; stdin is ours when
    // forwardInput, else closed. finished() follows, queued, when it has ended: with an
    // empty problem when it exited 0, else a sentence ("exited with status 3", "cannot run
    // X: ...") that starts lower case.
    void start(const QStringList &command, const RunStats &stats, const QString &journal,
               int status, bool forwardInput);

signals:
    void finished(const QString &problem);
};

} // namespace Brigade
