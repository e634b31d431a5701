#pragma once

#include "StallProbe.h"
#include "run/RunStats.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>

namespace Brigade {

class MainWindow;

// The window's benchmark entry point (workload G1 of tests/bench): loads a batch, runs it
// to the end with the Timeline dock open, sorts and filters the results table, zooms the
// timeline in and out, all with a StallProbe on the GUI thread, and writes a JSON report:
//   {"longest_stall_ms", "p99_stall_ms", "load_s", "run_s", "sort_duration_ms",
//    "sort_id_ms", "filter_text_ms", "tasks", "succeeded", "failed", "gui_peak_rss_mb",
//    "gui_rss_loaded_mb", "timeline_frames", "timeline_render_max_ms", "attempt_log_mb",
//    "timeline_zoom_steps_ms", "phases": {"load", "run", "table", "timeline"}, ...}
// Started by DesktopApp when BRIGADE_BENCH_REPORT is set; quits the application when done.
class WindowBenchmark : public QObject
{
    Q_OBJECT
public:
    WindowBenchmark(MainWindow *window, const QString &batchPath, const QString &reportPath,
                    QObject *parent = nullptr);

    void start();

    // Resident set size of this process now and at its peak (VmRSS, VmHWM), in MB.
    static double rssMb();
    static double peakRssMb();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onLoaded();
    void onRunFinished(const RunStats &stats);
    void sortStep();
    void timelineStart();
    void timelineStep();
    void endPhase(const QString &name); // records the probe's figures for a phase, resets it
    void finish(int exitCode, const QString &error = {});

    MainWindow *m_window;
    QString m_batchPath;
    QString m_reportPath;
    StallProbe m_probe;
    QElapsedTimer m_clock;
    double m_loadS = 0;
    double m_loadedRssMb = 0;
    double m_runS = 0;
    QJsonObject m_phases;
    double m_longestStallMs = 0;
    double m_longestStallCpuMs = -1;
    QString m_longestStallPhase;
    double m_p99 = 0;
    qint64 m_ticks = 0;
    double m_sortMs = -1;
    double m_sortIdMs = -1;
    double m_filterMs = -1;
    int m_step = 0;
    bool m_painted = false;
    qint64 m_succeeded = 0;
    qint64 m_failed = 0;
    qint64 m_timelineFrames = 0;
    double m_timelineRenderMaxMs = 0;
    double m_timelineZoomMs = -1;
};

} // namespace Brigade
