#include "MapReduceTableModel.h"

#include "window/shared/BackgroundPool.h"

#include <QApplication>
#include <QFont>
#include <QIcon>
#include <QLocale>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QtConcurrent/QtConcurrentRun>

#include <numeric>

namespace Brigade {

namespace {

constexpr int KeyChars = 300; // of a key shown in a cell; the tooltip has more
constexpr int TipChars = 4000;

QString clipped(const QString &text, int chars)
{
    if (text.size() <= chars)
        return text;
    return text.left(chars) + QChar(0x2026);
}

// A target mark for asked keys, in a mid-tone blue that reads on light and dark palettes.
QIcon askedIcon()
{
    static const QIcon icon = [] {
        QIcon i;
        for (int side : {16, 32, 64}) {
            QPixmap pm(side, side);
            pm.fill(Qt::transparent);
            QPainter p(&pm);
            p.setRenderHint(QPainter::Antialiasing);
            const QColor blue(0x3d, 0x84, 0xd6);
            const qreal s = side / 16.0;
            p.setPen(QPen(blue, 1.6 * s));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(QPointF(8 * s, 8 * s), 5.6 * s, 5.6 * s);
            p.setPen(Qt::NoPen);
            p.setBrush(blue);
            p.drawEllipse(QPointF(8 * s, 8 * s), 2.4 * s, 2.4 * s);
            p.end();
            i.addPixmap(pm);
        }
        return i;
    }();
    return icon;
}

bool isNumeric(int column)
{
    return column == int(TotalsColumn::Rank) || column == int(TotalsColumn::Total)
           || column == int(TotalsColumn::Share);
}

} // namespace

MapReduceTableModel::MapReduceTableModel(QObject *parent)
    : OrderedTableModel(parent)
{
    m_announceSourceOrder = true; // the result view waits for its first rows
}

MapReduceTableModel::~MapReduceTableModel() = default;

void MapReduceTableModel::setRows(std::shared_ptr<const MapReduceRows> rows)
{
    beginResetModel();
    std::shared_ptr<const MapReduceRows> old = std::exchange(m_rows, std::move(rows));
    clearOrder();
    endResetModel();
    // A million keys take a moment to free: not on the GUI thread.
    if (old && old.use_count() == 1)
        (void)QtConcurrent::run(BackgroundPool::instance(),
                                [old = std::move(old)]() mutable { old.reset(); });
    if (m_rows && !m_query.isIdentity())
        requestOrder();
}

int MapReduceTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_rows)
        return 0;
    return shownRowCount();
}

int MapReduceTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(TotalsColumn::Count);
}

QString MapReduceTableModel::displayText(const MapReduceRows &rows, int row, int column)
{
    const KeyTotal &k = rows.rows[row];
    const QLocale locale;
    switch (TotalsColumn(column)) {
    case TotalsColumn::Rank:
        return rows.isTop(row) ? locale.toString(row + 1) : QString();
    case TotalsColumn::Key:
        return QString::fromUtf8(k.key); // bytes that are not UTF-8 show as U+FFFD
    case TotalsColumn::Total:
        return locale.toString(qulonglong(k.total));
    case TotalsColumn::Share: {
        if (rows.grandTotal == 0)
            return {};
        const double percent = 100.0 * double(k.total) / double(rows.grandTotal);
        if (k.total > 0 && percent < 0.01)
            return QStringLiteral("< %1 %").arg(locale.toString(0.01, 'f', 2));
        return QStringLiteral("%1 %").arg(locale.toString(percent, 'f', 2));
    }
    case TotalsColumn::Count:
        break;
    }
    return {};
}

