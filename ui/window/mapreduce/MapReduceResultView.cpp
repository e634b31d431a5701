#include "MapReduceResultView.h"

#include "MapReduceTableModel.h"
#include "window/shared/BackgroundPool.h"
#include "window/shared/Formatting.h"
#include "window/shared/LargeTable.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace Brigade {

namespace {

constexpr int FilterDelayMs = 200; // typing pauses this long before the filter runs

QString number(quint64 n)
{
    return QLocale().toString(qulonglong(n));
}

// The rows as text for the clipboard: rank, key, total (plain digits, for spreadsheets) and
// share, tab-separated with a header line.
QString tabSeparated(const MapReduceRows &rows, const QVector<int> &selected,
                     const QStringList &headers)
{
    QString out = headers.join(QLatin1Char('\t')) + QLatin1Char('\n');
    for (int row : selected) {
        QString key = QString::fromUtf8(rows.rows[row].key);
        key.replace(QLatin1Char('\t'), QLatin1Char(' '));
        key.replace(QLatin1Char('\n'), QLatin1Char(' '));
        out += MapReduceTableModel::displayText(rows, row, int(TotalsColumn::Rank));
        out += QLatin1Char('\t') + key + QLatin1Char('\t');
        out += QString::number(rows.rows[row].total) + QLatin1Char('\t');
        out += MapReduceTableModel::displayText(rows, row, int(TotalsColumn::Share));
        out += QLatin1Char('\n');
    }
    return out;
}

} // namespace

MapReduceResultView::MapReduceResultView(QWidget *parent)
    : QWidget(parent)
    , m_model(new MapReduceTableModel(this))
    , m_figures(new QLabel)
    , m_subset(new QComboBox)
    , m_textFilter(new QLineEdit)
    , m_shownLabel(new QLabel)
    , m_table(new QTableView)
    , m_badHeader(new QLabel)
    , m_badList(new QListWidget)
{
    m_figures->setObjectName(QStringLiteral("mrFigures"));
    m_figures->setTextFormat(Qt::RichText);
    m_figures->setWordWrap(true);
    m_figures->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_subset->setObjectName(QStringLiteral("mrSubsetFilter"));
    m_subset->setSizeAdjustPolicy(QComboBox::AdjustToContents); // counts come later
    m_subset->setToolTip(tr("Show every row, only the largest totals, or only the keys the "
                            "batch asked for"));
    m_subset->addItem(tr("All rows"), int(MapReduceQuery::Subset::All));
    m_subset->addItem(tr("Top totals"), int(MapReduceQuery::Subset::Top));
    m_subset->addItem(tr("Asked keys"), int(MapReduceQuery::Subset::Asked));
    connect(m_subset, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setSubset(MapReduceQuery::Subset(m_subset->currentData().toInt()));
    });

    m_textFilter->setObjectName(QStringLiteral("mrTextFilter"));
    m_textFilter->setPlaceholderText(
            tr("Filter keys (%1)")
                    .arg(QKeySequence(QKeySequence::Find).toString(QKeySequence::NativeText)));
    m_textFilter->setClearButtonEnabled(true);
    m_textFilter->setToolTip(tr("Show only keys that contain this text (letters match either "
                                "case)"));
    m_filterDelay.setSingleShot(true);
    m_filterDelay.setInterval(FilterDelayMs);
    connect(m_textFilter, &QLineEdit::textChanged, &m_filterDelay, qOverload<>(&QTimer::start));
    connect(&m_filterDelay, &QTimer::timeout, this,
            [this] { m_model->setTextFilter(m_textFilter->text()); });

    m_shownLabel->setObjectName(QStringLiteral("mrShownLabel"));
    m_shownLabel->setForegroundRole(QPalette::PlaceholderText);

    m_table->setObjectName(QStringLiteral("mrTable"));
    m_table->setModel(m_model);
    LargeTable::configure(m_table);
    QHeaderView *header = m_table->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(int(TotalsColumn::Key), QHeaderView::Stretch);
    header->setSortIndicatorClearable(true);
    header->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->setSortingEnabled(true);
    const int ch = fontMetrics().averageCharWidth();
    m_table->setColumnWidth(int(TotalsColumn::Rank), ch * 11);
    m_table->setColumnWidth(int(TotalsColumn::Total), ch * 22);
    m_table->setColumnWidth(int(TotalsColumn::Share), ch * 11);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MapReduceResultView::selectionChanged);

    m_badHeader->setObjectName(QStringLiteral("mrBadLinesHeader"));
    m_badHeader->setTextFormat(Qt::RichText);
    m_badHeader->setWordWrap(true);
    m_badList->setObjectName(QStringLiteral("mrBadLines"));
    m_badList->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_badList->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_badList->setUniformItemSizes(true);
    m_badList->setToolTip(tr("The first bad lines of the input, as file:line: why"));
    m_badList->setMaximumHeight(m_badList->fontMetrics().height() * 7);

    connect(m_model, &MapReduceTableModel::orderingChanged, this,
            &MapReduceResultView::updateShownLabel);
    connect(m_model, &QAbstractItemModel::layoutChanged, this,
            &MapReduceResultView::updateShownLabel);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MapReduceResultView::updateShownLabel);

    connect(&m_buildWatcher, &QFutureWatcherBase::finished, this, [this] {
        if (m_buildWatcher.property("generation").toULongLong() != m_generation)
            return; // cleared or replaced meanwhile
        m_model->setRows(m_buildWatcher.result());
        const std::shared_ptr<const MapReduceRows> &rows = m_model->rows();
        m_subset->setItemText(0, tr("All rows (%1)").arg(Formatting::count(rows->size())));
        m_subset->setItemText(1, tr("Top %1").arg(Formatting::count(rows->topCount)));
        m_subset->setItemText(2, tr("Asked keys (%1)").arg(Formatting::count(rows->askedCount)));
        emit rowsShown();
    });
    connect(&m_copyWatcher, &QFutureWatcherBase::finished, this, [this] {
        QGuiApplication::clipboard()->setText(m_copyWatcher.result());
        emit copied(m_copyCount);
    });

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_subset);
    filterRow->addWidget(m_textFilter, 1);
    filterRow->addWidget(m_shownLabel);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_figures);
    layout->addLayout(filterRow);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_badHeader);
    layout->addWidget(m_badList);
    clear();
}

