#pragma once

#include "MapReduceOrdering.h"
#include "MapReduceQuery.h"
#include "MapReduceRows.h"
#include "window/shared/OrderedTableModel.h"

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
class MapReduceTableModel : public OrderedTableModel
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
    QVector<int> shownRows() const { return shownSourceRows(); } // in view order

    // The text of one cell, for data() and for copying rows. Thread-safe.
    static QString displayText(const MapReduceRows &rows, int row, int column);

protected:
    int sourceRowCount() const override { return m_rows ? m_rows->size() : 0; }
    OrderJob orderJob() const override;

private:
    std::shared_ptr<const MapReduceRows> m_rows;
    MapReduceQuery m_query;
};

} // namespace Brigade
