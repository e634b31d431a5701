#pragma once

#include "run/RunStats.h"

#include <QElapsedTimer>
#include <QString>
#include <QStringList>
#include <QVector>

#include <cstdio>

namespace Brigade {

// The headless progress view. Live mode redraws a block on a terminal: one bar with the
// counts, rate and ETA, the counts by state, the cores' load and the workers (a line each
// when wide, folded several to a line when narrow), what runs now and the latest failure.
// Every line fits the terminal's width, read again at each redraw (so a resize is
// followed), and the whole block is written at once, so nothing lands in its middle.
// Colour where the terminal has it and NO_COLOR is not set. Plain mode prints one line
// every few seconds, for logs and CI.
class ProgressView
{
public:
    enum class Mode { Live, Plain, None };

    ProgressView(Mode mode, FILE *out, int plainIntervalMs = 3000);

    // The width to fit; 0 (the default): the terminal's, followed as it changes.
    void setColumns(int columns) { m_columns = columns; }
    void setColour(bool colour) { m_colour = colour; }

    void setLoad(const LoadSample &load) { m_load = load; }
    // Commands and program calls: what runs now ("command — last stderr line"), shown in
    // the live block, and the latest failure ("id: error (command)"), shown in the live block
    // and, in plain mode, printed with the next progress line.
    void setRunning(const QStringList &lines) { m_running = lines; }
    void setLastFailure(const QString &line, qint64 failures = 1);
    void update(const RunStats &stats);
    // The last word of the block: the bar and the counts stay, the rest goes.
    void finish(const RunStats &stats);
    // Prints a message above the live block.
    void message(const QString &text);

    // The live block's lines for a width, as drawn (with colour codes when colour is on).
    QStringList frame(const RunStats &stats, int columns) const;
    int columns() const; // the width the view fits now

    static QString formatDuration(qint64 ms);
    static QString bar(double fraction, int width);
    // A count as every count is shown: "2,000"; with its noun: "1 record", "2,000 records".
    static QString count(qint64 n);
    static QString counted(qint64 n, const char *one, const char *many);
    // text in at most width columns, "..." at the end when cut (plain text only).
    static QString elide(const QString &text, int width);
    // The hosts the run holds back (paused by a Retry-After, broken), as many as fit in
    // width, then "+N more"; empty when none is.
    static QString heldHostsLine(const LoadSample &load, int width);
    // The width of the terminal on fd, 0 when it is not one.
    static int terminalColumns(int fd);
    // Whether to colour what goes to fd: a terminal other than "dumb", NO_COLOR unset.
    static bool colourWanted(int fd);
    // The characters text shows on a terminal (colour codes left out).
    static int visibleLength(const QString &text);

private:
    void draw(const QStringList &lines);
    QByteArray clearSequence() const;
    void printFailures(); // plain mode: the latest failure since the last report
    QString summaryLine(const RunStats &stats) const;

    Mode m_mode;
    FILE *m_out;
    int m_plainIntervalMs;
    int m_columns = 0;
    bool m_colour = false;
    QElapsedTimer m_sinceDraw;
    QVector<int> m_drawn; // visible length of each line of the block on screen
    LoadSample m_load;
    RunStats m_last;
    QStringList m_running;
    QString m_lastFailure;
    qint64 m_failuresSincePrinted = 0;
};

} // namespace Brigade
