#include "FetchHostsModel.h"

#include "window/shared/Formatting.h"
#include "window/shared/StatusStyle.h"

namespace Brigade {

FetchHostsModel::FetchHostsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void FetchHostsModel::setHosts(const QVector<HostPaceInfo> &hosts, qint64 nowMs)
{
    m_nowMs = nowMs;
    // The engine only ever adds hosts, in order of first use: rows are appended.
    if (hosts.size() < m_hosts.size()) {
        beginResetModel();
        m_hosts = hosts;
        endResetModel();
        return;
    }
    const qsizetype old = m_hosts.size();
    if (hosts.size() > old) {
        beginInsertRows({}, int(old), int(hosts.size() - 1));
        m_hosts = hosts;
        endInsertRows();
    } else {
        m_hosts = hosts;
    }
    if (old > 0)
        emit dataChanged(index(0, 0), index(int(old) - 1, ColumnCount - 1));
}

QString FetchHostsModel::stateText(const HostPaceInfo &host)
{
    switch (host.state) {
    case HostPaceInfo::State::Open:
        return tr("open");
    case HostPaceInfo::State::Paused:
        return tr("paused");
    case HostPaceInfo::State::Broken:
        return tr("broken");
    }
    return {};
}

QString FetchHostsModel::rateText(const HostPaceInfo &host)
{
    const QString now = tr("%1/s").arg(QString::number(host.ratePerSecond, 'g', 4));
    if (host.limitPerSecond <= 0)
        return now;
    return tr("%1 of %2/s").arg(now, QString::number(host.limitPerSecond, 'g', 4));
}

QString FetchHostsModel::nextText(const HostPaceInfo &host, qint64 nowMs)
{
    if (host.nextAllowedMs <= nowMs)
        return tr("now");
    return tr("in %1").arg(Formatting::milliseconds(double(host.nextAllowedMs - nowMs)));
}

int FetchHostsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_hosts.size());
}

int FetchHostsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FetchHostsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_hosts.size())
        return {};
    const HostPaceInfo &h = m_hosts[index.row()];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Host:
            return h.host;
        case State:
            return stateText(h);
        case InFlight:
            return h.inFlightLimit > 0 ? tr("%1 of %2")
                                                 .arg(Formatting::count(h.inFlight),
                                                      Formatting::count(h.inFlightLimit))
                                       : Formatting::count(h.inFlight);
        case Rate:
            return rateText(h);
        case Next:
            return nextText(h, m_nowMs);
        case Errors:
            return h.errors ? Formatting::count(h.errors) : QString();
        }
    } else if (role == Qt::ToolTipRole) {
        QStringList lines{h.host};
        lines << tr("%1 requests started, %2 tasks waiting for this host")
                         .arg(Formatting::count(h.requests), Formatting::count(h.waiting));
        if (!h.why.isEmpty())
            lines << tr("%1: %2").arg(stateText(h), h.why);
        return lines.join(QLatin1Char('\n'));
    } else if (role == Qt::ForegroundRole && index.column() == State
               && h.state != HostPaceInfo::State::Open) {
        return StatusStyle::color(h.state == HostPaceInfo::State::Broken ? WorkerState::Blocked
                                                                         : WorkerState::Queued);
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() == Host || index.column() == State)
            return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant FetchHostsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Host:
            return tr("Fetched host");
        case State:
            return tr("State");
        case InFlight:
            return tr("In flight");
        case Rate:
            return tr("Rate");
        case Next:
            return tr("Next");
        case Errors:
            return tr("Errors");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Host:
            return tr("Scheme, host and port the tasks fetch from");
        case State:
            return tr("Open; paused, as the server asked (Retry-After); or broken: failures in a "
                      "row opened its breaker until a probe succeeds");
        case InFlight:
            return tr("Requests to this host in flight, for all workers together");
        case Rate:
            return tr("Requests started in the last second, and the limit (--rate)");
        case Next:
            return tr("When the next request to this host may start");
        case Errors:
            return tr("Connection errors, timeouts, 5xx and 429 answers");
        default:
            break;
        }
    }
    return {};
}

} // namespace Brigade
