#pragma once

#include "run/RunSettings.h"

#include <QVector>
#include <QWidget>

namespace Brigade {

class Job;
class RunSession;

// The window's view of the loaded batch and the jobs that run it: TaskRunView for a batch
// of tasks, MapReduceView for a MapReduce job. MainWindow shows whichever fits the batch
// and from then on talks to it only through this interface and the Job the session runs:
// no kind of batch is special-cased in the window.
class JobView : public QWidget
{
    Q_OBJECT
public:
    // The window's action texts that this view names for what they do in it (empty: the
    // window's own).
    struct Wording
    {
        QString run, runTip;
        QString exportAll, exportAllTip;
        QString exportShown, exportShownTip;
        QString find, findTip;
    };

    explicit JobView(QWidget *parent = nullptr);

    // Shows what session has just adopted (its batch, or what a journal restored).
    virtual void showBatch(RunSession *session) = 0;
    virtual void clear() = 0;
    // A job began on the session: follow it until its result().
    virtual void showJob(Job *job) = 0;
    // The session could not start a job: why (the window also says it in its status bar).
    virtual void showStartError(const QString &error) { Q_UNUSED(error) }
    virtual void setRunSettings(const RunSettings &settings) { Q_UNUSED(settings) }

    // The status bar's line once the batch (or journal) file name is loaded, when a job
    // starts on this many workers, and when it ends.
    virtual QString loadedMessage(const QString &fileName) const = 0;
    virtual QString startedMessage(int workers) const = 0;
    virtual QString resultMessage(Job *job) const = 0;

    virtual Wording wording() const { return {}; }
    // Whether the window's Task Details pane applies to this view.
    virtual bool showsTaskDetails() const { return false; }

    // Exports every result, or those shown (filtered, in view order), as CSV or JSON Lines
    // by suffix, off the GUI thread; exportFinished() follows.
    virtual bool canExport() const = 0;
    virtual bool isExporting() const = 0;
    virtual QString exportBaseName() const = 0; // the file name offered, without suffix
    virtual void exportResults(const QString &path, bool shownOnly) = 0;

    virtual bool hasSelection() const = 0;
    // Copies the selected rows as tab-separated text, off the GUI thread; copied() follows.
    virtual void copySelected() = 0;
    virtual void focusFilter() = 0;
    // The tasks selected (store rows, view order): Retry and Cancel Selected act on them.
    virtual QVector<int> selectedTaskRows() const { return {}; }
    virtual bool hasTaskSelection() const { return false; }
    virtual bool canSortInFileOrder() const { return false; }
    virtual void sortInFileOrder() {}

signals:
    void exportFinished(const QString &path, qint64 records, const QString &error);
    void copied(qint64 rows);
    void stateChanged(); // selection, results, export: the window's actions follow
    void message(const QString &text);
};

} // namespace Brigade
