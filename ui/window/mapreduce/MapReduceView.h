#pragma once

#include "batch/Batch.h"
#include "mapreduce/MapReduceResult.h"
#include "run/RunSettings.h"
#include "window/JobView.h"

#include <QFutureWatcher>
#include <QPointer>
#include <QTimer>

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

// The window's view of a batch that is a MapReduce job: what the job will do (inputs and
// their sizes, format, chunk size, top K, asked keys), its progress while it runs, and what
// it found. It follows the MapReduceJob the session runs; it does not own it.
class MapReduceView : public JobView
{
    Q_OBJECT
public:
    explicit MapReduceView(QWidget *parent = nullptr);
    ~MapReduceView() override;

    void showBatch(RunSession *session) override;
    // Shows the job of batch (which has a mapReduce spec).
    void setBatch(const Batch &batch);
    void clear() override;
    void showJob(Job *job) override;
    // The job could not start (an input that cannot be read): shown in the page, and
    // failedToStart() tells it too.
    void showStartError(const QString &error) override;
    // The settings the next run uses (the chosen chunk size depends on the workers).
    void setRunSettings(const RunSettings &settings) override;
    QString loadedMessage(const QString &fileName) const override;
    QString startedMessage(int workers) const override;
    QString resultMessage(Job *job) const override;
    Wording wording() const override;

    bool hasResult() const { return m_result && m_result->succeeded() && m_result->table; }
    const std::optional<MapReduceResult> &result() const { return m_result; }
    QString jobName() const; // the job's id, else the batch file's name

    // Every key's total (as `brigade run --output` writes them), or the rows the table shows.
    bool canExport() const override { return hasResult(); }
    bool isExporting() const override { return m_exportWatcher.isRunning(); }
    QString exportBaseName() const override;
    void exportResults(const QString &path, bool shownOnly) override;
    bool hasSelection() const override;
    void copySelected() override;
    void focusFilter() override;

    MapReduceProgressPanel *progressPanel() const { return m_progress; }
    MapReduceResultView *resultView() const { return m_results; }
    QLabel *summary() const { return m_summary; }
    QLabel *errorLabel() const { return m_error; }

signals:
    void failedToStart(const QString &error);
    void finished(const Brigade::MapReduceResult &result);

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
    void onResult(Job *job);
    void onFinished(const MapReduceResult &result);
    void showError(const QString &title, const QStringList &details);
    void showPlaceholder(const QString &text);

    std::optional<MapReduceSpec> m_spec;
    QString m_batchPath;
    RunSettings m_settings;
    QVector<InputInfo> m_inputs; // empty until looked at
    QFutureWatcher<QVector<InputInfo>> m_statWatcher;
    QPointer<MapReduceJob> m_job;
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
