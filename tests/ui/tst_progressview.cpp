// The terminal view: every line fits the width it is given, at 80 and 160 columns; counts
// say what happened (cancelled is not done); colour only where wanted; and the real
// brigade, run on a pseudo-terminal of 80 columns, redraws its block in place.
#include "terminal/ProgressView.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cstdlib>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

using namespace Brigade;

class tst_ProgressView : public QObject
{
    Q_OBJECT
private slots:
    void linesFitTheWidth_data();
    void linesFitTheWidth();
    void cancelledIsNotDone();
    void colourOnlyWhereWanted();
    void redrawsInPlaceOnA80ColumnTerminal();
    void heldHostsFitTheWidth();
};

static RunStats stats(qint64 total, qint64 ok, qint64 failed, qint64 cancelled)
{
    RunStats s;
    s.total = total;
    s.succeeded = ok;
    s.failed = failed;
    s.cancelled = cancelled;
    s.running = 12;
    s.retrying = 3;
    s.queued = total - ok - failed - cancelled - 15;
    s.rate = 1234.5;
    s.elapsedMs = 65'000;
    s.etaMs = 3'723'000;
    s.active = true;
    return s;
}

static LoadSample load(int cores, int workers)
{
    LoadSample l;
    for (int i = 0; i < cores; ++i)
        l.cores << (i % 4) / 3.0;
    for (int i = 0; i < workers; ++i) {
        WorkerInfo w;
        w.slot = i;
        w.state = i == 1 ? WorkerState::Restarting : WorkerState::Running;
        w.pid = 100000 + i;
        w.inFlight = 8192;
        w.finished = 1'234'567;
        w.tasksEnded = 1'234'000;
        w.cpuPercent = 99;
        w.restarts = i == 1 ? 2 : 0;
        l.workers << w;
    }
    return l;
}

void tst_ProgressView::linesFitTheWidth_data()
{
    QTest::addColumn<int>("columns");
    QTest::addColumn<int>("cores");
    QTest::addColumn<int>("workers");
    QTest::addColumn<bool>("colour");
    for (int columns : {80, 160, 40}) {
        for (bool colour : {false, true}) {
            QTest::addRow("%d columns, 4 workers%s", columns, colour ? ", colour" : "")
                    << columns << 4 << 4 << colour;
            QTest::addRow("%d columns, 64 workers%s", columns, colour ? ", colour" : "")
                    << columns << 64 << 64 << colour;
        }
    }
}

