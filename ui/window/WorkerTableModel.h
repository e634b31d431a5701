#pragma once

#include "run/RunStats.h"

#include <QAbstractTableModel>
#include <QVector>

namespace Brigade {

// The workers of a run, one row per worker slot, from the engine's load samples.
class WorkerTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Slot, State, Pid, InFlight, Finished, Cpu, Memory, Restarts, ColumnCount };

    explicit WorkerTableModel(QObject *parent = nullptr);

    void setWorkers(const QVector<WorkerInfo> &workers);
    const QVector<WorkerInfo> &workers() const { return m_workers; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVector<WorkerInfo> m_workers;
};

} // namespace Brigade
