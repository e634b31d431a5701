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
    enum Column {
        Slot,
        Host,
        Group,
        State,
        InFlight,
        TasksEnded,
        Finished, // attempts
        Cpu,
        Memory,
        Lost,
        ColumnCount
    };

    explicit WorkerTableModel(QObject *parent = nullptr);

    void setWorkers(const QVector<WorkerInfo> &workers);
    const QVector<WorkerInfo> &workers() const { return m_workers; }

    // "local", "ssh", "Slurm" or "launcher": how a worker of this engine group label
    // ("ssh node2", a launcher's command, ...) was started.
    static QString groupKind(const QString &group);
    // Where a worker runs as far as is known: its host, this machine for a local worker
    // that has not said hello yet, or empty while a launcher or Slurm has not placed it.
    static QString hostOf(const WorkerInfo &worker);
    // Times this slot's worker was lost.
    static int lostCount(const WorkerInfo &worker);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVector<WorkerInfo> m_workers;
};

} // namespace Brigade
