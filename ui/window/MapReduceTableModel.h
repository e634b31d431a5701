#pragma once

#include "MapReduceOrdering.h"
#include "MapReduceQuery.h"
#include "MapReduceRows.h"

#include <QAbstractTableModel>
#include <QFutureWatcher>

#include <atomic>
#include <memory>

namespace Brigade {

// The totals of a MapReduce result as a table (rank, key, total, share of the grand total):
// a model over the shared immutable rows, no item per cell; text is made in data().
//
// Sorting and filtering never block the GUI thread: the order is computed on a pool thread
// and swapped in with layoutChanged (persistent indexes, and so the selection, follow their
// rows), as TaskTableModel does for tasks.
class MapReduceTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role {
        RowRole = Qt::UserRole + 1, // int: the row in MapReduceRows
        KeyRole,                    // QByteArray: the key's bytes
        TotalRole,                  // quint64
        AskedRole,                  // bool: the batch asked for this key
        FoundRole,                  // bool: the key occurs in the input
    };

    explicit MapReduceTableModel(QObject *parent = nullptr);
    ~MapReduceTableModel() override;

    void setRows(std::shared_ptr<const MapReduceRows> rows); // null: no result
    const std::shared_ptr<const MapReduceRows> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    // Starts an asynchronous sort; column -1 restores rank order.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    void setTextFilter(const QString &text);
    void setSubset(MapReduceQuery::Subset subset);
    const MapReduceQuery &query() const { return m_query; }
    bool isOrdering() const { return m_busy; }

    int sourceRow(int viewRow) const
    {
        if (viewRow < 0 || viewRow >= rowCount())
            return -1;
        return m_identity ? viewRow : m_order[viewRow];
    }
    int viewRow(int sourceRow) const
    {
        if (!m_rows || sourceRow < 0 || sourceRow >= m_rows->size())
            return -1;
        return m_identity ? sourceRow : m_viewRowOf[sourceRow];
    }
    QVector<int> shownRows() const; // every shown row, in view order

    // The text of one cell, for data() and for copying rows. Thread-safe.
    static QString displayText(const MapReduceRows &rows, int row, int column);

signals:
    void orderingChanged(bool busy);
    void orderApplied(); // a newly computed order is shown

private:
    void requestOrder();
    void startCompute();
    void onComputed();
    void apply(MapReduceOrdering::Result result);

    std::shared_ptr<const MapReduceRows> m_rows;
    MapReduceQuery m_query;
    bool m_identity = true;
    QVector<int> m_order;     // view row -> row, unless identity
    QVector<int> m_viewRowOf; // row -> view row or -1, unless identity

    QFutureWatcher<MapReduceOrdering::Result> m_watcher;
    std::shared_ptr<std::atomic_bool> m_cancel;
    std::shared_ptr<const MapReduceRows> m_computeRows;
    quint64 m_generation = 0;
    quint64 m_computeGeneration = 0;
    bool m_pending = false;
    bool m_busy = false;
};

} // namespace Brigade
