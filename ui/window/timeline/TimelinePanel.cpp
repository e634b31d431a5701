#include "TimelinePanel.h"

#include "RunSummaryImage.h"
#include "TimeBreakdownView.h"
#include "TimelineStyle.h"
#include "TimelineView.h"
#include "core/TaskStore.h"
#include "report/RunReport.h"
#include "window/shared/BackgroundPool.h"
#include "window/shared/Formatting.h"

#include <QBuffer>
#include <QColor>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace Brigade {

namespace {

// A legend entry that never breaks inside itself: the legend wraps between entries only.
QString swatch(QRgb color, const QString &text)
{
    return QStringLiteral("<span style='color:%1'>■</span>&nbsp;%2")
            .arg(QColor(color).name(),
                 text.toHtmlEscaped().replace(QLatin1Char(' '), QStringLiteral("&nbsp;")));
}

QString writeFile(const QString &path, const QByteArray &data)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QObject::tr("cannot write %1: %2").arg(path, file.errorString());
    file.write(data);
    if (!file.commit())
        return QObject::tr("cannot write %1: %2").arg(path, file.errorString());
    return {};
}

} // namespace

TimelinePanel::TimelinePanel(QWidget *parent)
    : QWidget(parent)
    , m_timeline(new TimelineView)
    , m_breakdown(new TimeBreakdownView)
    , m_splitter(new QSplitter(Qt::Horizontal))
    , m_rangeLabel(new QLabel)
    , m_exportButton(new QToolButton)
{
    setObjectName(QStringLiteral("timelinePanel"));
    const auto button = [this](const QString &text, const QString &tip, auto slot) {
        auto *b = new QToolButton;
        b->setText(text);
        b->setToolTip(tip);
        b->setAutoRaise(true);
        connect(b, &QToolButton::clicked, this, slot);
        return b;
    };
    QToolButton *all
            = button(tr("Show All"), tr("Show the whole run and follow it (0, or double-click)"),
                     [this] { m_timeline->showAll(); });
    all->setObjectName(QStringLiteral("timelineShowAll"));
    // Zooming is mostly the wheel's: small buttons leave the row's width to the legend.
    QToolButton *in = button(QStringLiteral("+"), tr("Zoom in (+, or the mouse wheel)"), [this] {
        m_timeline->zoom(0.5, (m_timeline->fromUs() + m_timeline->toUs()) / 2);
    });
    QToolButton *out = button(QStringLiteral("−"), tr("Zoom out (-, or the mouse wheel)"), [this] {
        m_timeline->zoom(2.0, (m_timeline->fromUs() + m_timeline->toUs()) / 2);
    });
    m_exportButton->setText(tr("Export"));
    m_exportButton->setObjectName(QStringLiteral("timelineExport"));
    m_exportButton->setToolTip(tr("Save the timeline and the run summary as a picture or as a "
                                  "self-contained HTML report"));
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    m_exportButton->setAutoRaise(true);
    auto *menu = new QMenu(m_exportButton);
    menu->addAction(tr("Picture (PNG)…"), this, [this] { chooseExport(false); });
    menu->addAction(tr("HTML Report…"), this, [this] { chooseExport(true); });
    m_exportButton->setMenu(menu);

    const TimelineColors c = TimelineStyle::colors(palette());
    auto *legend = new QLabel(
            QStringList{swatch(c.fetch, tr("fetch")), swatch(c.compute, tr("compute")),
                        swatch(c.waiting, tr("waiting on worker")), swatch(c.failed, tr("failed")),
                        swatch(c.retried, tr("retried, backoff")), swatch(c.queued, tr("queued")),
                        swatch(c.inFlight, tr("running"))}
                    .join(QStringLiteral("&nbsp; ")));
    legend->setObjectName(QStringLiteral("timelineLegend"));
    // Wrapping when narrow, onto a second line of the button row: unwrapped it made the
    // timeline's side so wide that where the time went was squeezed, and it was cut off in
    // a 1024-pixel window.
    legend->setWordWrap(true);
    legend->setToolTip(tr("An attempt's bar: fetching, computing and waiting on its worker for a "
                          "compute thread; red when it failed, orange when it was retried, then "
                          "its backoff hatched. Light blue: still running. Grey: time queued."));
    legend->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_rangeLabel->setObjectName(QStringLiteral("timelineRange"));
    m_rangeLabel->setForegroundRole(QPalette::PlaceholderText);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(all);
    bar->addWidget(in);
    bar->addWidget(out);
    bar->addSpacing(8);
    bar->addWidget(m_rangeLabel);
    bar->addSpacing(8);
    bar->addWidget(legend, 1);
    bar->addSpacing(8);
    bar->addWidget(m_exportButton);

    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(bar);
    leftLayout->addWidget(m_timeline, 1);
    m_splitter->addWidget(left);
    m_splitter->addWidget(m_breakdown);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({2000, 1000}); // 2:1 of whatever width the dock has
    m_splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_splitter);

    connect(m_timeline, &TimelineView::rangeChanged, this, &TimelinePanel::updateRangeLabel);
    connect(m_timeline, &TimelineView::selectionChanged, m_breakdown,
            &TimeBreakdownView::setTimeRange);
    connect(&m_export, &QFutureWatcher<QString>::finished, this, [this] {
        m_exportButton->setEnabled(true);
        emit exportFinished(m_exportPath, m_export.result());
    });
}

