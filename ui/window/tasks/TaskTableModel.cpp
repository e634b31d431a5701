#include "TaskTableModel.h"

#include "window/shared/ActionIcons.h"
#include "window/shared/BackgroundPool.h"
#include "window/shared/Formatting.h"
#include "window/shared/StatusStyle.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <numeric>

namespace Brigade {

namespace {

// Past this many changed rows one dataChanged over everything is cheaper than sorting
// and merging: the view only repaints what is visible either way.
constexpr int FullRangeRows = 2048;
constexpr int MaxRanges = 32;
constexpr int ResultChars = 200; // of a result shown in a cell; the details pane has it all
constexpr int TipChars = 2000;

QString clipped(const QString &text, int chars)
{
    if (text.size() <= chars)
        return text;
    return text.left(chars) + QChar(0x2026);
}

QString firstLine(const QString &text);

// A result as a person reads it: a JSON string without its quotes and escapes (a
// command's stdout, a hash), anything else as its JSON text. Only the head is decoded.
QString resultText(const QByteArray &json, int chars)
{
    const QByteArray head = json.left(chars * 4);
    if (!head.startsWith('"'))
        return clipped(QString::fromUtf8(head), chars);
    if (head.size() == json.size()) {
        const QJsonDocument doc = QJsonDocument::fromJson('[' + head + ']');
        if (doc.isArray())
            return clipped(firstLine(doc.array().first().toString()), chars);
    }
    return clipped(QString::fromUtf8(head.mid(1)), chars); // cut off: its opening quote goes
}

QString firstLine(const QString &text)
{
    const qsizetype nl = text.indexOf(QLatin1Char('\n'));
    return nl < 0 ? text : text.left(nl) + QChar(0x2026);
}

} // namespace

TaskTableModel::TaskTableModel(QObject *parent)
    : OrderedTableModel(parent)
{
    m_refreshTimer.setSingleShot(true);
    connect(&m_refreshTimer, &QTimer::timeout, this, &TaskTableModel::reorder);
}

TaskTableModel::~TaskTableModel() = default;

void TaskTableModel::setStore(std::shared_ptr<const TaskStore> store)
{
    beginResetModel();
    m_refreshTimer.stop();
    m_store = std::move(store);
    m_rows = m_store ? m_store->size() : 0;
    clearOrder();
    m_idOrder.reset();
    endResetModel();
    if (!m_query.isIdentity())
        reorder();
}

int TaskTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_store)
        return 0;
    return shownRowCount();
}

int TaskTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(TaskColumn::Count);
}

QString TaskTableModel::displayText(const TaskSpec &spec, const TaskState &st, int column,
                                    bool full, const ProcessOutcome *process)
{
    switch (TaskColumn(column)) {
    case TaskColumn::Id:
        return spec.id;
    case TaskColumn::Status:
        return StatusStyle::text(st.status);
    case TaskColumn::Attempts:
        return st.attempts ? QString::number(st.attempts) : QString();
    case TaskColumn::Duration:
        if (st.fetchUs == 0 && st.computeUs == 0 && !isTerminal(st.status))
            return {};
        return Formatting::microseconds(st.fetchUs + st.computeUs);
    case TaskColumn::Http: {
        const QString size = Formatting::bytes(st.bytes);
        if (st.httpStatus == 0)
            return size;
        if (size.isEmpty())
            return QString::number(st.httpStatus);
        return QStringLiteral("%1 · %2").arg(QString::number(st.httpStatus), size);
    }
    case TaskColumn::Exit:
        // While a command runs, its outcome holds only live output.
        return process ? Formatting::exitStatus(process->exitCode, process->signal) : QString();
    case TaskColumn::Result:
        if (st.status != TaskStatus::Succeeded || st.result.isEmpty())
            return {};
        return resultText(st.result, full ? TipChars : ResultChars);
    case TaskColumn::Error: {
        if (st.status == TaskStatus::Succeeded || st.error == ErrorKind::None)
            return {};
        const QString message = st.message.isEmpty() ? QString::fromLatin1(errorKindName(st.error))
                                                     : st.message.toString();
        return full ? clipped(message, TipChars) : firstLine(clipped(message, ResultChars));
    }
    case TaskColumn::Count:
        break;
    }
    return {};
}

