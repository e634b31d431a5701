#include "ProgressView.h"

#include "text/Duration.h"

#include <QLocale>

#include <sys/ioctl.h>
#include <unistd.h>

namespace Brigade {

namespace {

constexpr int DefaultColumns = 80;
constexpr int MinColumns = 20;

// SGR colours, as rich and tqdm use them: green done, red failed, yellow retrying.
const char *const Green = "\x1b[32m";
const char *const Red = "\x1b[31m";
const char *const Yellow = "\x1b[33m";
const char *const Dim = "\x1b[2m";
const char *const Bold = "\x1b[1m";
const char *const Reset = "\x1b[0m";

// A line built piece by piece, knowing how many columns it takes.
class Line
{
public:
    explicit Line(bool colour)
        : m_colour(colour)
    {}
    Line &add(const QString &text, const char *style = nullptr)
    {
        if (m_colour && style && !text.isEmpty())
            m_text += QLatin1String(style) + text + QLatin1String(Reset);
        else
            m_text += text;
        m_width += int(text.size());
        return *this;
    }
    Line &add(const Line &other)
    {
        m_text += other.m_text;
        m_width += other.m_width;
        return *this;
    }
    int width() const { return m_width; }
    QString text() const { return m_text; }

private:
    bool m_colour;
    QString m_text;
    int m_width = 0;
};

// Items side by side, "  " apart, starting a new line where the next does not fit.
QStringList fold(const QVector<Line> &items, int width, bool colour)
{
    QStringList lines;
    Line line(colour);
    for (const Line &item : items) {
        if (line.width() > 0 && line.width() + 2 + item.width() > width) {
            lines << line.text();
            line = Line(colour);
        }
        if (line.width() > 0)
            line.add(QStringLiteral("  "));
        line.add(item);
    }
    if (line.width() > 0)
        lines << line.text();
    return lines;
}

const char *shade(double load)
{
    static const char *const levels[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    return levels[qBound(0, int(load * 8 + 0.5), 8)];
}

} // namespace

ProgressView::ProgressView(Mode mode, FILE *out, int plainIntervalMs)
    : m_mode(mode)
    , m_out(out)
    , m_plainIntervalMs(plainIntervalMs)
    , m_colour(mode == Mode::Live && colourWanted(fileno(out)))
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

QString ProgressView::count(qint64 n)
{
    QLocale locale = QLocale::system();
    locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
    return locale.toString(n);
}

QString ProgressView::counted(qint64 n, const char *one, const char *many)
{
    return QStringLiteral("%1 %2").arg(count(n), QLatin1String(n == 1 ? one : many));
}

QString ProgressView::elide(const QString &text, int width)
{
    if (text.size() <= width)
        return text;
    return width <= 3 ? text.left(width) : text.left(width - 3) + QStringLiteral("...");
}

int ProgressView::terminalColumns(int fd)
{
    struct winsize ws = {};
    if (fd < 0 || !::isatty(fd) || ::ioctl(fd, TIOCGWINSZ, &ws) != 0)
        return 0;
    return ws.ws_col;
}

bool ProgressView::colourWanted(int fd)
{
    // https://no-color.org: present and not empty turns colour off.
    if (!qEnvironmentVariableIsEmpty("NO_COLOR"))
        return false;
    return fd >= 0 && ::isatty(fd) && qgetenv("TERM") != "dumb";
}

int ProgressView::visibleLength(const QString &text)
{
    int n = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == QLatin1Char('\x1b')) {
            while (i < text.size() && text[i] != QLatin1Char('m'))
                ++i;
            continue;
        }
        ++n;
    }
    return n;
}

int ProgressView::columns() const
{
    int c = m_columns > 0 ? m_columns : terminalColumns(fileno(m_out));
    if (c <= 0)
        c = DefaultColumns;
    return qMax(MinColumns, c);
}

