#include "WorkerTableModel.h"

#include "window/shared/Formatting.h"
#include "window/shared/StatusStyle.h"

#include <QLocale>
#include <QSysInfo>

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

QString WorkerTableModel::groupKind(const QString &group)
{
    // The engine's WorkerGroup::label(): "local", "ssh HOST", "slurm", or the command.
    if (group == QLatin1String("local"))
        return tr("local");
    if (group.startsWith(QLatin1String("ssh ")))
        return tr("ssh");
    if (group == QLatin1String("slurm"))
        return tr("Slurm");
    return tr("launcher");
}

QString WorkerTableModel::hostOf(const WorkerInfo &worker)
{
    if (!worker.host.isEmpty())
        return worker.host;
    if (worker.group == QLatin1String("local"))
        return QSysInfo::machineHostName();
    return {};
}

int WorkerTableModel::lostCount(const WorkerInfo &worker)
{
    // Those replaced count as restarts; a slot of a host taken out of rotation lost its last
    // worker without a replacement.
    return worker.restarts + (worker.state == WorkerState::Blocked ? 1 : 0);
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
        case Host: {
            const QString host = hostOf(w);
            return host.isEmpty() ? QStringLiteral("\u2013") : host;
        }
        case Group:
            return groupKind(w.group);
        case State:
            return StatusStyle::text(w.state);
        case InFlight:
            return Formatting::count(w.inFlight);
        case TasksEnded:
            return Formatting::count(w.tasksEnded);
        case Finished:
            return Formatting::count(w.finished);
        case Cpu:
            return alive ? QStringLiteral("%1 %").arg(QLocale().toString(w.cpuPercent, 'f', 0))
                         : QString();
        case Memory:
            return alive && w.rssKb > 0 ? Formatting::bytes(w.rssKb * 1024) : QString();
        case Lost: {
            const int lost = lostCount(w);
            return lost ? QString::number(lost) : QString();
        }
        }
    } else if (role == Qt::DecorationRole && index.column() == State) {
        return StatusStyle::icon(w.state);
    } else if (role == Qt::ToolTipRole) {
        const QString host = hostOf(w);
        QStringList lines;
        lines << (host.isEmpty() ? tr("Worker %1, not placed on a host yet").arg(w.slot)
                                 : tr("Worker %1 on %2").arg(w.slot).arg(host));
        lines << tr("Started through: %1").arg(w.group);
        if (w.pid > 0)
            lines << tr("Process id: %1").arg(w.pid);
        if (!w.slurmJobId.isEmpty())
            lines << tr("Slurm job: %1").arg(w.slurmJobId);
        lines << StatusStyle::description(w.state);
        if (!w.lastError.isEmpty())
            lines << tr("Last problem: %1").arg(w.lastError);
        return lines.join(QLatin1Char('\n'));
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() >= InFlight || index.column() == Slot)
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
        case Host:
            return tr("Host");
        case Group:
            return tr("Group");
        case State:
            return tr("State");
        case InFlight:
            return tr("In flight");
        case TasksEnded:
            return tr("Tasks");
        case Finished:
            return tr("Attempts");
        case Cpu:
            return tr("CPU");
        case Memory:
            return tr("Mem");
        case Lost:
            return tr("Lost");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Slot:
            return tr("Worker slot");
        case Host:
            return tr("The machine the worker runs on, as it reports itself");
        case Group:
            return tr("How the worker was started: on this machine, over ssh, as a Slurm step "
                      "or through the custom launcher");
        case State:
            return tr("Starting, queued in Slurm, running, lost, or its host out of rotation");
        case InFlight:
            return tr("Tasks the worker is running now");
        case TasksEnded:
            return tr("Tasks that ended on this worker (succeeded, or failed for good)");
        case Finished:
            return tr("Attempts the worker has finished, across restarts: a task that was "
                      "retried counts once per attempt");
        case Cpu:
            return tr("CPU use of the worker process, in percent of one core");
        case Memory:
            return tr("Resident memory of the worker process");
        case Lost:
            return tr("Times the worker was lost: its process ended or stopped answering");
        default:
            break;
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (section >= InFlight)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

} // namespace Brigade
