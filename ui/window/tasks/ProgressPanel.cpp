#include "ProgressPanel.h"

#include "StackedProgressBar.h"
#include "window/shared/Formatting.h"
#include "window/shared/StatusStyle.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace Brigade {

namespace {

// Order of the count labels: the way a task moves.
constexpr TaskStatus CountOrder[]
        = {TaskStatus::Queued, TaskStatus::Running,   TaskStatus::Retrying, TaskStatus::Succeeded,
           TaskStatus::Failed, TaskStatus::Cancelled, TaskStatus::Skipped};

qint64 countOf(const RunStats &s, TaskStatus status)
{
    switch (status) {
    case TaskStatus::Queued:
        return s.queued;
    case TaskStatus::Running:
        return s.running;
    case TaskStatus::Retrying:
        return s.retrying;
    case TaskStatus::Succeeded:
        return s.succeeded;
    case TaskStatus::Failed:
        return s.failed;
    case TaskStatus::Cancelled:
        return s.cancelled;
    case TaskStatus::Skipped:
        return s.skipped;
    }
    return 0;
}

QLabel *metricLabel()
{
    auto *label = new QLabel;
    label->setTextFormat(Qt::RichText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

ProgressPanel::ProgressPanel(QWidget *parent)
    : QWidget(parent)
    , m_headline(new QLabel)
    , m_done(new QLabel)
    , m_bar(new StackedProgressBar)
    , m_rate(metricLabel())
    , m_elapsed(metricLabel())
    , m_eta(metricLabel())
{
    QFont headlineFont = m_headline->font();
    headlineFont.setPointSizeF(headlineFont.pointSizeF() * 1.25);
    headlineFont.setBold(true);
    m_headline->setFont(headlineFont);
    m_headline->setObjectName(QStringLiteral("runHeadline"));
    m_done->setObjectName(QStringLiteral("runDone"));
    m_done->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_done->setTextFormat(Qt::RichText);
    m_bar->setObjectName(QStringLiteral("runProgressBar"));
    m_bar->setToolTip(tr("Green: succeeded, red: failed, empty: cancelled, light blue: "
                         "running, light amber: waiting to retry"));
    m_rate->setToolTip(tr("Tasks finished per second, over the last few seconds"));
    m_elapsed->setToolTip(tr("Time since the run started"));
    m_eta->setToolTip(tr("Estimated time until every task has finished, at the current rate"));

    // Two short rows rather than one long one, so the panel never forces the window wide.
    auto *top = new QHBoxLayout;
    top->setSpacing(fontMetrics().averageCharWidth() * 3);
    top->addWidget(m_headline);
    top->addStretch();
    top->addWidget(m_rate);
    top->addWidget(m_elapsed);
    top->addWidget(m_eta);
    top->addWidget(m_done);

    auto *counts = new QHBoxLayout;
    counts->setSpacing(fontMetrics().averageCharWidth() * 2);
    static const char *const tips[]
            = {QT_TR_NOOP("Waiting for a worker"),
               QT_TR_NOOP("Handed to a worker, not finished yet"),
               QT_TR_NOOP("Failed an attempt; waiting out a backoff before the next one"),
               QT_TR_NOOP("Finished with a result"),
               QT_TR_NOOP("Used up its attempts, or failed in a way that is not retried"),
               QT_TR_NOOP("Stopped before it finished")};
    for (size_t i = 0; i < m_counts.size(); ++i) {
        m_counts[i] = metricLabel();
        m_counts[i]->setObjectName(QStringLiteral("count%1").arg(StatusStyle::text(CountOrder[i])));
        m_counts[i]->setToolTip(tr(tips[i]));
        counts->addWidget(m_counts[i]);
    }
    counts->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_bar);
    layout->addLayout(counts);
    reset(0);
}

void ProgressPanel::reset(qint64 total)
{
    RunStats s;
    s.total = total;
    s.queued = total;
    m_stats = s;
    setHeadline(total ? tr("Ready to run") : tr("No batch loaded"));
    updateLabels();
}

void ProgressPanel::setHeadline(const QString &text)
{
    m_headline->setText(text);
}

void ProgressPanel::setStats(const RunStats &stats)
{
    m_stats = stats;
    updateLabels();
}

void ProgressPanel::updateLabels()
{
    const RunStats &s = m_stats;
    std::array<qint64, TaskStatusCount> counts{};
    for (size_t i = 0; i < m_counts.size(); ++i) {
        const TaskStatus status = CountOrder[i];
        const qint64 n = countOf(s, status);
        counts[size_t(status)] = n;
        m_counts[i]->setText(QStringLiteral("%1&nbsp;%2&nbsp;<b>%3</b>")
                                     .arg(StatusStyle::dotHtml(status),
                                          StatusStyle::text(status).toHtmlEscaped(),
                                          Formatting::count(n)));
    }
    m_bar->setCounts(counts);
    // Cancelled tasks did not run to an end: not done, and said apart.
    const qint64 done = s.succeeded + s.failed;
    const double fraction = s.total ? double(done) / double(s.total) : 0.0;
    QString doneText = tr("<b>%3</b> · %1 of %2 done")
                               .arg(Formatting::count(done), Formatting::count(s.total),
                                    Formatting::percent(fraction));
    if (s.cancelled > 0)
        doneText += tr(" · %1 cancelled").arg(Formatting::count(s.cancelled));
    m_done->setText(doneText);
    m_rate->setText(tr("Rate&nbsp;<b>%1</b>").arg(Formatting::rate(s.rate)));
    m_elapsed->setText(tr("Elapsed&nbsp;<b>%1</b>").arg(Formatting::clock(s.elapsedMs)));
    const bool open = s.queued + s.running + s.retrying > 0;
    m_eta->setText(
            tr("ETA&nbsp;<b>%1</b>")
                    .arg(s.active && open ? Formatting::clock(s.etaMs) : QStringLiteral("–")));
}

} // namespace Brigade
