#include "CorePanel.h"

#include "CoreBars.h"
#include "LoadChart.h"
#include "WorkerTableModel.h"

#include <QHeaderView>
#include <QLabel>
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

} // namespace

CorePanel::CorePanel(QWidget *parent)
    : QWidget(parent)
    , m_bars(new CoreBars)
    , m_workers(new WorkerTableModel(this))
    , m_workerView(new QTableView)
    , m_chart(new LoadChart)
{
    m_bars->setObjectName(QStringLiteral("coreBars"));
    m_chart->setObjectName(QStringLiteral("loadChart"));
    m_workerView->setObjectName(QStringLiteral("workerTable"));
    m_workerView->setModel(m_workers);
    m_workerView->verticalHeader()->hide();
    m_workerView->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_workerView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_workerView->horizontalHeader()->setStretchLastSection(false);
    // The state column takes the spare width; the numbers stay next to each other.
    m_workerView->horizontalHeader()->setSectionResizeMode(WorkerTableModel::State,
                                                           QHeaderView::Stretch);
    m_workerView->horizontalHeader()->setMinimumSectionSize(fontMetrics().averageCharWidth() * 3);
    m_workerView->setSelectionMode(QAbstractItemView::NoSelection);
    m_workerView->setFocusPolicy(Qt::NoFocus);
    m_workerView->setShowGrid(false);
    m_workerView->setAlternatingRowColors(true);
    m_workerView->setWordWrap(false);
    m_workerView->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_workerView->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(sectionTitle(tr("Cores")));
    layout->addWidget(m_bars);
    layout->addSpacing(fontMetrics().height() / 2);
    layout->addWidget(sectionTitle(tr("Workers")));
    layout->addWidget(m_workerView);
    layout->addSpacing(fontMetrics().height() / 2);
    layout->addWidget(sectionTitle(tr("Throughput and load")));
    layout->addWidget(m_chart, 1);
}

void CorePanel::addSample(const LoadSample &sample)
{
    m_bars->setLoads(sample.cores);
    m_workers->setWorkers(sample.workers);
    m_chart->addSample(sample);
}

void CorePanel::clear()
{
    m_chart->clear();
}

} // namespace Brigade
