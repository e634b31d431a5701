#pragma once

#include "CliParser.h"
#include "OutputPaths.h"
#include "ProgressView.h"
#include "output/ResultWriter.h"
#include "session/RunSession.h"
#include "session/TaskFeed.h"

#include <QMap>
#include <QObject>

#include <memory>

namespace Brigade {

// "brigade run BATCH", "run --resume JOURNAL", "retry-failed JOURNAL", "export JOURNAL":
// asks a RunSession to open and run, shows its progress, writes the results, and ends with
// the exit status: 0 all succeeded, 1 some did not, 2 bad input. How a run is kept (the
// journal, what a resume runs) is the session's, as it is for the window.
class RunCommand : public QObject
{
    Q_OBJECT
public:
    explicit RunCommand(CliOptions options, QObject *parent = nullptr);
    ~RunCommand() override;

    // Starts from the event loop; exitRequested() tells the status to exit with.
    void start();

    // The whole thing for main(): parses args, runs, returns the exit status.
    static int main(const QStringList &args);

signals:
    void exitRequested(int status);

private:
    void begin();
    // Opens the batch or journal into the session; false (and the exit requested) if not.
    bool open();
    bool openFed();
    // run BATCH --resume [JOURNAL], retry-failed JOURNAL BATCH: the batch against the journal.
    bool openEdited();
    // --explain: prints the plan (what would run and why) on stdout and ends with status 0.
    void explain(const ResumePlan &plan, const TaskStore &store);
    FeedSource feedSource() const;
    void onFeedEnded(qint64 accepted, qint64 rejected, const QString &error);
    Result<Job *> startJob();
    Result<Job *> retryChosen();
    // The failed tasks of the groups --group names (every failed task without).
    Result<QVector<int>> chosenRows() const;
    void skipChosen();
    // 0 when every task succeeded or was skipped (with a reason), else 1.
    static int exitStatus(const StatusCounts &counts);
    // What the command reads, which -o must not name.
    QList<OutputPaths::Input> inputs() const;
    void noteFailure(const QVector<int> &rows);
    void noteChanged(const QVector<int> &rows);
    void onFinished(const RunStats &stats);
    void printSummary(const RunStats &stats, bool written);
    void listFailures();
    void fail(const QString &message, int status);
    // Stops what runs (the journal closed, the workers gone) but keeps the tasks in memory.
    void stop();

    CliOptions m_options;
    std::unique_ptr<RunSession> m_session;
    QMap<int, QString> m_running; // commands and calls running now, for the live view
    QVector<int> m_lastFinished;  // the latest tasksFinished(), for the latest failure
    qint64 m_failedSeen = 0;
    std::unique_ptr<ProgressView> m_view;
    ResultWriter m_writer;
    bool m_writing = false;
    bool m_feedFailed = false; // a fed run's input stopped at a bad line or could not be read
};

} // namespace Brigade
