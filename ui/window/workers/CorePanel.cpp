#include "CorePanel.h"

#include "CoreBars.h"
#include "FetchHostsModel.h"
#include "HostTotalsModel.h"
#include "LoadChart.h"
#include "WorkerTableModel.h"
#include "window/shared/StatusStyle.h"

#include <QHeaderView>
#include <QLabel>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace Brigade {

namespace {

QLabel *sectionTitle(const QString &text)
{
    auto *label = new QLabel(text);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

// A compact read-only table that is as tall as its rows.
void setUpTable(QTableView *view, int stretchColumn)
{
    view->verticalHeader()->hide();
    // Rows of one height, so a table's height follows from its row count.
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(
            qMax(view->fontMetrics().height() + 6,
                 view->style()->pixelMetric(QStyle::PM_SmallIconSize) + 4));
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->horizontalHeader()->setStretchLastSection(false);
    // One text column takes the spare width; the numbers stay next to each other.
    view->horizontalHeader()->setSectionResizeMode(stretchColumn, QHeaderView::Stretch);
    view->horizontalHeader()->setMinimumSectionSize(view->fontMetrics().averageCharWidth() * 3);
    view->setSelectionMode(QAbstractItemView::NoSelection);
    view->setFocusPolicy(Qt::NoFocus);
    view->setShowGrid(false);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->setTextElideMode(Qt::ElideMiddle);
    view->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    view->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
}

// As tall as its rows, up to maxRows; more scroll. AdjustToContents alone leaves a blank
// row's worth of space under a short table.
void fitRows(QTableView *view, int maxRows)
{
    auto fit = [view, maxRows] {
        const int rows = qBound(1, view->model()->rowCount(), maxRows);
        const int rowHeight = view->verticalHeader()->defaultSectionSize();
        view->setFixedHeight(view->horizontalHeader()->sizeHint().height() + rows * rowHeight
                             + 2 * view->frameWidth());
    };
    QObject::connect(view->model(), &QAbstractItemModel::modelReset, view, fit);
    QObject::connect(view->model(), &QAbstractItemModel::rowsInserted, view, fit);
    QObject::connect(view->model(), &QAbstractItemModel::rowsRemoved, view, fit);
    fit();
}

} // namespace

CorePanel::CorePanel(QWidget *parent)
    : QWidget(parent)
    , m_bars(new CoreBars)
    , m_hosts(new HostTotalsModel(this))
    , m_hostView(new QTableView)
    , m_notices(new QLabel)
    , m_fetchTitle(sectionTitle(tr("Fetched hosts")))
    , m_fetchHosts(new FetchHostsModel(this))
    , m_fetchView(new QTableView)
    , m_workers(new WorkerTableModel(this))
    , m_workerView(new QTableView)
    , m_chart(new LoadChart)
{
    m_bars->setObjectName(QStringLiteral("coreBars"));
    m_chart->setObjectName(QStringLiteral("loadChart"));
    m_hostView->setObjectName(QStringLiteral("hostTable"));
    m_hostView->setModel(m_hosts);
    setUpTable(m_hostView, HostTotalsModel::Host);
    fitRows(m_hostView, 8);
    m_fetchView->setObjectName(QStringLiteral("fetchHostTable"));
    m_fetchView->setModel(m_fetchHosts);
    setUpTable(m_fetchView, FetchHostsModel::Host);
    fitRows(m_fetchView, 8);
    // Only runs that fetch over HTTP have any.
    m_fetchTitle->hide();
    m_fetchView->hide();
    m_workerView->setObjectName(QStringLiteral("workerTable"));
    m_workerView->setModel(m_workers);
    // The host takes the spare width, elided in the middle (whole in the tooltip); the
    // state words are never cut.
    setUpTable(m_workerView, WorkerTableModel::Host);
    fitRows(m_workerView, 16);

    m_notices->setObjectName(QStringLiteral("engineNotices"));
    m_notices->setWordWrap(true);
    m_notices->setTextFormat(Qt::PlainText);
    m_notices->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette p = m_notices->palette();
    p.setColor(QPalette::WindowText, StatusStyle::color(WorkerState::Blocked));
    m_notices->setPalette(p);
    m_notices->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(sectionTitle(tr("Cores")));
    layout->addWidget(m_bars);
    layout->addSpacing(fontMetrics().height() / 2);
    layout->addWidget(sectionTitle(tr("Hosts")));
    layout->addWidget(m_hostView);
    layout->addWidget(m_notices);
    layout->addSpacing(fontMetrics().height() / 2);
    layout->addWidget(m_fetchTitle);
    layout->addWidget(m_fetchView);
    layout->addWidget(sectionTitle(tr("Workers")));
    layout->addWidget(m_workerView);
    layout->addSpacing(fontMetrics().height() / 2);
    layout->addWidget(sectionTitle(tr("Throughput and load")));
    layout->addWidget(m_chart, 1);
}

void CorePanel::addSample(const LoadSample &sample)
{
    m_bars->setLoads(sample.cores);
    m_hosts->setWorkers(sample.workers);
    m_fetchHosts->setHosts(sample.hosts, sample.elapsedMs);
    m_fetchTitle->setVisible(!sample.hosts.isEmpty());
    m_fetchView->setVisible(!sample.hosts.isEmpty());
    m_workers->setWorkers(sample.workers);
    m_chart->addSample(sample);
}

void CorePanel::addNotice(const QString &text)
{
    // The newest last, and only the last few, so the panel keeps its size.
    // The engine's messages start in lower case, for the status bar's "Worker 3: ..." too.
    QString line = text;
    if (!line.isEmpty())
        line[0] = line[0].toUpper();
    m_noticeLines.append(line);
    while (m_noticeLines.size() > 5)
        m_noticeLines.removeFirst();
    m_notices->setText(m_noticeLines.join(QLatin1Char('\n')));
    m_notices->show();
}

void CorePanel::clear()
{
    m_chart->clear();
    m_noticeLines.clear();
    m_notices->clear();
    m_notices->hide();
    m_fetchHosts->setHosts({}, 0);
    m_fetchTitle->hide();
    m_fetchView->hide();
}

} // namespace Brigade
