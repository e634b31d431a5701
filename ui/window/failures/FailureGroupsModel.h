#pragma once

#include "failures/FailureGroups.h"

#include <QAbstractTableModel>

namespace Brigade {

// The failure groups of a run as a table: what went wrong, how many tasks and attempts,
// when, where, an example, and a histogram of when (for a sparkline).
class FailureGroupsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Cause, Tasks, Attempts, When, First, Last, Hosts, Example, ColumnCount };
    enum Role {
        HistogramRole = Qt::UserRole + 1, // QVector<quint32>: failed attempts per bucket
        GroupIdsRole,                     // QVector<int>: FailureGroup::ids
        ExampleRowRole,                   // int: a task of the group, -1 none
        // int: how many of the histogram's buckets the sparklines show, the same for every
        // group: up to the last bucket any group has (a short run fills the column).
        BucketsShownRole,
    };
    static constexpr int MinBucketsShown = 12;

    explicit FailureGroupsModel(QObject *parent = nullptr);

    void setSummary(const FailureSummary &summary);
    const FailureSummary &summary() const { return m_summary; }
    const FailureGroup &group(int row) const { return m_summary.groups.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    FailureSummary m_summary;
    int m_bucketsShown = MinBucketsShown;
};

} // namespace Brigade
