#include "MapReduceProgressPanel.h"

#include "window/shared/Formatting.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QVBoxLayout>

namespace Brigade {

namespace {

QLabel *metricLabel(const QString &objectName, const QString &tip)
{
    auto *label = new QLabel;
    label->setObjectName(objectName);
    label->setTextFormat(Qt::RichText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setToolTip(tip);
    return label;
}

// To the next whole second: "0:00" would read as done while a chunk is still left.
qint64 roundedUp(qint64 ms)
{
    return ms <= 0 ? ms : (ms + 999) / 1000 * 1000;
}

} // namespace

MapReduceProgressPanel::MapReduceProgressPanel(QWidget *parent)
    : QWidget(parent)
    , m_headline(new QLabel)
    , m_done(new QLabel)
    , m_bar(new QProgressBar)
    , m_data(metricLabel(QStringLiteral("mrData"), tr("Input bytes of the chunks mapped")))
    , m_speed(metricLabel(QStringLiteral("mrSpeed"),
                          tr("Input bytes mapped per second since the start")))
    , m_elapsed(metricLabel(QStringLiteral("mrElapsed"), tr("Time since the job started")))
    , m_eta(metricLabel(QStringLiteral("mrEta"),
                        tr("Estimated time until every chunk is done, at the speed so far")))
    , m_keys(metricLabel(QStringLiteral("mrKeys"), tr("Distinct keys merged so far")))
    , m_badLines(metricLabel(QStringLiteral("mrBadLines"),
                             tr("Lines that could not be read, so far: counted and skipped")))
    , m_failed(metricLabel(QStringLiteral("mrFailedChunks"),
                           tr("Chunks that failed every attempt: the totals would be wrong, so "
                              "the job stops")))
{
    QFont headlineFont = m_headline->font();
    headlineFont.setPointSizeF(headlineFont.pointSizeF() * 1.25);
    headlineFont.setBold(true);
    m_headline->setFont(headlineFont);
    m_headline->setObjectName(QStringLiteral("mrHeadline"));
    m_done->setObjectName(QStringLiteral("mrChunks"));
    m_done->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_done->setTextFormat(Qt::RichText);
    m_done->setToolTip(tr("Chunks mapped and merged, of all chunks of the input"));
    m_bar->setObjectName(QStringLiteral("mrProgressBar"));
    m_bar->setRange(0, 1000);
    m_bar->setTextVisible(false);
    m_bar->setToolTip(tr("Input bytes mapped and merged"));

    auto *top = new QHBoxLayout;
    top->setSpacing(fontMetrics().averageCharWidth() * 3);
    top->addWidget(m_headline);
    top->addStretch();
    top->addWidget(m_speed);
    top->addWidget(m_elapsed);
    top->addWidget(m_eta);
    top->addWidget(m_done);

    auto *figures = new QHBoxLayout;
    figures->setSpacing(fontMetrics().averageCharWidth() * 3);
    figures->addWidget(m_data);
    figures->addWidget(m_keys);
    figures->addWidget(m_badLines);
    figures->addWidget(m_failed);
    figures->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_bar);
    layout->addLayout(figures);

    m_throttle.setSingleShot(true);
    m_throttle.setInterval(1000 / MaxUpdatesPerSecond + 1);
    m_throttle.setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5% early
    connect(&m_throttle, &QTimer::timeout, this, [this] {
        if (!m_dirty)
            return;
        display(m_latest);
        m_throttle.start();
    });
    reset(0, 0);
}

void MapReduceProgressPanel::reset(qint64 totalBytes, int chunks)
{
    m_throttle.stop();
    m_dirty = false;
    MapReduceProgress p;
    p.bytesTotal = totalBytes;
    p.chunksTotal = chunks;
    m_latest = p;
    setHeadline(tr("Ready to run"));
    display(p);
    m_throttle.start(); // progress right after is coalesced with this
}

void MapReduceProgressPanel::setHeadline(const QString &text)
{
    m_headline->setText(text);
}

QString MapReduceProgressPanel::headline() const
{
    return m_headline->text();
}

void MapReduceProgressPanel::setProgress(const MapReduceProgress &progress)
{
    m_latest = progress;
    if (m_throttle.isActive()) {
        m_dirty = true;
        return;
    }
    display(progress);
    m_throttle.start();
}

void MapReduceProgressPanel::finish(const MapReduceResult &result)
{
    m_throttle.stop();
    MapReduceProgress p = m_latest;
    p.active = false;
    p.elapsedMs = result.elapsedMs;
    p.badLines = qMax(p.badLines, result.badLines);
    if (result.succeeded()) {
        p.chunksDone = p.chunksTotal = result.chunks;
        p.bytesDone = p.bytesTotal = result.bytes;
        p.keys = result.distinctKeys;
        p.etaMs = 0;
    }
    if (p.elapsedMs > 0)
        p.bytesPerSecond = double(p.bytesDone) * 1000.0 / double(p.elapsedMs);
    m_latest = p;
    display(p);
}

void MapReduceProgressPanel::display(const MapReduceProgress &p)
{
    m_dirty = false;
    m_shown = p;
    ++m_updates;
    const double fraction
            = p.bytesTotal > 0 ? double(p.bytesDone) / double(p.bytesTotal)
                               : (p.chunksTotal > 0 && p.chunksDone == p.chunksTotal ? 1.0 : 0.0);
    m_bar->setValue(int(qBound(0.0, fraction, 1.0) * 1000.0));
    m_done->setText(p.chunksTotal > 0 ? tr("<b>%1</b> · %2 of %3 chunks")
                                                .arg(Formatting::percent(fraction),
                                                     Formatting::count(p.chunksDone),
                                                     Formatting::count(p.chunksTotal))
                                      : QString());
    m_data->setText(p.bytesTotal > 0 || p.active
                            ? tr("Data&nbsp;<b>%1</b> of %2")
                                      .arg(Formatting::decimalBytes(p.bytesDone),
                                           Formatting::decimalBytes(p.bytesTotal))
                            : tr("Data&nbsp;–"));
    m_speed->setText(tr("Speed&nbsp;<b>%1</b>")
                             .arg(p.bytesPerSecond > 0 ? tr("%1/s").arg(
                                          Formatting::decimalBytes(qint64(p.bytesPerSecond)))
                                                       : QStringLiteral("–")));
    m_elapsed->setText(tr("Elapsed&nbsp;<b>%1</b>")
                               .arg(p.elapsedMs > 0 || p.active ? Formatting::clock(p.elapsedMs)
                                                                : QStringLiteral("–")));
    m_eta->setText(
            tr("ETA&nbsp;<b>%1</b>")
                    .arg(p.active ? Formatting::clock(roundedUp(p.etaMs)) : QStringLiteral("–")));
    m_keys->setText(tr("Distinct keys&nbsp;<b>%1</b>").arg(Formatting::count(p.keys)));
    m_badLines->setText(
            tr("Bad lines&nbsp;<b>%1</b>").arg(QLocale().toString(qulonglong(p.badLines))));
    m_failed->setText(tr("Failed chunks&nbsp;<b>%1</b>").arg(Formatting::count(p.chunksFailed)));
    m_failed->setVisible(p.chunksFailed > 0);
    emit updated();
}

} // namespace Brigade