QString ProgressView::summaryLine(const RunStats &s) const
{
    // Cancelled tasks are not done: the share is of those that succeeded, failed or were
    // skipped.
    const qint64 done = s.succeeded + s.failed + s.skipped;
    const double frac = s.total ? double(done) / double(s.total) : 1.0;
    return QStringLiteral("%1/%2 (%3%) ok %4 failed %5 retrying %6 running %7%8 | %9 tasks/s | "
                          "elapsed %10 eta %11")
            .arg(count(done), count(s.total))
            .arg(frac * 100.0, 0, 'f', 1)
            .arg(count(s.succeeded), count(s.failed), count(s.retrying), count(s.running),
                 s.cancelled ? QStringLiteral(" cancelled %1").arg(count(s.cancelled)) : QString())
            .arg(s.rate, 0, 'f', 0)
            .arg(formatDuration(s.elapsedMs), formatDuration(s.etaMs));
}

QString ProgressView::heldHostsLine(const LoadSample &load, int width)
{
    QStringList held;
    for (const HostPaceInfo &h : load.hosts) {
        if (h.state == HostPaceInfo::State::Open)
            continue;
        // "api.example.com paused 0:12": the scheme and a default port say nothing here.
        QString name = h.host;
        for (const char *scheme : {"http://", "https://"}) {
            if (name.startsWith(QLatin1String(scheme)))
                name = name.mid(qsizetype(qstrlen(scheme)));
        }
        if ((h.host.startsWith(QLatin1String("http:")) && name.endsWith(QLatin1String(":80")))
            || (h.host.startsWith(QLatin1String("https:")) && name.endsWith(QLatin1String(":443"))))
            name.truncate(name.lastIndexOf(QLatin1Char(':')));
        QString text = name + QLatin1Char(' ') + QLatin1String(hostStateName(h.state));
        if (h.nextAllowedMs > load.elapsedMs)
            text += QLatin1Char(' ') + formatDuration(h.nextAllowedMs - load.elapsedMs);
        held << text;
    }
    if (held.isEmpty())
        return {};
    // As many hosts as fit, then how many more.
    QString line = QStringLiteral("hosts:");
    for (qsizetype i = 0; i < held.size(); ++i) {
        const QString more = i + 1 < held.size()
                                     ? QStringLiteral(", +%1 more").arg(held.size() - i - 1)
                                     : QString();
        const QString next = line + (i ? QStringLiteral(", ") : QStringLiteral(" ")) + held[i];
        if (next.size() + more.size() > width) {
            const QString rest = QStringLiteral(", +%1 more").arg(held.size() - i);
            return i == 0 ? elide(line + QLatin1Char(' ') + held[0], width)
                          : elide(line + rest, width);
        }
        line = next;
    }
    return line;
}