QString TaskTableModel::shapeTip(const TaskSpec &spec, const TaskShape &shape)
{
    const auto fetchOf = [&spec](const TaskShape &s) {
        return s.fetch.kind == FetchKind::Url ? QString::fromUtf8(urlOf(spec, s)) : QString();
    };
    QString tip;
    if (!fetchOf(shape).isEmpty())
        tip += QLatin1Char('\n') + fetchOf(shape);
    if (spec.shape.get() == &shape)
        return tip;
    // What the batch had, where the change made a difference.
    QStringList was;
    if (fetchOf(*spec.shape) != fetchOf(shape))
        was << tr("fetch %1").arg(fetchOf(*spec.shape));
    if (spec.shape->fetch.headers() != shape.fetch.headers())
        was << tr("other headers");
    if (spec.shape->maxAttempts != shape.maxAttempts)
        was << tr("max attempts %1").arg(spec.shape->maxAttempts);
    const auto timeoutOf = [](const TaskShape &s) {
        return s.fetch.timeoutMs ? s.fetch.timeoutMs : s.timeoutMs;
    };
    if (timeoutOf(*spec.shape) != timeoutOf(shape))
        was << tr("timeout %1")
                        .arg(timeoutOf(*spec.shape)
                                     ? Formatting::milliseconds(timeoutOf(*spec.shape))
                                     : tr("of the run"));
    // Raise or Lower Priority alone changes no more than the priority.
    const bool retried = !was.isEmpty() || spec.shape->priority == shape.priority;
    if (spec.shape->priority != shape.priority)
        was << tr("priority %1").arg(spec.shape->priority);
    tip += QLatin1Char('\n')
           + (retried ? tr("(changed by Retry with Changes; the batch had %1)")
                      : tr("(priority changed; the batch had %1)"))
                     .arg(was.isEmpty() ? tr("the same values") : was.join(QStringLiteral(", ")));
    return tip;
}

QVariant TaskTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_store)
        return {};
    const int row = storeRow(index.row());
    if (row < 0 || row >= m_store->size())
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole: {
        if (role == Qt::ToolTipRole && column != int(TaskColumn::Result)
            && column != int(TaskColumn::Error) && column != int(TaskColumn::Id))
            return {};
        QString text;
        const TaskSpec &spec = m_store->spec(row);
        std::shared_ptr<const TaskShape> shape;
        m_store->read([&](const TaskStates &states) {
            text = displayText(spec, states[row], column, role == Qt::ToolTipRole,
                               column == int(TaskColumn::Exit) ? m_store->processLocked(row)
                                                               : nullptr);
            if (role == Qt::ToolTipRole && column == int(TaskColumn::Id))
                shape = m_store->shapeLocked(row);
        });
        if (shape)
            text += shapeTip(spec, *shape);
        return text;
    }
    case Qt::DecorationRole:
        if (column == int(TaskColumn::Id)) {
            // A task a retry with changes gave a new shape: marked, its tooltip says how.
            static const QIcon changed = ActionIcons::icon(ActionIcons::Kind::Retry);
            return m_store->isChanged(row) ? changed : QVariant();
        }
        if (column == int(TaskColumn::Status)) {
            TaskStatus status;
            m_store->read([&](const TaskStates &states) { status = states[row].status; });
            return StatusStyle::icon(status);
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == int(TaskColumn::Attempts) || column == int(TaskColumn::Duration)
            || column == int(TaskColumn::Http) || column == int(TaskColumn::Exit))
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case StoreRowRole:
        return row;
    case StatusRole: {
        TaskStatus status;
        m_store->read([&](const TaskStates &states) { status = states[row].status; });
        return int(status);
    }
    default:
        return {};
    }
}

QVariant TaskTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (TaskColumn(section)) {
        case TaskColumn::Id:
            return tr("ID");
        case TaskColumn::Status:
            return tr("Status");
        case TaskColumn::Attempts:
            return tr("Attempts");
        case TaskColumn::Duration:
            return tr("Duration");
        case TaskColumn::Http:
            return tr("HTTP / Size");
        case TaskColumn::Exit:
            return tr("Exit");
        case TaskColumn::Result:
            return tr("Result");
        case TaskColumn::Error:
            return tr("Error");
        case TaskColumn::Count:
            break;
        }
    } else if (role == Qt::ToolTipRole) {
        switch (TaskColumn(section)) {
        case TaskColumn::Id:
            return tr("The task's id (its line number when the batch gives none)");
        case TaskColumn::Status:
            return tr("Where the task is: queued, running, retrying or finished");
        case TaskColumn::Attempts:
            return tr("Attempts started, including the one running");
        case TaskColumn::Duration:
            return tr("Fetch and compute time of the latest attempt");
        case TaskColumn::Http:
            return tr("HTTP status and size of what was fetched");
        case TaskColumn::Exit:
            return tr("A command's exit status, or the signal that ended it");
        case TaskColumn::Result:
            return tr("The result of a task that succeeded");
        case TaskColumn::Error:
            return tr("Why the latest attempt failed");
        case TaskColumn::Count:
            break;
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (section == int(TaskColumn::Attempts) || section == int(TaskColumn::Duration)
            || section == int(TaskColumn::Http) || section == int(TaskColumn::Exit))
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    }
    return {};
}

