#include "FailureGroupsModel.h"

#include "window/shared/Formatting.h"
#include "window/shared/StatusStyle.h"

#include <QDateTime>

namespace Brigade {

namespace {

QString timeOfDay(qint64 msSinceEpoch)
{
    if (msSinceEpoch < 0)
        return QStringLiteral("–");
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toString(QStringLiteral("HH:mm:ss"));
}

QString hostsText(const FailureGroup &g)
{
    QStringList parts;
    for (const auto &[host, attempts] : g.workerHosts) {
        parts << QStringLiteral("%1 %2").arg(host.isEmpty() ? QStringLiteral("?") : host,
                                             Formatting::count(attempts));
        if (parts.size() == 3 && g.workerHosts.size() > 3) {
            parts << QStringLiteral("…");
            break;
        }
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace

FailureGroupsModel::FailureGroupsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void FailureGroupsModel::setSummary(const FailureSummary &summary)
{
    int used = 0;
    for (const FailureGroup &g : summary.groups) {
        for (int i = int(g.histogram.size()) - 1; i >= used; --i) {
            if (g.histogram[i]) {
                used = i + 1;
                break;
            }
        }
    }
    m_bucketsShown = qMax(MinBucketsShown, used);
    // Same groups in the same order (the common case while a run goes on): cells change,
    // the selection stays.
    bool sameGroups = summary.groups.size() == m_summary.groups.size();
    for (int i = 0; sameGroups && i < summary.groups.size(); ++i)
        sameGroups = summary.groups[i].ids == m_summary.groups[i].ids;
    if (sameGroups) {
        m_summary = summary;
        if (!m_summary.groups.isEmpty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_summary = summary;
    endResetModel();
}

int FailureGroupsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_summary.groups.size());
}

int FailureGroupsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FailureGroupsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_summary.groups.size())
        return {};
    const FailureGroup &g = m_summary.groups[index.row()];
    switch (role) {
    case HistogramRole:
        return QVariant::fromValue(g.histogram);
    case GroupIdsRole:
        return QVariant::fromValue(g.ids);
    case ExampleRowRole:
        return g.exampleRow;
    case BucketsShownRole:
        return m_bucketsShown;
    case Qt::TextAlignmentRole:
        if (index.column() == Tasks || index.column() == Attempts)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DecorationRole:
        if (index.column() == Cause)
            return StatusStyle::icon(
                    g.failed > 0 ? TaskStatus::Failed
                                 : (g.retrying > 0 ? TaskStatus::Retrying : TaskStatus::Succeeded));
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Example || index.column() == Cause)
            return tr("%1\nExample: task %2\n%3")
                    .arg(g.cause.label(), g.exampleId, g.exampleMessage);
        if (index.column() == Tasks)
            return tr("%1 failed for good, %2 will try again")
                    .arg(Formatting::count(g.failed), Formatting::count(g.retrying));
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case Cause:
        return g.cause.label();
    case Tasks:
        if (g.tasks() == 0)
            return tr("recovered");
        return g.retrying > 0
                       ? tr("%1 (%2 retrying)")
                                 .arg(Formatting::count(g.tasks()), Formatting::count(g.retrying))
                       : Formatting::count(g.tasks());
    case Attempts:
        return Formatting::count(g.attempts);
    case First:
        return timeOfDay(g.firstAtMs);
    case Last:
        return timeOfDay(g.lastAtMs);
    case Hosts:
        return hostsText(g);
    case Example:
        return g.exampleId.isEmpty() ? g.exampleMessage
                                     : QStringLiteral("%1: %2").arg(g.exampleId, g.exampleMessage);
    default:
        return {};
    }
}

QVariant FailureGroupsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Cause:
        return tr("Cause");
    case Tasks:
        return tr("Tasks");
    case Attempts:
        return tr("Attempts");
    case When:
        return tr("When");
    case First:
        return tr("First");
    case Last:
        return tr("Last");
    case Hosts:
        return tr("Worker Hosts");
    case Example:
        return tr("Example");
    default:
        return {};
    }
}

} // namespace Brigade