QStringList ProgressView::frame(const RunStats &s, int width) const
{
    // One column short of the edge: a line that filled it would wrap on some terminals and
    // the block would no longer be as many lines as it was drawn.
    const int w = qMax(MinColumns, width) - 1;
    QStringList lines;

    // The bar: done share, the bar itself coloured by outcome, counts, rate, times.
    const qint64 done = s.succeeded + s.failed;
    const double frac = s.total ? double(done) / double(s.total) : 1.0;
    const QString pct = QStringLiteral("%1%").arg(int(frac * 100), 3);
    const QString counts = QStringLiteral("%1/%2").arg(count(done), count(s.total));
    QString tail
            = QStringLiteral("%1/s  %2").arg(s.rate, 0, 'f', 0).arg(formatDuration(s.elapsedMs));
    if (s.active)
        tail += QStringLiteral(" eta %1").arg(formatDuration(s.etaMs));
    if (s.paused)
        tail += QStringLiteral("  paused");
    // "NN% |bar| counts  tail": six columns of spaces and bars around the parts.
    int barWidth = w - int(pct.size() + counts.size() + tail.size()) - 7;
    if (barWidth < 10) // narrow: rate and times go to a line of their own
        barWidth = w - int(pct.size() + counts.size()) - 5;
    const int okCells
            = s.total ? qBound(0, int(double(s.succeeded) / s.total * barWidth + 0.5), barWidth)
                      : barWidth;
    const int failedCells
            = s.total ? qBound(0, int(double(done) / s.total * barWidth + 0.5) - okCells,
                               barWidth - okCells)
                      : 0;
    Line barLine(m_colour);
    barLine.add(pct + QStringLiteral(" "));
    barLine.add(QStringLiteral("|"));
    barLine.add(QString(okCells, QLatin1Char('#')), Green);
    barLine.add(QString(failedCells, QLatin1Char('#')), Red);
    barLine.add(QString(barWidth - okCells - failedCells, QLatin1Char('.')), Dim);
    barLine.add(QStringLiteral("| ")).add(counts, Bold);
    if (barLine.width() + 2 + int(tail.size()) <= w) {
        barLine.add(QStringLiteral("  ") + tail);
        lines << barLine.text();
    } else {
        lines << barLine.text() << elide(tail, w);
    }

    // Counts by state, folded where they do not fit.
    QVector<Line> items;
    auto item = [&](const QString &name, qint64 n, const char *style, bool always) {
        if (n == 0 && !always)
            return;
        Line l(m_colour);
        l.add(name + QLatin1Char(' ')).add(count(n), n ? style : nullptr);
        items << l;
    };
    item(QStringLiteral("ok"), s.succeeded, Green, true);
    item(QStringLiteral("failed"), s.failed, Red, true);
    item(QStringLiteral("retrying"), s.retrying, Yellow, false);
    item(QStringLiteral("running"), s.running, nullptr, true);
    item(QStringLiteral("queued"), s.queued, nullptr, false);
    item(QStringLiteral("cancelled"), s.cancelled, Yellow, false);
    item(QStringLiteral("skipped"), s.skipped, nullptr, false);
    lines << fold(items, w, m_colour);
    if (const QString held = heldHostsLine(m_load, w); !held.isEmpty()) {
        Line l(m_colour);
        l.add(held, Yellow);
        lines << l.text();
    }

    // Cores: one cell each, averaged in pairs (and so on) until they fit.
    if (!m_load.cores.isEmpty()) {
        QVector<double> cores = m_load.cores;
        double sum = 0;
        for (double c : std::as_const(cores))
            sum += c;
        while (cores.size() + 12 > w && cores.size() > 1) {
            QVector<double> half;
            for (int i = 0; i < cores.size(); i += 2)
                half << (cores[i] + cores.value(i + 1, cores[i])) / 2;
            cores = half;
        }
        QString cells;
        for (double c : std::as_const(cores))
            cells += QString::fromUtf8(shade(c));
        lines << QStringLiteral("cpu %1 %2%")
                         .arg(cells)
                         .arg(int(sum / m_load.cores.size() * 100), 3);
    }

    // Workers: a line each when that fits, else several to a line, else a count by state.
    const QVector<WorkerInfo> &workers = m_load.workers;
    QStringList wide;
    QVector<Line> narrow;
    for (const WorkerInfo &wi : workers) {
        const QString restarts
                = wi.restarts ? QStringLiteral(" restarts %1").arg(wi.restarts) : QString();
        wide << QStringLiteral("worker %1 %2 pid %3 in flight %4 tasks %5 attempts %6 cpu %7%%8")
                        .arg(wi.slot)
                        .arg(QLatin1String(workerStateName(wi.state)), -10)
                        .arg(wi.pid)
                        .arg(wi.inFlight)
                        .arg(count(wi.tasksEnded), count(wi.finished))
                        .arg(int(wi.cpuPercent))
                        .arg(restarts);
        Line l(m_colour);
        const bool trouble = wi.state == WorkerState::Failed || wi.state == WorkerState::Blocked
                             || wi.state == WorkerState::Restarting;
        l.add(QStringLiteral("w%1 ").arg(wi.slot))
                .add(wi.state == WorkerState::Running
                             ? QStringLiteral("%1%").arg(int(wi.cpuPercent))
                             : QLatin1String(workerStateName(wi.state)),
                     trouble ? Red : nullptr);
        narrow << l;
    }
    int longest = 0;
    for (const QString &l : std::as_const(wide))
        longest = qMax(longest, int(l.size()));
    const QStringList folded = fold(narrow, w, m_colour);
    if (!workers.isEmpty() && longest <= w && workers.size() <= 8) {
        lines << wide;
    } else if (folded.size() <= 3) {
        lines << folded;
    } else {
        QVector<int> byState(int(WorkerState::Blocked) + 1);
        for (const WorkerInfo &wi : workers)
            ++byState[int(wi.state)];
        QStringList parts;
        for (int st = 0; st < byState.size(); ++st) {
            if (byState[st])
                parts << QStringLiteral("%1 %2")
                                 .arg(byState[st])
                                 .arg(QLatin1String(workerStateName(WorkerState(st))));
        }
        lines << elide(QStringLiteral("workers: %1").arg(parts.join(QStringLiteral(", "))), w);
    }

    for (const QString &r : std::as_const(m_running))
        lines << elide(QStringLiteral("running: %1").arg(r), w);
    if (!m_lastFailure.isEmpty()) {
        Line l(m_colour);
        l.add(QStringLiteral("last failure: "), Red).add(elide(m_lastFailure, w - 14));
        lines << l.text();
    }
    return lines;
}