MapReduceResultView::~MapReduceResultView() = default;

void MapReduceResultView::clear()
{
    ++m_generation;
    m_model->setRows(nullptr);
    m_figures->clear();
    m_badHeader->hide();
    m_badList->clear();
    m_badList->hide();
    m_subset->setItemText(0, tr("All rows"));
    m_subset->setItemText(1, tr("Top totals"));
    m_subset->setItemText(2, tr("Asked keys"));
    updateShownLabel();
}

void MapReduceResultView::setResult(const MapReduceResult &r)
{
    clear();
    const double secs = double(qMax<qint64>(1, r.elapsedMs)) / 1000.0;
    QStringList lines;
    lines << tr("<b>%1</b> distinct keys · total <b>%2</b> · <b>%3</b> lines · %4 in %5 chunks "
                "· %6 at <b>%7/s</b>")
                     .arg(Formatting::count(r.distinctKeys), number(r.totalCount), number(r.lines),
                          Formatting::decimalBytes(r.bytes), Formatting::count(r.chunks),
                          Formatting::milliseconds(double(r.elapsedMs)),
                          Formatting::decimalBytes(qint64(double(r.bytes) / secs)));
    if (r.overflowed)
        lines << tr("<span style=\"color:#e04545\">&#9888;</span> Some totals passed "
                    "2<sup>64</sup>&minus;1 and were capped there.");
    m_figures->setText(lines.join(QStringLiteral("<br>")));

    if (r.badLines > 0) {
        m_badHeader->setText(
                tr("<span style=\"color:#e0a030\">&#9888;</span> <b>%1</b> not counted%2")
                        .arg(r.badLines == 1 ? tr("1 bad line")
                                             : tr("%1 bad lines").arg(number(r.badLines)),
                             r.badExamples.isEmpty()
                                     ? QString()
                                     : (quint64(r.badExamples.size()) < r.badLines
                                                ? tr("; the first %1:").arg(r.badExamples.size())
                                                : QStringLiteral(":"))));
        for (const BadLineExample &e : r.badExamples)
            m_badList->addItem(e.toString());
        m_badHeader->show();
        m_badList->setVisible(!r.badExamples.isEmpty());
    }

    const quint64 generation = m_generation;
    m_buildWatcher.setProperty("generation", QVariant::fromValue(generation));
    m_buildWatcher.setFuture(
            QtConcurrent::run(BackgroundPool::instance(), [r] { return MapReduceRows::build(r); }));
}

QStringList MapReduceResultView::badLines() const
{
    QStringList out;
    for (int i = 0; i < m_badList->count(); ++i)
        out << m_badList->item(i)->text();
    return out;
}

bool MapReduceResultView::hasSelection() const
{
    return m_model->rows() && m_table->selectionModel()->hasSelection();
}

void MapReduceResultView::copySelected()
{
    const std::shared_ptr<const MapReduceRows> rows = m_model->rows();
    if (!rows || m_copyWatcher.isRunning())
        return;
    QVector<int> view;
    for (const QItemSelectionRange &range : m_table->selectionModel()->selection()) {
        for (int r = range.top(); r <= range.bottom(); ++r)
            view.append(r);
    }
    if (view.isEmpty())
        return;
    std::sort(view.begin(), view.end());
    view.erase(std::unique(view.begin(), view.end()), view.end());
    QVector<int> selected;
    selected.reserve(view.size());
    for (int r : std::as_const(view)) {
        const int row = m_model->sourceRow(r);
        if (row >= 0)
            selected.append(row);
    }
    QStringList headers;
    for (int c = 0; c < int(TotalsColumn::Count); ++c)
        headers << m_model->headerData(c, Qt::Horizontal).toString();
    m_copyCount = selected.size();
    m_copyWatcher.setFuture(
            QtConcurrent::run(BackgroundPool::instance(), [rows, selected, headers] {
                return tabSeparated(*rows, selected, headers);
            }));
}

void MapReduceResultView::focusFilter()
{
    m_textFilter->setFocus(Qt::ShortcutFocusReason);
    m_textFilter->selectAll();
}

void MapReduceResultView::updateShownLabel()
{
    const std::shared_ptr<const MapReduceRows> &rows = m_model->rows();
    if (!rows) {
        m_shownLabel->clear();
        return;
    }
    QString text = m_model->query().isIdentity()
                           ? Formatting::counted(rows->size(), tr("%1 row"), tr("%1 rows"))
                           : tr("%1 of %2 rows")
                                     .arg(Formatting::count(m_model->rowCount()),
                                          Formatting::count(rows->size()));
    if (m_model->isOrdering())
        text += tr(" · sorting…");
    m_shownLabel->setText(text);
}

} // namespace Brigade
