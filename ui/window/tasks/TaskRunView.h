#pragma once

#include "run/RunStats.h"
#include "window/JobView.h"

#include <QFutureWatcher>
#include <QPointer>
#include <QTimer>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace Brigade {

class BatchSummaryView;
class ProgressPanel;
class TaskStore;
class TaskTableModel;

// The view of a batch of tasks: what the batch holds and its problems, the run's progress,
// and every task in a table that sorts and filters in the background.
class TaskRunView : public JobView
{
    Q_OBJECT
public:
    explicit TaskRunView(QWidget *parent = nullptr);
    ~TaskRunView() override;

    void showBatch(RunSession *session) override;
    void clear() override;
    void showJob(Job *job) override;
    QString loadedMessage(const QString &fileName) const override;
    QString startedMessage(int workers) const override;
    QString resultMessage(Job *job) const override;
    bool showsTaskDetails() const override { return true; }

    bool canExport() const override;
    bool isExporting() const override { return m_exportWatcher.isRunning(); }
    QString exportBaseName() const override;
    void exportResults(const QString &path, bool shownOnly) override;
    bool hasSelection() const override;
    void copySelected() override;
    void focusFilter() override;
    QVector<int> selectedTaskRows() const override;
    bool hasTaskSelection() const override { return hasSelection(); }
    bool canSortInFileOrder() const override { return true; }
    void sortInFileOrder() override;

    // Makes a task the current row, selected and in sight; a filter that hides it is
    // cleared first (the row is then selected once the table shows it).
    void selectTask(int storeRow);

    TaskTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    ProgressPanel *progressPanel() const { return m_progress; }
    BatchSummaryView *summary() const { return m_summary; }
    QComboBox *statusFilter() const { return m_statusFilter; }
    QLineEdit *textFilter() const { return m_textFilter; }

signals:
    // The current task (store row, -1 for none), for the details pane.
    void currentTaskChanged(int row);
    void contextMenuRequested(const QPoint &globalPos);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void fitColumns();
    void onProgress(const RunStats &stats);
    void onFinished(const RunStats &stats);
    void updateShownLabel();
    bool showTask(int storeRow);

    bool m_fittingColumns = false;
    bool m_columnsSizedByUser = false;
    QPointer<RunSession> m_session;
    std::shared_ptr<TaskStore> m_store;
    QString m_batchPath;
    QString m_loadedMessage;
    QPointer<Job> m_job;

    TaskTableModel *m_model;
    BatchSummaryView *m_summary;
    ProgressPanel *m_progress;
    QComboBox *m_statusFilter;
    QLineEdit *m_textFilter;
    QTimer m_filterDelay;
    QLabel *m_shownLabel;
    QTableView *m_table;

    QFutureWatcher<QString> m_exportWatcher;
    QString m_exportPath;
    qint64 m_exportCount = 0;
    QFutureWatcher<QString> m_copyWatcher;
    qint64 m_copyCount = 0;
    int m_taskToShow = -1; // selectTask() waiting for a filter to be cleared
};

} // namespace Brigade
