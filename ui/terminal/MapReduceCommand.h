#pragma once

#include "CliParser.h"
#include "mapreduce/MapReduceResult.h"

#include <QElapsedTimer>
#include <QObject>

#include <atomic>
#include <optional>

namespace Brigade {

class Job;
class MapReduceJob;
class RunSession;

// "brigade run JOB" for a batch that is a MapReduce job: runs it with a line of progress
// per chunk (chunks, MB/s, ETA) on stderr, prints the largest totals and the asked keys on
// stdout, and writes every total to --output. Exit status: 0 done, 1 failed or
// cancelled, 2 an input that cannot be read.
class MapReduceCommand : public QObject
{
    Q_OBJECT
public:
    // session: holds the opened MapReduce batch, and runs the job.
    MapReduceCommand(CliOptions options, RunSession *session, QObject *parent = nullptr);
    ~MapReduceCommand() override;

    // Starts from the event loop; exitRequested() tells the status to exit with.
    void start();
    // The job's result once it ran (null when it could not start): what --on-finish is told.
    const MapReduceResult *result() const { return m_result ? &*m_result : nullptr; }

signals:
    void exitRequested(int status);

private:
    void begin();
    void onProgress(const MapReduceProgress &p);
    void onResult(Job *job);
    void printResult(const MapReduceResult &result);
    void writeOutput(const MapReduceResult &result);

    CliOptions m_options;
    RunSession *m_session;
    MapReduceJob *m_job = nullptr;
    std::optional<MapReduceResult> m_result;
    bool m_live = false;  // redraw one line on a terminal
    bool m_quiet = false; // --progress none
    int m_chunksShown = -1;
    QElapsedTimer m_sinceShown;
    std::atomic_bool m_cancelWrite{false};
};

} // namespace Brigade
