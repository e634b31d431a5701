#pragma once

#include <QAbstractTableModel>
#include <QFutureWatcher>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>

namespace Brigade {

// A table model whose rows are shown in an order computed off the GUI thread: scheduling
// that computation (one at a time on the background pool, a stale one cancelled, the
// latest request run next), the mapping between view rows and the source's rows, and
// swapping a new order in so that persistent indexes (and so the selection) follow their
// rows. The task table and the MapReduce totals table share it.
class OrderedTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    explicit OrderedTableModel(QObject *parent = nullptr);
    ~OrderedTableModel() override;

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
    // An order computed off the GUI thread, as the subclass's job returns it.
    struct ComputedOrder
    {
        bool identity = false; // the source's own order
        bool cancelled = false;
        QVector<int> rows;      // view row -> source row
        QVector<int> viewRowOf; // source row -> view row or -1
        qint64 elapsedMs = 0;
        const void *source = nullptr;      // what it was computed from
        std::shared_ptr<const void> extra; // anything else worth keeping (an index)
    };
    using OrderJob = std::function<ComputedOrder(const std::atomic_bool &cancel)>;

    // How many rows the source has (all shown in their own order while no order is set).
    virtual int sourceRowCount() const = 0;
    // The computation of the order the current query asks for, on a pool thread; null when
    // there is nothing to compute (no source, or the query shows the source's own order).
    virtual OrderJob orderJob() const = 0;
    // Called with every computed order before it is shown; current: it is the latest
    // request's (only then is it shown).
    virtual void orderComputed(const ComputedOrder &order, bool current)
    {
        Q_UNUSED(order)
        Q_UNUSED(current)
    }
    // Whatever is computed now is stale: computes the order the query asks for now.
    void requestOrder();
    int shownRowCount() const { return m_identity ? sourceRowCount() : int(m_order.size()); }
    bool hasOrder() const { return !m_identity; }
    // Back to the source's own order, dropping what is being computed; only between
    // beginResetModel() and endResetModel().
    void clearOrder();
    // Shows a computed order (identity: the source's own) and emits orderApplied().
    void applyOrder(bool identity, QVector<int> order, QVector<int> viewRowOf);
    // Whether requestOrder() also announces orderApplied() when the source's own order is
    // already shown (a view waiting for its first rows needs to hear it).
    bool m_announceSourceOrder = false;

private:
    void startCompute(OrderJob job);
    void onComputed();
    void setOrdering(bool busy);

    QFutureWatcher<ComputedOrder> m_watcher;
    std::shared_ptr<std::atomic_bool> m_cancel = std::make_shared<std::atomic_bool>(false);
    quint64 m_generation = 0;        // bumped by every new request
    quint64 m_computeGeneration = 0; // the request being computed
    OrderJob m_pending;              // the latest request that came while computing

    bool m_identity = true;
    QVector<int> m_order;     // view row -> source row, unless identity
    QVector<int> m_viewRowOf; // source row -> view row or -1, unless identity
    bool m_busy = false;
};

} // namespace Brigade