void TaskTableModel::sort(int column, Qt::SortOrder order)
{
    if (column >= int(TaskColumn::Count))
        column = -1;
    if (m_query.sortColumn == column && m_query.sortOrder == order)
        return;
    m_query.sortColumn = column;
    m_query.sortOrder = order;
    reorder();
}

void TaskTableModel::setStatusFilter(int status)
{
    if (m_query.statusFilter == status)
        return;
    m_query.statusFilter = status;
    reorder();
}

void TaskTableModel::setTextFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (m_query.text == trimmed)
        return;
    m_query.text = trimmed;
    reorder();
}

void TaskTableModel::syncRowCount()
{
    if (!m_store)
        return;
    const int n = m_store->size();
    if (n <= m_rows)
        return;
    m_idOrder.reset(); // it does not cover the new rows
    if (hasOrder()) {
        // Filtered or sorted: the new rows take their places when the order is computed.
        m_rows = n;
        reorder();
        return;
    }
    beginInsertRows({}, m_rows, n - 1);
    m_rows = n;
    endInsertRows();
    if (!m_query.isIdentity())
        reorder();
}

void TaskTableModel::onTasksChanged(const QVector<int> &storeRows)
{
    syncRowCount();
    const int count = rowCount();
    if (!m_store || storeRows.isEmpty() || count == 0)
        return;
    const int lastColumn = int(TaskColumn::Count) - 1;
    if (storeRows.size() > FullRangeRows || storeRows.size() > count / 2) {
        emit dataChanged(index(0, 0), index(count - 1, lastColumn));
    } else {
        QVector<int> rows;
        rows.reserve(storeRows.size());
        for (int r : storeRows) {
            const int v = viewRow(r);
            if (v >= 0 && v < count)
                rows.append(v);
        }
        std::sort(rows.begin(), rows.end());
        QVector<QPair<int, int>> ranges;
        for (int r : std::as_const(rows)) {
            if (!ranges.isEmpty() && r <= ranges.last().second + 1)
                ranges.last().second = qMax(ranges.last().second, r);
            else
                ranges.append({r, r});
        }
        if (ranges.size() > MaxRanges) {
            emit dataChanged(index(ranges.first().first, 0),
                             index(ranges.last().second, lastColumn));
        } else {
            for (const auto &range : std::as_const(ranges))
                emit dataChanged(index(range.first, 0), index(range.second, lastColumn));
        }
    }
    if (m_query.dependsOnState())
        scheduleRefresh();
}

void TaskTableModel::refresh()
{
    if (m_query.dependsOnState())
        reorder();
}

void TaskTableModel::scheduleRefresh()
{
    if (m_refreshTimer.isActive() || isOrdering())
        return;
    // Re-sorting costs a core for lastComputeMs; keep it to a fraction of the time.
    m_refreshTimer.start(int(qBound(qint64(300), 4 * m_lastComputeMs, qint64(5000))));
}

void TaskTableModel::reorder()
{
    m_refreshTimer.stop();
    requestOrder();
}

TaskTableModel::OrderJob TaskTableModel::orderJob() const
{
    if (!m_store || m_query.isIdentity())
        return nullptr;
    return [store = m_store, query = m_query, idOrder = m_idOrder](const std::atomic_bool &cancel) {
        TaskOrdering::Result r = TaskOrdering::compute(*store, query, idOrder, cancel);
        ComputedOrder order;
        order.identity = r.identity;
        order.cancelled = r.cancelled;
        order.rows = std::move(r.rows);
        order.viewRowOf = std::move(r.viewRowOf);
        order.elapsedMs = r.elapsedMs;
        order.source = store.get();
        order.extra = r.idOrder;
        return order;
    };
}

void TaskTableModel::orderComputed(const ComputedOrder &order, bool current)
{
    const bool sameStore = order.source == m_store.get();
    if (sameStore && order.extra && !m_idOrder
        && std::static_pointer_cast<const QVector<int>>(order.extra)->size() == m_rows)
        // worth keeping even when the order is stale
        m_idOrder = std::static_pointer_cast<const QVector<int>>(order.extra);
    if (sameStore && current)
        m_lastComputeMs = order.elapsedMs;
}

} // namespace Brigade
