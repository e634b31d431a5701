#pragma once

#include <QAbstractTableModel>
#include <QVector>

namespace Brigade {

// A table model whose rows are shown in an order computed elsewhere (off the GUI thread):
// the mapping between view rows and the source's rows, and swapping a new order in so
// that persistent indexes (and so the selection) follow their rows. The task table and
// the MapReduce totals table share it.
class OrderedTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;

    bool isOrdering() const { return m_busy; }

    // The source row shown at viewRow, or -1.
    int sourceRow(int viewRow) const
    {
        if (m_identity)
            return viewRow >= 0 && viewRow < sourceRowCount() ? viewRow : -1;
        return viewRow >= 0 && viewRow < m_order.size() ? m_order[viewRow] : -1;
    }
    // Where sourceRow is shown, or -1 when it is filtered out.
    int viewRow(int sourceRow) const
    {
        if (sourceRow < 0 || sourceRow >= sourceRowCount())
            return -1;
        return m_identity ? sourceRow
                          : (sourceRow < m_viewRowOf.size() ? m_viewRowOf[sourceRow] : -1);
    }
    // Every shown source row, in view order.
    QVector<int> shownSourceRows() const;

signals:
    void orderingChanged(bool busy);
    void orderApplied(); // a newly computed order is shown

protected:
    // How many rows the source has (all shown in their own order while no order is set).
    virtual int sourceRowCount() const = 0;
    int shownRowCount() const { return m_identity ? sourceRowCount() : int(m_order.size()); }
    bool hasOrder() const { return !m_identity; }
    // Back to the source's own order; only between beginResetModel() and endResetModel().
    void clearOrder();
    // Shows a computed order (identity: the source's own) and emits orderApplied().
    void applyOrder(bool identity, QVector<int> order, QVector<int> viewRowOf);
    // The busy flag and its signal, for the subclass's compute scheduling.
    void setOrdering(bool busy);

    quint64 m_generation = 0;        // bumped by every new request
    quint64 m_computeGeneration = 0; // the request being computed
    bool m_pending = false;          // another request came while computing

private:
    bool m_identity = true;
    QVector<int> m_order;     // view row -> source row, unless identity
    QVector<int> m_viewRowOf; // source row -> view row or -1, unless identity
    bool m_busy = false;
};

} // namespace Brigade
