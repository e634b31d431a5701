#pragma once

#include "ResumePlan.h"
#include "batch/Batch.h"
#include "core/TaskStore.h"
#include "failures/FailureGroups.h"
#include "journal/BatchBytes.h"

#include <QByteArray>
#include <QString>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>

namespace Brigade {

// What RunSession::open() found in a batch file or a run journal: the tasks (a journal's
// with the states it recorded), the batch's summary and problems, and what the session
// needs to run it. Made on any thread; handed to a RunSession with adopt().
struct OpenedRun
{
    QString path;      // what was opened
    QString batchPath; // the batch; for a journal, the batch it was made from
    // Set when a journal was opened: its path, and the rows it had finished, in the order
    // they finished.
    QString journalPath;
    QVector<int> finishedRows;
    // For a journal: when each row's final record was written (ms since the epoch; -1: not
    // final, or not recorded by an older Brigade).
    QVector<qint64> finishedAtMs;
    // For a journal: its failed tasks grouped by cause (when, where, an example each).
    std::shared_ptr<const FailureGroups> failures;
    // Summary and problems (file:line:column); its tasks are moved into store. A MapReduce
    // job has batch->mapReduce and no tasks.
    std::shared_ptr<Batch> batch;
    std::shared_ptr<TaskStore> store;
    // A batch file's bytes as parsed, for the journal its first run creates (so the journal
    // holds exactly what ran, even if the file changes meanwhile).
    QByteArray batchData;
    // Or, when not null, what the journal copies in place of batchData (which is then
    // empty): read back from the file (OpenOptions::readBatchBack), or the batch a list of
    // arguments makes (RunSession::openCommandLine), made as the first run starts.
    BatchBytes batchBytes;
    // For a batch file: the newest journal of an earlier run of exactly this batch (same
    // path, same bytes) that left tasks unfinished, and how many.
    QString earlierJournal;
    qint64 earlierOpenTasks = 0;
    // Set by RunSession::openEdited: what the run keeps of an earlier run and what it runs.
    std::shared_ptr<const ResumePlan> resumePlan;
    qint64 elapsedMs = 0;
    bool cancelled = false; // OpenOptions::cancel was set: nothing else is filled in

    bool isJournal() const { return !journalPath.isEmpty(); }
    bool isMapReduce() const { return batch && batch->mapReduce.has_value(); }
};

struct OpenOptions
{
    int maxErrors = 100; // problems kept in batch->errors (all are counted)
    // Called now and then from the opening thread with bytes done and total.
    std::function<void(qint64 done, qint64 total)> progress;
    const std::atomic_bool *cancel = nullptr;
    bool findEarlierRun = true; // look for an unfinished journal of the same batch
    // Keep no copy of a batch file's bytes once parsed: its first run's journal reads them
    // back from the file, checked against what was parsed (see BatchBytes). For a front end
    // that runs the batch at once; one that may wait lets the file change meanwhile.
    bool readBatchBack = false;
};

} // namespace Brigade
