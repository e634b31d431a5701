#include "WindowBenchmark.h"

#include "MainWindow.h"
#include "window/tasks/TaskTableModel.h"
#include "window/timeline/TimelinePanel.h"
#include "window/timeline/TimelineView.h"

#include <QApplication>
#include <QDockWidget>
#include <QEvent>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

namespace Brigade {

namespace {

double procStatusMb(const char *key)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray wanted = QByteArray(key) + ':';
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(wanted))
            return line.mid(wanted.size()).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return -1;
}

} // namespace

WindowBenchmark::WindowBenchmark(MainWindow *window, const QString &batchPath,
                                 const QString &reportPath, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_batchPath(batchPath)
    , m_reportPath(reportPath)
{
    connect(m_window, &MainWindow::batchLoaded, this, &WindowBenchmark::onLoaded);
    connect(m_window, &MainWindow::loadFailed, this,
            [this](const QString &message) { finish(2, message); });
    connect(m_window, &MainWindow::runFinished, this, &WindowBenchmark::onRunFinished);
}

double WindowBenchmark::rssMb()
{
    return procStatusMb("VmRSS");
}

double WindowBenchmark::peakRssMb()
{
    return procStatusMb("VmHWM");
}

void WindowBenchmark::start()
{
    // The window's first paint (fonts, style, icons: ~150 ms here) is start-up, not a stall
    // during work: begin once it is done.
    if (!m_painted) {
        m_window->installEventFilter(this);
        return;
    }
    // The timeline dock open through it all: its frames are drawn while the run goes on.
    m_window->timelineDock()->show();
    m_window->timelineDock()->raise();
    TimelineView *timeline = m_window->timelinePanel()->timeline();
    connect(timeline, &TimelineView::frameRendered, this, [this, timeline] {
        ++m_timelineFrames;
        m_timelineRenderMaxMs = qMax(m_timelineRenderMaxMs, timeline->frame().renderMs);
    });
    m_probe.start(5);
    m_clock.start();
    m_window->openBatch(m_batchPath);
}

bool WindowBenchmark::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window && event->type() == QEvent::Paint && !m_painted) {
        m_painted = true;
        m_window->removeEventFilter(this);
        QTimer::singleShot(0, this, &WindowBenchmark::start);
    }
    return false;
}

void WindowBenchmark::endPhase(const QString &name)
{
    QJsonObject phase;
    phase[QLatin1String("longest_stall_ms")] = m_probe.maxStallMs();
    phase[QLatin1String("longest_stall_cpu_ms")] = m_probe.maxStallCpuMs();
    phase[QLatin1String("p99_stall_ms")] = m_probe.percentileMs(0.99);
    phase[QLatin1String("ticks")] = m_probe.ticks();
    m_phases[name] = phase;
    if (m_probe.maxStallMs() > m_longestStallMs) {
        m_longestStallMs = m_probe.maxStallMs();
        m_longestStallCpuMs = m_probe.maxStallCpuMs();
        m_longestStallPhase = name;
    }
    m_ticks += m_probe.ticks();
    m_p99 = qMax(m_p99, m_probe.percentileMs(0.99));
    m_probe.reset();
}

void WindowBenchmark::onLoaded()
{
    m_loadS = m_clock.nsecsElapsed() / 1e9;
    endPhase(QStringLiteral("load"));
    m_loadedRssMb = rssMb();
    m_clock.restart();
    m_window->action(MainWindow::Action::Run)->trigger();
}

void WindowBenchmark::onRunFinished(const RunStats &stats)
{
    m_runS = m_clock.nsecsElapsed() / 1e9;
    endPhase(QStringLiteral("run"));
    m_succeeded = stats.succeeded;
    m_failed = stats.failed;
    // Then the table at scale: sort by duration, by id, and filter by text.
    TaskTableModel *model = m_window->taskModel();
    connect(model, &TaskTableModel::orderApplied, this, &WindowBenchmark::sortStep);
    m_step = 0;
    m_clock.restart();
    model->sort(int(TaskColumn::Duration), Qt::DescendingOrder);
}