TimelinePanel::~TimelinePanel()
{
    m_export.waitForFinished();
}

void TimelinePanel::setStore(std::shared_ptr<const TaskStore> store, const QString &title)
{
    m_store = store;
    m_title = title;
    m_timeline->setStore(store);
    m_breakdown->setStore(std::move(store));
}

void TimelinePanel::setRunning(bool running)
{
    m_timeline->setRunning(running);
    m_breakdown->setRunning(running);
}

void TimelinePanel::refresh()
{
    m_timeline->refresh();
}

void TimelinePanel::setFailureSection(FailureSectionProvider provider)
{
    m_failures = std::move(provider);
}

void TimelinePanel::updateRangeLabel()
{
    const auto [first, last] = m_timeline->extent();
    Q_UNUSED(last)
    const qint64 from = m_timeline->fromUs() - first;
    const qint64 to = m_timeline->toUs() - first;
    m_rangeLabel->setText(
            QStringLiteral("%1 – %2%3")
                    .arg(from <= 0 ? tr("0 s") : Formatting::milliseconds(from / 1000.0),
                         Formatting::milliseconds(to / 1000.0),
                         m_timeline->isFollowing() ? tr(" (following)") : QString()));
}

void TimelinePanel::chooseExport(bool html)
{
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("exportDir")).toString();
    const QString base
            = (m_title.isEmpty() ? QStringLiteral("brigade-run") : m_title)
              + (html ? QStringLiteral("-report.html") : QStringLiteral("-timeline.png"));
    const QString path = QFileDialog::getSaveFileName(
            this, html ? tr("Export HTML Report") : tr("Export Picture"),
            QDir(dir.isEmpty() ? QDir::homePath() : dir).filePath(base),
            html ? tr("HTML (*.html)") : tr("PNG pictures (*.png)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("exportDir"), QFileInfo(path).absolutePath());
    if (html)
        exportReport(path);
    else
        exportPng(path);
}

void TimelinePanel::exportPng(const QString &path)
{
    if (m_export.isRunning() || !m_store) {
        emit exportFinished(path, m_store ? tr("an export is already being written")
                                          : tr("no batch is loaded"));
        return;
    }
    RunSummaryImage::Input in;
    in.store = m_store;
    in.title = m_title;
    in.colors = TimelineStyle::colors(QPalette()); // the light default: pictures get printed
    in.colors.laneBase = 0xfff3f4f6;
    m_exportPath = path;
    m_exportButton->setEnabled(false);
    m_export.setFuture(QtConcurrent::run(BackgroundPool::instance(), [in, path] {
        const QImage image = RunSummaryImage::render(in);
        QByteArray png;
        {
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            if (!image.save(&buffer, "PNG"))
                return QObject::tr("cannot encode the picture");
        }
        return writeFile(path, png);
    }));
}

void TimelinePanel::exportReport(const QString &path)
{
    if (m_export.isRunning() || !m_store) {
        emit exportFinished(path, m_store ? tr("an export is already being written")
                                          : tr("no batch is loaded"));
        return;
    }
    RunReport::Options options;
    options.title = m_title;
    options.failuresHtml = m_failures ? m_failures() : QString();
    m_exportPath = path;
    m_exportButton->setEnabled(false);
    m_export.setFuture(
            QtConcurrent::run(BackgroundPool::instance(), [store = m_store, options, path] {
                return writeFile(path, RunReport::html(*store, options).toUtf8());
            }));
}

} // namespace Brigade
