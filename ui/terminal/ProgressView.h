#pragma once

#include "run/RunStats.h"

#include <QElapsedTimer>
#include <QString>

#include <cstdio>

namespace Brigade {

// The headless progress view. Live mode redraws a block on a terminal (counts, a bar,
// rate, ETA, a bar per core and a line per worker); plain mode prints one line every few
// seconds, for logs and CI.
class ProgressView
{
public:
    enum class Mode { Live, Plain, None };

    ProgressView(Mode mode, FILE *out, int plainIntervalMs = 3000);

    void setLoad(const LoadSample &load) { m_load = load; }
    // Commands and program calls: what runs now ("command — last stderr line"), shown in
    // the live block, and the latest failure ("id: error (command)"), shown in the live block
    // and, in plain mode, printed with the next progress line.
    void setRunning(const QStringList &lines) { m_running = lines; }
    void setLastFailure(const QString &line, qint64 failures = 1);
    void update(const RunStats &stats);
    void finish(const RunStats &stats);
    // Prints a message above the live block.
    void message(const QString &text);

    static QString formatDuration(qint64 ms);
    static QString bar(double fraction, int width);

private:
    void draw(const RunStats &stats);
    void clear();
    void printFailures(); // plain mode: the latest failure since the last report
    QString summaryLine(const RunStats &stats) const;

    Mode m_mode;
    FILE *m_out;
    int m_plainIntervalMs;
    QElapsedTimer m_sinceDraw;
    int m_linesDrawn = 0;
    LoadSample m_load;
    RunStats m_last;
    QStringList m_running;
    QString m_lastFailure;
    qint64 m_failuresSincePrinted = 0;
};

} // namespace Brigade
