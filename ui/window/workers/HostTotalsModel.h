#pragma once

#include "run/RunStats.h"

#include <QAbstractTableModel>
#include <QStringList>
#include <QVector>

namespace Brigade {

// A run's workers added up per host: how many there are, run, are in flight, finished and
// were lost, and whether the host was taken out of rotation. Workers not placed on a host
// yet (queued in Slurm, a launcher's before their hello) count under their group, as the
// engine does when it takes hosts out of rotation.
class HostTotalsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Host, Workers, Running, InFlight, TasksEnded, Finished, Lost, ColumnCount };

    struct Totals
    {
        QString host;       // or, for workers not placed yet, their engine group label
        bool placed = true; // false: host is a group label
        QStringList groups; // engine group labels, in slot order
        int workers = 0;
        int running = 0;
        int waiting = 0; // starting or queued
        int inFlight = 0;
        qint64 tasksEnded = 0;
        qint64 finished = 0; // attempts
        int lost = 0;
        bool blocked = false;
        bool thisMachine = false;
    };

    explicit HostTotalsModel(QObject *parent = nullptr);

    // The row a worker counts in: its host, or its group until it has one.
    static QString keyOf(const WorkerInfo &worker);
    // What the Host column says for these totals.
    static QString label(const Totals &totals);

    void setWorkers(const QVector<WorkerInfo> &workers);
    const QVector<Totals> &hosts() const { return m_hosts; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    WorkerState stateOf(const Totals &t) const;

    QVector<Totals> m_hosts;
    QVector<WorkerInfo> m_workers;
};

} // namespace Brigade
