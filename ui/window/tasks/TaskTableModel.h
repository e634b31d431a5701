#pragma once

#include "TaskOrdering.h"
#include "TaskQuery.h"
#include "core/TaskStore.h"
#include "window/shared/OrderedTableModel.h"

#include <QFutureWatcher>
#include <QTimer>

#include <atomic>
#include <memory>

namespace Brigade {

// The results table: a model directly over the engine's TaskStore, one row per task and
// no item per cell. Display text is made on demand in data().
//
// Sorting and filtering never block the GUI thread: the row order is computed with
// QtConcurrent from the store, then swapped in with layoutChanged (persistent indexes,
// and so the selection, follow their tasks). While a run changes task states, an order
// that depends on them is recomputed now and then, not on every change.
class TaskTableModel : public OrderedTableModel
{
    Q_OBJECT
public:
    enum Role {
        StoreRowRole = Qt::UserRole + 1, // int: the task's row in the store
        StatusRole,                      // int: TaskStatus
    };

    explicit TaskTableModel(QObject *parent = nullptr);
    ~TaskTableModel() override;

    void setStore(std::shared_ptr<const TaskStore> store);
    const std::shared_ptr<const TaskStore> &store() const { return m_store; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    // Starts an asynchronous sort; column -1 restores the batch file's order.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    void setStatusFilter(int status); // a TaskStatus, or -1 for all
    void setTextFilter(const QString &text);
    const TaskQuery &query() const { return m_query; }
    qint64 lastOrderingMs() const { return m_lastComputeMs; }

    // The store is the source: a view row's task, and where a task is shown.
    int storeRow(int viewRow) const { return sourceRow(viewRow); }
    QVector<int> shownStoreRows() const { return shownSourceRows(); } // in view order

    // The text of one cell, for data() and for copying rows. Thread-safe. process is the
    // task's process outcome (TaskStore::processLocked), null for the built-in ops.
    static QString displayText(const TaskSpec &spec, const TaskState &state, int column,
                               bool full = false, const ProcessOutcome *process = nullptr);

    // The Id column's tooltip after the id: the URL the task fetches now and, for a task a
    // retry with changes or a priority change gave a new shape, what the batch had.
    static QString shapeTip(const TaskSpec &spec, const TaskShape &shape);

    // Feeds the engine's coalesced "these rows changed" signal in.
    void onTasksChanged(const QVector<int> &storeRows);
    // Tasks added to the run (brigade submit, File › Add Tasks…) grew the store: its new
    // rows are inserted (or the order recomputed). The row count is never read from the
    // store behind the view's back.
    void syncRowCount();
    // The store's rows the view knows of (all of them, filtered or not).
    int storeRowCount() const { return m_store ? m_rows : 0; }
    // Recomputes a state-dependent order now (e.g. when the run finishes).
    void refresh();

protected:
    int sourceRowCount() const override { return m_store ? m_rows : 0; }
    OrderJob orderJob() const override;
    void orderComputed(const ComputedOrder &order, bool current) override;

private:
    void reorder();
    void scheduleRefresh();

    std::shared_ptr<const TaskStore> m_store;
    int m_rows = 0; // of the store, as the view knows them
    TaskQuery m_query;
    std::shared_ptr<const QVector<int>> m_idOrder;

    qint64 m_lastComputeMs = 0;
    QTimer m_refreshTimer;
};

} // namespace Brigade
