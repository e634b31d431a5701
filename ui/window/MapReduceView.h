#pragma once

#include "batch/Batch.h"
#include "mapreduce/MapReduceResult.h"
#include "run/RunSettings.h"

#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>

class QLabel;
class QStackedWidget;

namespace Brigade {

class Engine;
class MapReduceJob;
class MapReduceProgressPanel;
class MapReduceResultView;

// The window's page for a batch that is a MapReduce job: what the job will do (inputs and
// their sizes, format, chunk size, top K, asked keys), its progress while it runs, and what
// it found. Owns the MapReduceJob; MainWindow routes Run, Cancel, Copy, Find and Export here.
class MapReduceView : public QWidget
{
    Q_OBJECT
public:
    explicit MapReduceView(QWidget *parent = nullptr);
    ~MapReduceView() override;

    // Shows the job of batch (which has a mapReduce spec); a job still running is cancelled
    // and dropped.
    void setBatch(const Batch &batch);
    void clear();
    // The settings the next run uses (the chosen chunk size depends on the workers).
    void setRunSettings(const RunSettings &settings);

    // Starts the job. False when it cannot start (an input that cannot be read): the reason
    // is shown in the page and failedToStart() tells it too.
    bool run(const RunSettings &settings);
    void cancel();
    bool isRunning() const;
    bool isCancelling() const { return m_cancelling; }
    bool hasResult() const { return m_result && m_result->succeeded() && m_result->table; }
    const std::optional<MapReduceResult> &result() const { return m_result; }
    QString jobName() const; // the job's id, else the batch file's name

    // Writes every key's total (as `brigade run --output` does), or the rows the table shows
    // in its order, as CSV or JSON Lines by suffix, off the GUI thread. exportFinished()
    // follows.
    void exportTotals(const QString &path, bool shownOnly);
    bool isExporting() const { return m_exportWatcher.isRunning(); }

    MapReduceProgressPanel *progressPanel() const { return m_progress; }
    MapReduceResultView *resultView() const { return m_results; }
    QLabel *summary() const { return m_summary; }
    QLabel *errorLabel() const { return m_error; }

signals:
    void started(Brigade::Engine *engine); // null when there is nothing to map
    void failedToStart(const QString &error);
    void finished(const Brigade::MapReduceResult &result);
    void message(const QString &text); // news from the workers
    void stateChanged();               // for the window's actions
    void exportFinished(const QString &path, qint64 records, const QString &error);

private:
    struct InputInfo
    {
        QString path;
        qint64 size = -1; // -1: cannot be read
        QString error;
    };

    void detachJob();
    void statInputs();
    void updateSummary();
    void onFinished(const MapReduceResult &result);
    void showError(const QString &title, const QStringList &details);
    void showPlaceholder(const QString &text);

    std::optional<MapReduceSpec> m_spec;
    QString m_batchPath;
    RunSettings m_settings;
    QVector<InputInfo> m_inputs; // empty until looked at
    QFutureWatcher<QVector<InputInfo>> m_statWatcher;
    MapReduceJob *m_job = nullptr;
    bool m_cancelling = false;
    std::optional<MapReduceResult> m_result;
    QTimer m_tick; // elapsed time and ETA move on between chunks

    QFutureWatcher<QString> m_exportWatcher;
    std::shared_ptr<std::atomic_bool> m_exportCancel;
    QString m_exportPath;
    qint64 m_exportCount = 0;

    QLabel *m_title;
    QLabel *m_summary;
    MapReduceProgressPanel *m_progress;
    QLabel *m_error;
    QStackedWidget *m_resultPages;
    QLabel *m_placeholder;
    MapReduceResultView *m_results;
};

} // namespace Brigade