void WindowBenchmark::sortStep()
{
    TaskTableModel *model = m_window->taskModel();
    const double ms = m_clock.nsecsElapsed() / 1e6;
    m_clock.restart();
    switch (m_step++) {
    case 0:
        m_sortMs = ms;
        model->sort(int(TaskColumn::Id), Qt::AscendingOrder);
        break;
    case 1:
        m_sortIdMs = ms;
        model->setTextFilter(QStringLiteral("99"));
        break;
    default:
        m_filterMs = ms;
        disconnect(model, nullptr, this, nullptr);
        timelineStart();
        break;
    }
}

void WindowBenchmark::timelineStart()
{
    // Then the timeline at scale: the whole run, zoomed in six times by half and out again,
    // each step waiting for its frame (drawn off the GUI thread) before the next.
    endPhase(QStringLiteral("table"));
    TimelineView *timeline = m_window->timelinePanel()->timeline();
    m_step = 0;
    m_clock.restart();
    connect(timeline, &TimelineView::frameRendered, this, &WindowBenchmark::timelineStep);
    timeline->showAll();
}

void WindowBenchmark::timelineStep()
{
    TimelineView *timeline = m_window->timelinePanel()->timeline();
    if (timeline->isRendering())
        return; // a newer frame is on its way
    const qint64 mid = (timeline->fromUs() + timeline->toUs()) / 2;
    if (m_step < 12) {
        timeline->zoom(m_step < 6 ? 0.5 : 2.0, mid);
        ++m_step;
        return;
    }
    m_timelineZoomMs = m_clock.nsecsElapsed() / 1e6;
    disconnect(timeline, nullptr, this, nullptr);
    finish(0);
}

void WindowBenchmark::finish(int exitCode, const QString &error)
{
    endPhase(exitCode == 0 ? QStringLiteral("timeline") : QStringLiteral("aborted"));
    m_probe.stop();
    QJsonObject report;
    // Over all phases; p99 is the worst phase's.
    report[QLatin1String("longest_stall_ms")] = m_longestStallMs;
    report[QLatin1String("longest_stall_cpu_ms")] = m_longestStallCpuMs;
    report[QLatin1String("longest_stall_phase")] = m_longestStallPhase;
    report[QLatin1String("p99_stall_ms")] = m_p99;
    report[QLatin1String("probe_ticks")] = m_ticks;
    report[QLatin1String("phases")] = m_phases;
    report[QLatin1String("load_s")] = m_loadS;
    report[QLatin1String("run_s")] = m_runS;
    report[QLatin1String("sort_duration_ms")] = m_sortMs;
    report[QLatin1String("sort_id_ms")] = m_sortIdMs;
    report[QLatin1String("filter_text_ms")] = m_filterMs;
    report[QLatin1String("tasks")] = m_window->store() ? m_window->store()->size() : 0;
    report[QLatin1String("succeeded")] = m_succeeded;
    report[QLatin1String("failed")] = m_failed;
    report[QLatin1String("timeline_frames")] = m_timelineFrames;
    report[QLatin1String("timeline_render_max_ms")] = m_timelineRenderMaxMs;
    report[QLatin1String("timeline_zoom_steps_ms")] = m_timelineZoomMs;
    if (m_window->store())
        report[QLatin1String("attempt_log_mb")]
                = double(m_window->store()->attemptLog().bytesUsed()) / (1024.0 * 1024.0);
    report[QLatin1String("gui_rss_loaded_mb")] = m_loadedRssMb;
    report[QLatin1String("gui_rss_end_mb")] = rssMb();
    report[QLatin1String("gui_peak_rss_mb")] = peakRssMb();
    if (!error.isEmpty())
        report[QLatin1String("error")] = error;
    QFile out(m_reportPath);
    if (out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        out.write(QJsonDocument(report).toJson());
    else
        exitCode = 3;
    QCoreApplication::exit(exitCode);
}

} // namespace Brigade