void tst_ProgressView::linesFitTheWidth()
{
    QFETCH(int, columns);
    QFETCH(int, cores);
    QFETCH(int, workers);
    QFETCH(bool, colour);
    ProgressView view(ProgressView::Mode::Live, stderr);
    view.setColour(colour);
    view.setLoad(load(cores, workers));
    view.setLastFailure(QStringLiteral("item-42: ")
                        + QStringLiteral("very long reason ").repeated(20));
    view.setRunning({QStringLiteral("convert ") + QStringLiteral("x").repeated(300)});
    const QStringList lines = view.frame(stats(2'000'000, 1'500'000, 20'000, 0), columns);
    QVERIFY(lines.size() >= 4);
    for (const QString &l : lines) {
        QVERIFY2(ProgressView::visibleLength(l) < columns, qPrintable(l));
        if (!colour)
            QVERIFY2(!l.contains(QLatin1Char('\x1b')), qPrintable(l));
    }
    // The bar line carries the share, the counts, the rate and the times when they fit.
    const QString first = lines.first();
    QVERIFY2(first.contains(QLatin1String("76%")), qPrintable(first));
    QVERIFY2(first.contains(QLatin1String("1,520,000/2,000,000")), qPrintable(first));
    if (columns >= 80)
        QVERIFY2(first.contains(QLatin1String("1235/s")) && first.contains(QLatin1String("eta")),
                 qPrintable(first));
    // Workers: a line each when wide and few, folded when many; never one per worker then.
    const int workerLines = int(std::count_if(lines.cbegin(), lines.cend(), [](const QString &l) {
        return l.startsWith(QLatin1String("worker ")) || l.startsWith(QLatin1String("w0"))
               || l.startsWith(QLatin1String("workers:"));
    }));
    if (workers > 8)
        QVERIFY(lines.size() <= 10);
    QVERIFY(workerLines >= 1);
    const QString all = lines.join(QLatin1Char('\n'));
    if (colour)
        QVERIFY(all.contains(QLatin1String("\x1b[31m"))); // failures in red
    QVERIFY(all.contains(QLatin1String("retrying")));
    QVERIFY(all.contains(QLatin1String("last failure")));
}

void tst_ProgressView::cancelledIsNotDone()
{
    ProgressView view(ProgressView::Mode::Live, stderr);
    view.setColour(false);
    RunStats s = stats(2000, 580, 20, 1400);
    s.running = s.retrying = s.queued = 0;
    s.active = false;
    const QStringList lines = view.frame(s, 80);
    QVERIFY2(lines.first().contains(QLatin1String(" 30%")), qPrintable(lines.first()));
    QVERIFY2(lines.first().contains(QLatin1String("600/2,000")), qPrintable(lines.first()));
    QVERIFY2(lines.join(QLatin1Char(' ')).contains(QLatin1String("cancelled 1,400")),
             qPrintable(lines.join(QLatin1Char('|'))));
}

void tst_ProgressView::colourOnlyWhereWanted()
{
    QFile devNull(QStringLiteral("/dev/null"));
    QVERIFY(devNull.open(QIODevice::WriteOnly));
    QVERIFY(!ProgressView::colourWanted(devNull.handle())); // not a terminal
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    QVERIFY(master >= 0 && ::grantpt(master) == 0 && ::unlockpt(master) == 0);
    const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    QVERIFY(slave >= 0);
    qputenv("TERM", "xterm-256color");
    qunsetenv("NO_COLOR");
    QVERIFY(ProgressView::colourWanted(slave));
    qputenv("NO_COLOR", "1");
    QVERIFY(!ProgressView::colourWanted(slave));
    qputenv("NO_COLOR", "");
    QVERIFY(ProgressView::colourWanted(slave)); // set but empty: no opinion
    qputenv("TERM", "dumb");
    QVERIFY(!ProgressView::colourWanted(slave));
    qunsetenv("NO_COLOR");
    ::close(slave);
    ::close(master);
}

void tst_ProgressView::redrawsInPlaceOnA80ColumnTerminal()
{
    QTemporaryDir dir;
    QByteArray batch;
    for (int i = 0; i < 300; ++i)
        batch += "{\"id\":\"t" + QByteArray::number(i) + "\",\"fetch\":{\"delay_ms\":[100,600]"
                 + (i % 50 == 0 ? ",\"fail_rate\":1" : "") + "}}\n";
    const QString path = dir.filePath(QStringLiteral("b.jsonl"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(batch);
    f.close();

    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    QVERIFY(master >= 0 && ::grantpt(master) == 0 && ::unlockpt(master) == 0);
    struct winsize ws = {};
    ws.ws_col = 80;
    ws.ws_row = 24;
    QVERIFY(::ioctl(master, TIOCSWINSZ, &ws) == 0);
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
    const QString slave = QString::fromLocal8Bit(::ptsname(master));

    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TERM"), QStringLiteral("xterm"));
    env.remove(QStringLiteral("NO_COLOR"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    p.setProcessEnvironment(env);
    p.setStandardErrorFile(slave);
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            {QStringLiteral("run"), path, QStringLiteral("--no-journal"), QStringLiteral("-w"),
             QStringLiteral("2"), QStringLiteral("-c"), QStringLiteral("20"),
             QStringLiteral("--max-attempts"), QStringLiteral("1")});
    QVERIFY(p.waitForStarted());
    QByteArray screen;
    char buf[4096];
    for (int i = 0; i < 1200 && p.state() != QProcess::NotRunning; ++i) {
        p.waitForFinished(50);
        for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;)
            screen.append(buf, n);
    }
    QCOMPARE(p.state(), QProcess::NotRunning);
    for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;)
        screen.append(buf, n);
    ::close(master);
    QCOMPARE(p.exitCode(), 1);
    QVERIFY2(screen.contains("\x1b[3"), "colour on a terminal");

    // Each redraw goes up exactly as many lines as the one before drew, and no line is as
    // wide as the terminal (so none wrapped): nothing is left behind.
    const QString text = QString::fromUtf8(screen).remove(QLatin1Char('\r'));
    static const QRegularExpression up(QStringLiteral("\x1b\\[(\\d+)A"));
    int frames = 0;
    qsizetype from = 0;
    qsizetype prevEnd = -1;
    int prevLines = 0;
    for (auto it = up.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        if (prevEnd >= 0)
            QCOMPARE(m.captured(1).toInt(), prevLines);
        const qsizetype next = text.indexOf(up, m.capturedEnd());
        const QString block
                = text.mid(m.capturedEnd(), (next < 0 ? text.size() : next) - m.capturedEnd());
        const QStringList lines = block.split(QLatin1Char('\n'));
        prevLines = int(lines.size()) - 1;
        prevEnd = m.capturedEnd();
        ++frames;
        from = m.capturedEnd();
    }
    Q_UNUSED(from)
    QVERIFY2(frames >= 3, qPrintable(text.left(2000))); // a few seconds at ten a second
    for (const QString &line : text.split(QLatin1Char('\n')))
        QVERIFY2(ProgressView::visibleLength(QString(line)
                                                     .remove(up)
                                                     .remove(QStringLiteral("\x1b[J"))
                                                     .remove(QStringLiteral("\x1b[K")))
                         < 80,
                 qPrintable(line));
}

void tst_ProgressView::heldHostsFitTheWidth()
{
    LoadSample l;
    l.elapsedMs = 10'000;
    QCOMPARE(ProgressView::heldHostsLine(l, 80), QString());
    HostPaceInfo open;
    open.host = QStringLiteral("https://fine.example:443");
    HostPaceInfo paused;
    paused.host = QStringLiteral("https://api.example.com:443");
    paused.state = HostPaceInfo::State::Paused;
    paused.nextAllowedMs = 22'000;
    HostPaceInfo broken;
    broken.host = QStringLiteral("http://down.example:8080");
    broken.state = HostPaceInfo::State::Broken;
    l.hosts = {open, paused, broken};
    QCOMPARE(ProgressView::heldHostsLine(l, 80),
             QStringLiteral("hosts: api.example.com paused 0:12, down.example:8080 broken"));
    for (int width : {20, 30, 40, 50, 60}) {
        const QString line = ProgressView::heldHostsLine(l, width);
        QVERIFY2(line.size() <= width, qPrintable(line));
        QVERIFY2(line.startsWith(QStringLiteral("hosts: ")), qPrintable(line));
    }
    QCOMPARE(ProgressView::heldHostsLine(l, 45),
             QStringLiteral("hosts: api.example.com paused 0:12, +1 more"));
    // In the live block, under the counts.
    ProgressView view(ProgressView::Mode::Live, stdout);
    view.setLoad(l);
    const QStringList frame = view.frame(stats(100, 10, 0, 0), 80);
    QVERIFY(frame.contains(ProgressView::heldHostsLine(l, 79)));
}

QTEST_GUILESS_MAIN(tst_ProgressView)
#include "tst_progressview.moc"
