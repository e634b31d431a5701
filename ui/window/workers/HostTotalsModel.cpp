#include "HostTotalsModel.h"

#include "WorkerTableModel.h"
#include "window/shared/Formatting.h"
#include "window/shared/StatusStyle.h"

#include <QHash>
#include <QSysInfo>

namespace Brigade {

HostTotalsModel::HostTotalsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

QString HostTotalsModel::keyOf(const WorkerInfo &worker)
{
    const QString host = WorkerTableModel::hostOf(worker);
    return host.isEmpty() ? worker.group : host;
}

QString HostTotalsModel::label(const Totals &t)
{
    QString text = t.host;
    if (!t.placed)
        text = t.host == QLatin1String("slurm") ? tr("Slurm queue") : t.host;
    if (t.blocked)
        return tr("%1 (out of rotation)").arg(text);
    if (t.thisMachine)
        return tr("%1 (this machine)").arg(text);
    return text;
}

void HostTotalsModel::setWorkers(const QVector<WorkerInfo> &workers)
{
    QVector<Totals> hosts;
    QHash<QString, int> rowOf;
    const QString here = QSysInfo::machineHostName();
    for (const WorkerInfo &w : workers) {
        const QString key = keyOf(w);
        auto it = rowOf.constFind(key);
        if (it == rowOf.constEnd()) {
            it = rowOf.insert(key, int(hosts.size()));
            Totals t;
            t.host = key;
            t.placed = !WorkerTableModel::hostOf(w).isEmpty();
            t.thisMachine = t.placed && key == here;
            hosts.append(t);
        }
        Totals &t = hosts[*it];
        if (!t.groups.contains(w.group))
            t.groups.append(w.group);
        ++t.workers;
        t.running += w.state == WorkerState::Running;
        t.waiting += w.state == WorkerState::Starting || w.state == WorkerState::Queued;
        t.inFlight += w.inFlight;
        t.tasksEnded += w.tasksEnded;
        t.finished += w.finished;
        t.lost += WorkerTableModel::lostCount(w);
        t.blocked = t.blocked || w.state == WorkerState::Blocked;
    }
    bool sameRows = hosts.size() == m_hosts.size();
    for (int i = 0; sameRows && i < hosts.size(); ++i)
        sameRows = hosts[i].host == m_hosts[i].host;
    m_workers = workers;
    if (!sameRows) {
        beginResetModel();
        m_hosts = hosts;
        endResetModel();
        return;
    }
    m_hosts = hosts;
    if (!m_hosts.isEmpty())
        emit dataChanged(index(0, 0), index(m_hosts.size() - 1, ColumnCount - 1));
}

WorkerState HostTotalsModel::stateOf(const Totals &t) const
{
    // The host's dot: the most telling state among its workers.
    if (t.blocked)
        return WorkerState::Blocked;
    if (t.running > 0)
        return WorkerState::Running;
    bool restarting = false, starting = false, queued = false, failed = false;
    for (const WorkerInfo &w : m_workers) {
        if (keyOf(w) != t.host)
            continue;
        restarting = restarting || w.state == WorkerState::Restarting;
        starting = starting || w.state == WorkerState::Starting;
        queued = queued || w.state == WorkerState::Queued;
        failed = failed || w.state == WorkerState::Failed;
    }
    if (restarting)
        return WorkerState::Restarting;
    if (starting)
        return WorkerState::Starting;
    if (queued)
        return WorkerState::Queued;
    return failed ? WorkerState::Failed : WorkerState::Stopped;
}

int HostTotalsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_hosts.size();
}

int HostTotalsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HostTotalsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_hosts.size())
        return {};
    const Totals &t = m_hosts[index.row()];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Host:
            return label(t);
        case Workers:
            return Formatting::count(t.workers);
        case Running:
            return Formatting::count(t.running);
        case InFlight:
            return Formatting::count(t.inFlight);
        case TasksEnded:
            return Formatting::count(t.tasksEnded);
        case Finished:
            return Formatting::count(t.finished);
        case Lost:
            return t.lost ? Formatting::count(t.lost) : QString();
        }
    } else if (role == Qt::DecorationRole && index.column() == Host) {
        return StatusStyle::icon(stateOf(t));
    } else if (role == Qt::ToolTipRole) {
        QStringList lines;
        lines << (t.placed ? t.host
                           : tr("Workers not on a host yet: waiting for Slurm, or for their "
                                "first hello"));
        QStringList groups;
        for (const QString &g : t.groups)
            groups << (g == QLatin1String("local") ? tr("this machine") : g);
        lines << tr("Started through: %1").arg(groups.join(QStringLiteral(", ")));
        lines << tr("%1 running, %2 starting or queued")
                         .arg(Formatting::count(t.running), Formatting::count(t.waiting));
        if (t.blocked)
            lines << StatusStyle::description(WorkerState::Blocked);
        return lines.join(QLatin1Char('\n'));
    } else if (role == Qt::ForegroundRole && index.column() == Host && t.blocked) {
        return StatusStyle::color(WorkerState::Blocked);
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() != Host)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    }
    return {};
}

QVariant HostTotalsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Host:
            return tr("Host");
        case Workers:
            return tr("Workers");
        case Running:
            return tr("Running");
        case InFlight:
            return tr("In flight");
        case TasksEnded:
            return tr("Tasks");
        case Finished:
            return tr("Attempts");
        case Lost:
            return tr("Lost");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Host:
            return tr("The machine workers run on");
        case Workers:
            return tr("Worker slots on this host");
        case Running:
            return tr("Workers running tasks now");
        case InFlight:
            return tr("Tasks running on this host now");
        case TasksEnded:
            return tr("Tasks that ended on this host (succeeded, or failed for good)");
        case Finished:
            return tr("Attempts finished on this host: a task that was retried counts once "
                      "per attempt");
        case Lost:
            return tr("Times a worker on this host was lost");
        default:
            break;
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (section != Host)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

} // namespace Brigade
