#include "TimeBreakdownModel.h"

#include "window/shared/Formatting.h"

namespace Brigade {

namespace {

constexpr quintptr RunId = 0;

bool isHostId(quintptr id)
{
    return id > 0 && id < (quintptr(1) << 16);
}

} // namespace

TimeBreakdownModel::TimeBreakdownModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

void TimeBreakdownModel::setBreakdown(TimeBreakdown breakdown)
{
    // The same hosts and workers: the rows stay, their figures change (no collapse).
    const bool sameShape = [&] {
        if (breakdown.hosts().size() != m_breakdown.hosts().size())
            return false;
        for (int i = 0; i < breakdown.hosts().size(); ++i) {
            if (breakdown.hosts()[i].name != m_breakdown.hosts()[i].name
                || breakdown.hosts()[i].lanes != m_breakdown.hosts()[i].lanes)
                return false;
        }
        return true;
    }();
    if (!sameShape)
        beginResetModel();
    m_breakdown = std::move(breakdown);
    if (!sameShape) {
        endResetModel();
        return;
    }
    const QModelIndex run = index(0, 0);
    emit dataChanged(run, index(0, ColumnCount - 1));
    for (int h = 0; h < rowCount(run); ++h) {
        const QModelIndex host = index(h, 0, run);
        emit dataChanged(host, index(h, ColumnCount - 1, run));
        if (rowCount(host) > 0)
            emit dataChanged(index(0, 0, host), index(rowCount(host) - 1, ColumnCount - 1, host));
    }
}

QModelIndex TimeBreakdownModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || row >= rowCount(parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, RunId);
    const quintptr pid = parent.internalId();
    if (pid == RunId)
        return createIndex(row, column, quintptr(row + 1));
    if (isHostId(pid))
        return createIndex(row, column, (pid << 16) | quintptr(row + 1));
    return {};
}

QModelIndex TimeBreakdownModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const quintptr id = child.internalId();
    if (id == RunId)
        return {};
    if (isHostId(id))
        return createIndex(0, 0, RunId);
    const quintptr host = id >> 16;
    return createIndex(int(host - 1), 0, host);
}

int TimeBreakdownModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    if (!parent.isValid())
        return 1;
    const quintptr id = parent.internalId();
    if (id == RunId)
        return m_breakdown.hosts().size();
    if (isHostId(id)) {
        const int host = int(id) - 1;
        return host < m_breakdown.hosts().size() ? m_breakdown.hosts()[host].lanes.size() : 0;
    }
    return 0;
}

int TimeBreakdownModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

const PhaseTotals *TimeBreakdownModel::totalsOf(const QModelIndex &index, QString *name,
                                                QString *tip) const
{
    const quintptr id = index.internalId();
    if (id == RunId) {
        const TimeBreakdown::Scope scope = m_breakdown.scope();
        *name = scope.isWholeRun() ? tr("Whole run")
                                   : (scope.rows ? tr("Selected tasks") : tr("Time range"));
        *tip = tr("Every attempt in scope, on every worker");
        return &m_breakdown.total();
    }
    if (isHostId(id)) {
        const int host = int(id) - 1;
        if (host >= m_breakdown.hosts().size())
            return nullptr;
        *name = m_breakdown.hosts()[host].name;
        *tip = tr("The workers on %1").arg(*name);
        return &m_breakdown.hosts()[host].totals;
    }
    const int host = int(id >> 16) - 1;
    const int pos = int(id & 0xffff) - 1;
    if (host >= m_breakdown.hosts().size() || pos >= m_breakdown.hosts()[host].lanes.size())
        return nullptr;
    const int lane = m_breakdown.hosts()[host].lanes[pos];
    const TimelineLane &l = m_breakdown.lanes()[lane];
    *name = tr("worker %1").arg(l.slot);
    *tip = tr("Worker %1 (%2) on %3").arg(l.slot).arg(l.group, m_breakdown.hosts()[host].name);
    return &m_breakdown.lane(lane);
}

QString TimeBreakdownModel::timeAndShare(double us, const PhaseTotals &of)
{
    return QStringLiteral("%1 (%2)").arg(Formatting::milliseconds(us / 1000.0),
                                         Formatting::percent(of.share(us) + 0.005));
}

QVariant TimeBreakdownModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    QString name;
    QString tip;
    const PhaseTotals *t = totalsOf(index, &name, &tip);
    if (!t)
        return {};
    if (role == TotalsRole)
        return QVariant::fromValue(static_cast<const void *>(t));
    if (role == Qt::ToolTipRole) {
        if (index.column() == Queued)
            return tr("In Brigade's queue %1 · on the worker, waiting for a compute thread %2")
                    .arg(Formatting::milliseconds(t->queuedUs / 1000.0),
                         Formatting::milliseconds(t->workerWaitUs / 1000.0));
        return index.column() == Name ? tip : QString();
    }
    if (role == Qt::TextAlignmentRole)
        return index.column() == Name ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                      : int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Name:
        return name;
    case Attempts:
        return t->failedAttempts > 0 ? tr("%1 (%2 failed)")
                                               .arg(Formatting::count(t->attempts),
                                                    Formatting::count(t->failedAttempts))
                                     : Formatting::count(t->attempts);
    case Queued:
        return timeAndShare(t->waitingUs(), *t);
    case Fetching:
        return timeAndShare(t->fetchUs, *t);
    case Computing:
        return timeAndShare(t->computeUs, *t);
    case Retrying:
        return timeAndShare(t->backoffUs, *t);
    case Share:
    case ColumnCount:
        break;
    }
    return {};
}

QVariant TimeBreakdownModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case Queued:
            return tr("Waiting for a free slot: in Brigade's queue, or on a worker for a compute "
                      "thread");
        case Fetching:
            return tr("Fetching the input: HTTP, a file, or a simulated wait");
        case Computing:
            return tr("Running the compute op");
        case Retrying:
            return tr("Waiting out the backoff after a failed attempt");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Name:
        return tr("Where");
    case Attempts:
        return tr("Attempts");
    case Queued:
        return tr("Queued");
    case Fetching:
        return tr("Fetching");
    case Computing:
        return tr("Computing");
    case Retrying:
        return tr("Waiting to Retry");
    case Share:
        return tr("Share");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace Brigade
