#include "ProgressView.h"

#include "text/Duration.h"

#include <QLocale>

namespace Brigade {

ProgressView::ProgressView(Mode mode, FILE *out, int plainIntervalMs)
    : m_mode(mode)
    , m_out(out)
    , m_plainIntervalMs(plainIntervalMs)
{}

QString ProgressView::formatDuration(qint64 ms)
{
    return Duration::clock(ms, QStringLiteral("--:--")); // as wide as a time: the line stays put
}

QString ProgressView::bar(double fraction, int width)
{
    const int full = qBound(0, int(fraction * width + 0.5), width);
    return QString(full, QLatin1Char('#')) + QString(width - full, QLatin1Char('.'));
}

QString ProgressView::summaryLine(const RunStats &s) const
{
    const double frac = s.total ? double(s.finished()) / double(s.total) : 1.0;
    return QStringLiteral("%1/%2 (%3%) ok %4 failed %5 retrying %6 running %7%8 | %9 tasks/s | "
                          "elapsed %10 eta %11")
            .arg(QLocale::system().toString(s.finished()), QLocale::system().toString(s.total))
            .arg(frac * 100.0, 0, 'f', 1)
            .arg(s.succeeded)
            .arg(s.failed)
            .arg(s.retrying)
            .arg(s.running)
            .arg(s.cancelled ? QStringLiteral(" cancelled %1").arg(s.cancelled) : QString())
            .arg(s.rate, 0, 'f', 0)
            .arg(formatDuration(s.elapsedMs), formatDuration(s.etaMs));
}

void ProgressView::clear()
{
    if (m_mode != Mode::Live || m_linesDrawn == 0)
        return;
    // Move up over the block and clear it.
    std::fprintf(m_out, "\x1b[%dA\x1b[J", m_linesDrawn);
    m_linesDrawn = 0;
}

void ProgressView::draw(const RunStats &s)
{
    QStringList lines;
    const double frac = s.total ? double(s.finished()) / double(s.total) : 1.0;
    lines << QStringLiteral("[%1] %2").arg(bar(frac, 40),
                                           s.paused ? QStringLiteral("paused") : QString());
    lines << summaryLine(s);
    for (int i = 0; i < m_load.cores.size(); ++i)
        lines << QStringLiteral("cpu%1 [%2] %3%")
                         .arg(i, -3)
                         .arg(bar(m_load.cores[i], 20))
                         .arg(int(m_load.cores[i] * 100), 3);
    for (const WorkerInfo &w : std::as_const(m_load.workers))
        lines << QStringLiteral("worker %1 %2 pid %3 in flight %4 done %5 cpu %6%%7")
                         .arg(w.slot)
                         .arg(QLatin1String(workerStateName(w.state)), -10)
                         .arg(w.pid)
                         .arg(w.inFlight)
                         .arg(w.finished)
                         .arg(int(w.cpuPercent))
                         .arg(w.restarts ? QStringLiteral(" restarts %1").arg(w.restarts)
                                         : QString());
    for (const QString &r : std::as_const(m_running))
        lines << QStringLiteral("running: %1").arg(r);
    if (!m_lastFailure.isEmpty())
        lines << QStringLiteral("last failure: %1").arg(m_lastFailure);
    clear();
    for (const QString &l : std::as_const(lines))
        std::fprintf(m_out, "%s\x1b[K\n", l.toLocal8Bit().constData());
    std::fflush(m_out);
    m_linesDrawn = int(lines.size());
}

void ProgressView::update(const RunStats &stats)
{
    m_last = stats;
    if (m_mode == Mode::None)
        return;
    if (m_mode == Mode::Live) {
        if (!m_sinceDraw.isValid() || m_sinceDraw.elapsed() >= 100) {
            draw(stats);
            m_sinceDraw.start();
        }
        return;
    }
    if (!m_sinceDraw.isValid() || m_sinceDraw.elapsed() >= m_plainIntervalMs) {
        std::fprintf(m_out, "brigade: %s\n", summaryLine(stats).toLocal8Bit().constData());
        printFailures();
        std::fflush(m_out);
        m_sinceDraw.start();
    }
}

void ProgressView::printFailures()
{
    if (m_failuresSincePrinted == 0)
        return;
    const QString more = m_failuresSincePrinted > 1
                                 ? QStringLiteral(" (and %1 more since the last report)")
                                           .arg(m_failuresSincePrinted - 1)
                                 : QString();
    std::fprintf(m_out, "brigade: failed: %s%s\n", m_lastFailure.toLocal8Bit().constData(),
                 more.toLocal8Bit().constData());
    m_failuresSincePrinted = 0;
}

void ProgressView::setLastFailure(const QString &line, qint64 failures)
{
    m_lastFailure = line;
    m_failuresSincePrinted += failures;
}

void ProgressView::finish(const RunStats &stats)
{
    m_running.clear();
    if (m_mode == Mode::Live)
        draw(stats);
    else if (m_mode == Mode::Plain) {
        printFailures();
        std::fprintf(m_out, "brigade: done: %s\n", summaryLine(stats).toLocal8Bit().constData());
    }
    m_linesDrawn = 0;
    std::fflush(m_out);
}

void ProgressView::message(const QString &text)
{
    clear();
    std::fprintf(m_out, "%s\n", text.toLocal8Bit().constData());
    std::fflush(m_out);
    if (m_mode == Mode::Live)
        draw(m_last);
}

} // namespace Brigade
