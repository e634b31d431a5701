#include "WorkerTableModel.h"

#include "Formatting.h"
#include "StatusStyle.h"

#include <QLocale>

namespace Brigade {

WorkerTableModel::WorkerTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void WorkerTableModel::setWorkers(const QVector<WorkerInfo> &workers)
{
    if (workers.size() != m_workers.size()) {
        beginResetModel();
        m_workers = workers;
        endResetModel();
        return;
    }
    m_workers = workers;
    if (!m_workers.isEmpty())
        emit dataChanged(index(0, 0), index(m_workers.size() - 1, ColumnCount - 1));
}

int WorkerTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_workers.size();
}

int WorkerTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WorkerTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_workers.size())
        return {};
    const WorkerInfo &w = m_workers[index.row()];
    const bool alive = w.state == WorkerState::Running || w.state == WorkerState::Starting
                       || w.state == WorkerState::Restarting;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Slot:
            return QString::number(w.slot);
        case State:
            return StatusStyle::text(w.state);
        case Pid:
            return w.pid > 0 && alive ? QString::number(w.pid) : QString();
        case InFlight:
            return Formatting::count(w.inFlight);
        case Finished:
            return Formatting::count(w.finished);
        case Cpu:
            return alive ? QStringLiteral("%1 %").arg(QLocale().toString(w.cpuPercent, 'f', 0))
                         : QString();
        case Memory:
            return alive && w.rssKb > 0 ? Formatting::bytes(w.rssKb * 1024) : QString();
        case Restarts:
            return w.restarts ? QString::number(w.restarts) : QString();
        }
    } else if (role == Qt::DecorationRole && index.column() == State) {
        // Reuse the task status dots: green running, amber restarting, red failed.
        switch (w.state) {
        case WorkerState::Running:
            return StatusStyle::icon(TaskStatus::Succeeded);
        case WorkerState::Restarting:
            return StatusStyle::icon(TaskStatus::Retrying);
        case WorkerState::Failed:
        case WorkerState::Blocked:
            return StatusStyle::icon(TaskStatus::Failed);
        default:
            return StatusStyle::icon(TaskStatus::Queued);
        }
    } else if (role == Qt::ToolTipRole) {
        QString tip = tr("Process %1 on %2")
                              .arg(w.pid)
                              .arg(w.host.isEmpty() ? tr("this machine") : w.host);
        if (!w.lastError.isEmpty())
            tip += QLatin1Char('\n') + tr("Last problem: %1").arg(w.lastError);
        return tip;
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() >= Pid || index.column() == Slot)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    }
    return {};
}

QVariant WorkerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Slot:
            return tr("#");
        case State:
            return tr("State");
        case Pid:
            return tr("PID");
        case InFlight:
            return tr("In flight");
        case Finished:
            return tr("Done");
        case Cpu:
            return tr("CPU");
        case Memory:
            return tr("Mem");
        case Restarts:
            return tr("Restarts");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Slot:
            return tr("Worker slot");
        case Pid:
            return tr("Process id of the worker");
        case InFlight:
            return tr("Tasks the worker is running now");
        case Finished:
            return tr("Attempts the worker has finished, across restarts");
        case Cpu:
            return tr("CPU use of the worker process, in percent of one core");
        case Memory:
            return tr("Resident memory of the worker process");
        case Restarts:
            return tr("Times the worker was lost and started again");
        default:
            break;
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (section >= Pid)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

} // namespace Brigade
