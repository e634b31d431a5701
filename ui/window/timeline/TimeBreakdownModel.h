#pragma once

#include "timeline/TimeBreakdown.h"

#include <QAbstractItemModel>

namespace Brigade {

// A time breakdown as a tree: the run, then each host with its workers; columns say how
// long attempts spent queued, fetching, computing and waiting to retry, and their shares.
class TimeBreakdownModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { Name, Attempts, Queued, Fetching, Computing, Retrying, Share, ColumnCount };
    enum Role {
        TotalsRole = Qt::UserRole + 1, // const PhaseTotals * (valid until the next reset)
    };

    explicit TimeBreakdownModel(QObject *parent = nullptr);

    void setBreakdown(TimeBreakdown breakdown);
    const TimeBreakdown &breakdown() const { return m_breakdown; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // "1.2 s (34 %)": a phase's time and its share of the row's total.
    static QString timeAndShare(double us, const PhaseTotals &of);

private:
    // Internal ids: 0 the run row, 1 + host for a host, and lanes under their host as
    // (host + 1) << 16 | position + 1.
    const PhaseTotals *totalsOf(const QModelIndex &index, QString *name, QString *tip) const;

    TimeBreakdown m_breakdown;
};

} // namespace Brigade
