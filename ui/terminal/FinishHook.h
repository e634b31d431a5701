#pragma once

#include "core/Result.h"
#include "run/RunStats.h"

#include <QObject>
#include <QProcessEnvironment>
#include <QStringList>

namespace Brigade {

// What brigade run does when a run ends, on request: rings the terminal bell (--bell) and
// runs a command (--on-finish), given as arguments (no shell: a user who wants one writes
// sh -c '...'), with the run's counts and journal in its environment:
//
//   BRIGADE_STATUS     the exit status brigade is about to end with
//   BRIGADE_TOTAL, BRIGADE_SUCCEEDED, BRIGADE_FAILED, BRIGADE_CANCELLED, BRIGADE_SKIPPED,
//   BRIGADE_NOT_RUN
//   BRIGADE_ELAPSED_MS
//   BRIGADE_JOURNAL    the run's journal (empty without one)
//
// brigade waits for the command and exits with its own status whatever the command's.
class FinishHook : public QObject
{
    Q_OBJECT
public:
    explicit FinishHook(QObject *parent = nullptr);

    // CMD as a POSIX shell splits it into words (single and double quotes, backslashes),
    // without running one; an unterminated quote is refused.
    static Result<QStringList> splitCommand(const QString &text);
    static QProcessEnvironment environment(const RunStats &stats, const QString &journal,
                                           int status);
    // Rings (to stderr) if bell, then runs command if not empty; done() follows, queued,
    // when it has ended (or could not start, said on stderr).
    void run(const QStringList &command, bool bell, const RunStats &stats, const QString &journal,
             int status);

signals:
    void done();
};

} // namespace Brigade
