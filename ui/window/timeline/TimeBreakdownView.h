#pragma once

#include "timeline/TimeBreakdown.h"

#include <QFutureWatcher>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <memory>

class QComboBox;
class QLabel;
class QTreeView;

namespace Brigade {

class BreakdownBar;
class TaskStore;
class TimeBreakdownModel;

// Where the time went, for the whole run, the tasks selected in the table, or a time range
// selected on the timeline: a stacked bar of the phases and a table per host and worker.
// Summed off the GUI thread; while a run goes on, again every second.
class TimeBreakdownView : public QWidget
{
    Q_OBJECT
public:
    enum class Scope { WholeRun, SelectedTasks, TimeRange };

    explicit TimeBreakdownView(QWidget *parent = nullptr);
    ~TimeBreakdownView() override;

    void setStore(std::shared_ptr<const TaskStore> store);
    void setRunning(bool running);
    // Where the selected tasks come from (the task table's selection, as store rows).
    void setSelectionProvider(std::function<QVector<int>()> provider);
    // The table's selection changed: recounted when the scope is the selected tasks.
    void selectionChanged();
    // The timeline's range selection (from < 0: none); choosing one shows its breakdown.
    void setTimeRange(qint64 fromUs, qint64 toUs);

    void setScope(Scope scope);
    Scope scope() const;
    // Counts again (coalesced; computed() follows).
    void recompute();

    const TimeBreakdown &breakdown() const;
    TimeBreakdownModel *model() const { return m_model; }
    QTreeView *tree() const { return m_tree; }
    QComboBox *scopeBox() const { return m_scopeBox; }
    QLabel *summaryLabel() const { return m_summary; }

signals:
    void computed();

private:
    void start();
    void onComputed();

    std::shared_ptr<const TaskStore> m_store;
    std::function<QVector<int>()> m_selection;
    qint64 m_rangeFrom = -1;
    qint64 m_rangeTo = -1;
    QComboBox *m_scopeBox;
    QLabel *m_summary;
    BreakdownBar *m_bar;
    TimeBreakdownModel *m_model;
    QTreeView *m_tree;
    QThreadPool m_pool;
    QFutureWatcher<TimeBreakdown> m_watcher;
    std::shared_ptr<std::atomic_bool> m_cancel;
    bool m_dirty = false;
    bool m_expandedOnce = false;
    QTimer m_liveTimer;
    QTimer m_delay; // selections change in bursts
};

} // namespace Brigade