QByteArray ProgressView::clearSequence() const
{
    // Back to the block's first line: each line drawn takes more than one row if the
    // terminal has since narrowed and wrapped it. "\r" first: a "^C" echoed goes too.
    const int width = columns();
    int rows = 0;
    for (int len : m_drawn)
        rows += qMax(1, (len + width - 1) / width);
    QByteArray out = "\r";
    if (rows > 0)
        out += "\x1b[" + QByteArray::number(rows) + "A";
    return out + "\x1b[J";
}

void ProgressView::draw(const QStringList &lines)
{
    QByteArray out = clearSequence();
    m_drawn.clear();
    for (const QString &l : lines) {
        out += l.toLocal8Bit() + "\x1b[K\n";
        m_drawn << visibleLength(l);
    }
    // One write: a message or a worker's output cannot land inside the block.
    std::fwrite(out.constData(), 1, size_t(out.size()), m_out);
    std::fflush(m_out);
}

void ProgressView::update(const RunStats &stats)
{
    m_last = stats;
    if (m_mode == Mode::None)
        return;
    if (m_mode == Mode::Live) {
        if (!m_sinceDraw.isValid() || m_sinceDraw.elapsed() >= 100) {
            draw(frame(stats, columns()));
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
                                           .arg(count(m_failuresSincePrinted - 1))
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
    m_last = stats;
    if (m_mode == Mode::Live) {
        // The bar and the counts stay on screen; cores, workers and the rest go.
        RunStats last = stats;
        last.active = false;
        const LoadSample load = std::exchange(m_load, LoadSample());
        const QString failure = std::exchange(m_lastFailure, QString());
        draw(frame(last, columns()));
        m_load = load;
        m_lastFailure = failure;
    } else if (m_mode == Mode::Plain) {
        printFailures();
        std::fprintf(m_out, "brigade: done: %s\n", summaryLine(stats).toLocal8Bit().constData());
    }
    m_drawn.clear();
    std::fflush(m_out);
}

void ProgressView::message(const QString &text)
{
    QByteArray out = m_mode == Mode::Live ? clearSequence() : QByteArray();
    out += text.toLocal8Bit() + "\n";
    m_drawn.clear();
    std::fwrite(out.constData(), 1, size_t(out.size()), m_out);
    std::fflush(m_out);
    if (m_mode == Mode::Live && m_sinceDraw.isValid())
        draw(frame(m_last, columns()));
}

} // namespace Brigade