QVariant MapReduceTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_rows)
        return {};
    const int row = sourceRow(index.row());
    if (row < 0)
        return {};
    const int column = index.column();
    const KeyTotal &k = m_rows->rows[row];
    const bool asked = m_rows->isAsked(row);
    switch (role) {
    case Qt::DisplayRole:
        if (column == int(TotalsColumn::Key))
            return clipped(displayText(*m_rows, row, column), KeyChars);
        return displayText(*m_rows, row, column);
    case Qt::ToolTipRole: {
        QStringList lines;
        if (column == int(TotalsColumn::Key))
            lines << clipped(QString::fromUtf8(k.key), TipChars);
        if (asked)
            lines << (k.found ? tr("Asked for in the batch (\"keys\")")
                              : tr("Asked for in the batch (\"keys\"); it does not occur in the "
                                   "input"));
        if (!asked && column == int(TotalsColumn::Rank))
            lines << tr("Rank %1 of the largest totals").arg(displayText(*m_rows, row, column));
        return lines.isEmpty() ? QVariant() : QVariant(lines.join(QLatin1Char('\n')));
    }
    case Qt::DecorationRole:
        if (column == int(TotalsColumn::Key) && asked)
            return askedIcon();
        return {};
    case Qt::FontRole:
        if (asked) {
            QFont font = QApplication::font();
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (!k.found)
            return QApplication::palette().brush(QPalette::PlaceholderText);
        return {};
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::Alignment(
                (isNumeric(column) ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter));
    case RowRole:
        return row;
    case KeyRole:
        return k.key;
    case TotalRole:
        return QVariant::fromValue(k.total);
    case AskedRole:
        return asked;
    case FoundRole:
        return k.found;
    default:
        return {};
    }
}

QVariant MapReduceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        switch (TotalsColumn(section)) {
        case TotalsColumn::Rank:
            return tr("Rank");
        case TotalsColumn::Key:
            return tr("Key");
        case TotalsColumn::Total:
            return tr("Total");
        case TotalsColumn::Share:
            return tr("Share");
        case TotalsColumn::Count:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        switch (TotalsColumn(section)) {
        case TotalsColumn::Rank:
            return tr("Place among the largest totals (blank for asked keys outside them)");
        case TotalsColumn::Key:
            return tr("The key (a word), byte for byte; asked keys are marked and bold");
        case TotalsColumn::Total:
            return tr("How often the key occurs (text), or the sum of its match_count (ngram)");
        case TotalsColumn::Share:
            return tr("The key's total as a share of the total of every key");
        case TotalsColumn::Count:
            break;
        }
        return {};
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::Alignment(
                (isNumeric(section) ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter));
    case Qt::InitialSortOrderRole:
        // Largest totals first on the first click, as the result lists them.
        return section == int(TotalsColumn::Total) || section == int(TotalsColumn::Share)
                       ? Qt::DescendingOrder
                       : Qt::AscendingOrder;
    default:
        return {};
    }
}

void MapReduceTableModel::sort(int column, Qt::SortOrder order)
{
    if (column >= int(TotalsColumn::Count))
        column = -1;
    if (m_query.sortColumn == column && m_query.sortOrder == order)
        return;
    m_query.sortColumn = column;
    m_query.sortOrder = order;
    requestOrder();
}

void MapReduceTableModel::setTextFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (m_query.text == trimmed)
        return;
    m_query.text = trimmed;
    requestOrder();
}

void MapReduceTableModel::setSubset(MapReduceQuery::Subset subset)
{
    if (m_query.subset == subset)
        return;
    m_query.subset = subset;
    requestOrder();
}

MapReduceTableModel::OrderJob MapReduceTableModel::orderJob() const
{
    if (!m_rows || m_query.isIdentity())
        return nullptr;
    return [rows = m_rows, query = m_query](const std::atomic_bool &cancel) {
        MapReduceOrdering::Result r = MapReduceOrdering::compute(*rows, query, cancel);
        ComputedOrder order;
        order.identity = r.identity;
        order.cancelled = r.cancelled;
        order.rows = std::move(r.rows);
        order.viewRowOf = std::move(r.viewRowOf);
        order.source = rows.get();
        return order;
    };
}

} // namespace Brigade
