// The Timeline dock in the real window after real runs: a lane per worker under its host,
// attempts as bars that hover and click through to the table, zoom and pan with the mouse,
// drawing aggregated at scale, where the time went, and the exports.
#include "TestFiles.h"
#include "journal/Journal.h"
#include "session/RunSession.h"
#include "timeline/AttemptLog.h"
#include "window/MainWindow.h"
#include "window/tasks/TaskRunView.h"
#include "window/tasks/TaskTableModel.h"
#include "window/timeline/TimeBreakdownModel.h"
#include "window/timeline/TimeBreakdownView.h"
#include "window/timeline/TimelinePanel.h"
#include "window/timeline/TimelineRenderer.h"
#include "window/timeline/TimelineView.h"

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <memory>

using namespace Brigade;

class tst_TimelinePanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void lanesBarsHoverAndClick();
    void zoomPanAndShowAll();
    void rangeSelectionBreaksDownItsTime();
    void aggregatedAtScale();
    void exportsPictureAndReport();
    void lanesScrolledPartlyOutOfThePlot();
    void runningAttemptsGrowAndHit();

private:
    QString writeBatch(const QString &name, const QStringList &lines);
    bool loadAndRun(const QString &path);
    TimelineView *view() const { return m_window->timelinePanel()->timeline(); }
    void waitForFrame();

    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void tst_TimelinePanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("BrigadeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_timelinepanel"));
    QSettings().clear();
    QDir(Journal::defaultDirectory()).removeRecursively();
    QVERIFY(m_dir.isValid());
}

void tst_TimelinePanel::init()
{
    m_window = std::make_unique<MainWindow>();
    RunSettings s = m_window->runSettings();
    s.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    s.workers = 2;
    s.maxAttempts = 2;
    s.retry.baseDelayMs = 30;
    s.retry.maxDelayMs = 30;
    s.seed = 1;
    s.timeoutMs = 0;
    m_window->setRunSettings(s);
    m_window->resize(1400, 900);
    m_window->show();
    m_window->timelineDock()->show();
    m_window->timelineDock()->raise();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_TimelinePanel::cleanup()
{
    m_window.reset();
}

QString tst_TimelinePanel::writeBatch(const QString &name, const QStringList &lines)
{
    return Test::writeTestFile(m_dir, name, lines.join(QLatin1Char('\n')).toUtf8() + '\n');
}

bool tst_TimelinePanel::loadAndRun(const QString &path)
{
    QSignalSpy loaded(m_window.get(), &MainWindow::batchLoaded);
    m_window->openBatch(path);
    if (!loaded.wait(20000))
        return false;
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Run)->trigger();
    return finished.wait(60000);
}

void tst_TimelinePanel::waitForFrame()
{
    // The final frame: drawn off the GUI thread after the run, of everything logged.
    const qint64 logged = m_window->store()->attemptLog().size();
    QTRY_VERIFY_WITH_TIMEOUT(view()->isFrameCurrent() && view()->frame().logSize == logged
                                     && !view()->frame().image.isNull(),
                             20000);
}

void tst_TimelinePanel::lanesBarsHoverAndClick()
{
    QStringList lines;
    for (int i = 0; i < 12; ++i)
        lines << QStringLiteral(
                         R"({"id":"wait-%1","fetch":{"delay_ms":%2},"compute":{"op":"sum_to","n":1000}})")
                         .arg(i)
                         .arg(40 + 10 * i);
    lines << QStringLiteral(R"({"id":"flaky","fetch":{"delay_ms":20,"fail_rate":1}})");
    QVERIFY(loadAndRun(writeBatch(QStringLiteral("small.jsonl"), lines)));
    waitForFrame();
    QVERIFY(!QTest::currentTestFailed());
    TimelineView *v = view();
    const AttemptLog &log = m_window->store()->attemptLog();
    QCOMPARE(log.size(), qint64(14)); // 12 + flaky twice
    QCOMPARE(v->laneCount(), 2);
    // Lanes in slot order under their host (lane numbers follow the order of hellos).
    const QVector<TimelineLane> lanes = log.lanes();
    const int slot0 = lanes[0].slot == 0 ? 0 : 1;
    QCOMPARE(lanes[0].host, lanes[1].host);
    QVERIFY(v->laneY(slot0) > 0);
    QVERIFY(v->laneY(1 - slot0) > v->laneY(slot0));
    // Few attempts: each its own bar, and the frame knows where.
    QVERIFY(v->frame().individual);
    QCOMPARE(qint64(v->frame().bars.size()), log.size());
    QVERIFY(v->isFollowing());

    // The bar of wait-7's attempt: hovering it describes it, clicking selects its task.
    const int row = m_window->store()->rowOf(QStringLiteral("wait-7"));
    const TimelineFrame::Bar *bar = nullptr;
    for (const TimelineFrame::Bar &b : v->frame().bars) {
        if (log.at(b.span).row == row)
            bar = &b;
    }
    QVERIFY(bar);
    const QPoint pos = v->plotRect().topLeft() + bar->rect.center().toPoint();
    QCOMPARE(v->spanAt(pos), bar->span);
    const QString tip = v->describeSpan(bar->span);
    QVERIFY2(tip.contains(QStringLiteral("Task wait-7 · attempt 1 · succeeded")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("fetch")), qPrintable(tip));
    QTest::mouseMove(v, pos);
    QTRY_COMPARE(v->cursor().shape(), Qt::PointingHandCursor);

    QSignalSpy activated(v, &TimelineView::taskActivated);
    QTest::mouseClick(v, Qt::LeftButton, {}, pos);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toInt(), row);
    QTableView *table = m_window->taskRunView()->table();
    TaskTableModel *model = m_window->taskModel();
    QTRY_COMPARE(
            model->data(model->index(table->currentIndex().row(), int(TaskColumn::Id))).toString(),
            QStringLiteral("wait-7"));

    // A task hidden by the table's filter is shown by clearing it first.
    m_window->textFilter()->setText(QStringLiteral("flaky"));
    QTRY_COMPARE(model->rowCount(), 1);
    m_window->taskRunView()->selectTask(row);
    QTRY_COMPARE(model->rowCount(), 13);
    QTRY_COMPARE(
            model->data(model->index(table->currentIndex().row(), int(TaskColumn::Id))).toString(),
            QStringLiteral("wait-7"));

    // The failed task's attempts: the first retried after a backoff, the second failed.
    const int flaky = m_window->store()->rowOf(QStringLiteral("flaky"));
    QStringList outcomes;
    for (qint64 i = 0; i < log.size(); ++i) {
        if (log.at(i).row == flaky)
            outcomes << v->describeSpan(i).section(QLatin1Char('\n'), 0, 0);
    }
    QCOMPARE(outcomes, (QStringList{QStringLiteral("Task flaky · attempt 1 · failed, retried"),
                                    QStringLiteral("Task flaky · attempt 2 · failed")}));
}

void tst_TimelinePanel::zoomPanAndShowAll()
{
    QStringList lines;
    for (int i = 0; i < 30; ++i)
        lines << QStringLiteral(R"({"id":"t%1","fetch":{"delay_ms":%2}})").arg(i).arg(10 + 5 * i);
    QVERIFY(loadAndRun(writeBatch(QStringLiteral("zoom.jsonl"), lines)));
    waitForFrame();
    QVERIFY(!QTest::currentTestFailed());
    TimelineView *v = view();
    const QRect plot = v->plotRect();
    const qint64 from0 = v->fromUs();
    const qint64 to0 = v->toUs();

    // The wheel zooms in around the pointer: the time under it stays under it.
    const QPoint at(plot.left() + plot.width() / 4, plot.center().y());
    const qint64 timeAtPointer = from0 + (to0 - from0) * (at.x() - plot.left()) / plot.width();
    QWheelEvent wheel(at, v->mapToGlobal(at), QPoint(), QPoint(0, 960), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(v, &wheel);
    const qint64 width1 = v->toUs() - v->fromUs();
    QVERIFY2(width1 < (to0 - from0) / 2, qPrintable(QString::number(width1)));
    QVERIFY(!v->isFollowing());
    const qint64 after = v->fromUs() + width1 * (at.x() - plot.left()) / plot.width();
    QVERIFY2(qAbs(after - timeAtPointer) <= width1 / 50, qPrintable(QString::number(after)));
    // A new frame for the new range, drawn off the GUI thread.
    QTRY_VERIFY(v->frame().request.fromUs == v->fromUs() && v->frame().request.toUs == v->toUs());

    // Dragging pans by as much time as the pointer moved.
    const qint64 from1 = v->fromUs();
    const QPoint start(plot.center());
    QTest::mousePress(v, Qt::LeftButton, {}, start);
    QTest::mouseMove(v, start + QPoint(-plot.width() / 4, 0));
    QTest::mouseRelease(v, Qt::LeftButton, {}, start + QPoint(-plot.width() / 4, 0));
    QVERIFY2(qAbs((v->fromUs() - from1) - width1 / 4) <= width1 / 50,
             qPrintable(QString::number(v->fromUs() - from1)));
    QCOMPARE(v->toUs() - v->fromUs(), width1);

    // Keys: minus zooms out; a double click shows the whole run and follows it again.
    v->setFocus();
    QTest::keyClick(v, Qt::Key_Minus);
    QCOMPARE(v->toUs() - v->fromUs(), width1 * 2);
    QTest::mouseDClick(v, Qt::LeftButton, {}, plot.center());
    QVERIFY(v->isFollowing());
    QCOMPARE(v->fromUs(), from0);
    QCOMPARE(v->toUs(), to0);
    // The range label says so.
    auto *label = m_window->timelinePanel()->findChild<QLabel *>(QStringLiteral("timelineRange"));
    QVERIFY(label->text().contains(QStringLiteral("following")));
}

void tst_TimelinePanel::rangeSelectionBreaksDownItsTime()
{
    QStringList lines;
    for (int i = 0; i < 20; ++i)
        lines << QStringLiteral(R"({"id":"f%1","fetch":{"delay_ms":60}})").arg(i);
    for (int i = 0; i < 4; ++i)
        lines << QStringLiteral(R"({"id":"c%1","compute":{"op":"sha256","rounds":200000}})").arg(i);
    QVERIFY(loadAndRun(writeBatch(QStringLiteral("range.jsonl"), lines)));
    waitForFrame();
    QVERIFY(!QTest::currentTestFailed());
    TimeBreakdownView *breakdown = m_window->timelinePanel()->breakdown();
    // The whole run first: fetching and computing both took time.
    QTRY_COMPARE(breakdown->breakdown().total().attempts, qint64(24));
    QVERIFY(breakdown->breakdown().total().fetchUs >= 20 * 60000.0);
    QVERIFY(breakdown->breakdown().total().computeUs > 0);
    QVERIFY(breakdown->summaryLabel()->text().contains(QStringLiteral("24 attempts")));
    // Its tree: the run, its host, a row for each of the host's workers that ran an attempt
    // (both, unless a busy machine let one of them take every task before the other started).
    TimeBreakdownModel *model = breakdown->model();
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->rowCount(model->index(0, 0)), 1);
    const int lanes = int(m_window->store()->attemptLog().lanes().size());
    QVERIFY(lanes >= 1 && lanes <= 2);
    QCOMPARE(model->rowCount(model->index(0, 0, model->index(0, 0))), lanes);

    // Shift+drag over the first half of the run: its time alone.
    TimelineView *v = view();
    const QRect plot = v->plotRect();
    const int x0 = v->xOf(v->extent().first);
    const int x1 = v->xOf((v->extent().first + v->extent().second) / 2);
    QSignalSpy computed(breakdown, &TimeBreakdownView::computed);
    QTest::mousePress(v, Qt::LeftButton, Qt::ShiftModifier, QPoint(x0, plot.center().y()));
    QTest::mouseMove(v, QPoint(x1, plot.center().y()));
    QTest::mouseRelease(v, Qt::LeftButton, Qt::ShiftModifier, QPoint(x1, plot.center().y()));
    QVERIFY(v->selectionFromUs() >= 0);
    QCOMPARE(breakdown->scope(), TimeBreakdownView::Scope::TimeRange);
    QTRY_VERIFY(computed.count() > 0
                && breakdown->breakdown().scope().fromUs == v->selectionFromUs());
    const PhaseTotals part = breakdown->breakdown().total();
    QVERIFY(part.totalUs() > 0);
    // Escape clears it; the whole run again.
    QTest::keyClick(v, Qt::Key_Escape);
    QCOMPARE(v->selectionFromUs(), qint64(-1));
    breakdown->setScope(TimeBreakdownView::Scope::WholeRun);
    QTRY_VERIFY(breakdown->breakdown().scope().isWholeRun());
    QCOMPARE(breakdown->breakdown().total().attempts, qint64(24));
    QVERIFY(part.totalUs() < breakdown->breakdown().total().totalUs());

    // The tasks selected in the table.
    m_window->taskRunView()->selectTask(m_window->store()->rowOf(QStringLiteral("c1")));
    breakdown->setScope(TimeBreakdownView::Scope::SelectedTasks);
    QTRY_COMPARE(breakdown->breakdown().total().attempts, qint64(1));
    QCOMPARE(breakdown->breakdown().total().fetchUs, 0.0);
    QVERIFY(breakdown->breakdown().total().computeUs > 0);
}

void tst_TimelinePanel::aggregatedAtScale()
{
    // 30,000 attempts: drawn as per-pixel columns, never as a bar (or anything) per attempt.
    QStringList lines;
    lines.reserve(30000);
    for (int i = 0; i < 30000; ++i)
        lines << QStringLiteral(R"({"compute":{"op":"sum_to","n":%1}})").arg(i % 50);
    QVERIFY(loadAndRun(writeBatch(QStringLiteral("many.jsonl"), lines)));
    waitForFrame();
    QVERIFY(!QTest::currentTestFailed());
    TimelineView *v = view();
    QCOMPARE(v->frame().logSize, qint64(30000));
    QVERIFY(!v->frame().individual);
    QVERIFY(v->frame().bars.empty());
    QVERIFY(v->frame().scaleMax > 0);
    // Something drawn in each lane that ran a good share of them: a pixel that is not the
    // lane's background in its lower half. Columns grow from the lane's bottom, scaled to the
    // busiest lane, so a lane that ran few (a busy machine can let one worker take nearly
    // all) has short ones.
    const QImage &image = v->frame().image;
    const int halfLane = v->laneCount() > 1 && v->laneY(0) >= 0 && v->laneY(1) >= 0
                                 ? qAbs(v->laneY(1) - v->laneY(0)) / 2
                                 : 8;
    const AttemptLog &log = m_window->store()->attemptLog();
    QVector<qint64> perLane(v->laneCount());
    for (qint64 i = 0; i < log.size(); ++i)
        ++perLane[log.at(i).lane];
    int checked = 0;
    for (int lane = 0; lane < v->laneCount(); ++lane) {
        if (perLane[lane] < 1000)
            continue;
        ++checked;
        const qreal dpr = image.devicePixelRatio();
        const int middle = v->laneY(lane) - v->plotRect().top();
        int drawn = 0;
        const QRgb base = v->colors().laneBase;
        for (int y = qRound(middle * dpr);
             y < qMin(image.height(), qRound((middle + halfLane) * dpr)); ++y) {
            for (int x = 0; x < image.width(); ++x)
                drawn += image.pixel(x, y) != base && qAlpha(image.pixel(x, y)) > 0;
        }
        QVERIFY2(drawn > 0, qPrintable(QStringLiteral("lane %1").arg(lane)));
    }
    QVERIFY(checked >= 1);
    // Hover still finds an attempt under the pointer, from the log itself.
    const QRect plot = v->plotRect();
    qint64 found = -1;
    for (int x = plot.left(); x < plot.right() && found < 0; x += 4)
        found = v->spanAt(QPoint(x, v->laneY(0)));
    QVERIFY(found >= 0);
    QVERIFY(v->describeSpan(found).startsWith(QStringLiteral("Task ")));
}

void tst_TimelinePanel::exportsPictureAndReport()
{
    QStringList lines;
    for (int i = 0; i < 10; ++i)
        lines << QStringLiteral(R"({"id":"e%1","fetch":{"delay_ms":20}})").arg(i);
    lines << QStringLiteral("{\"id\":\"gone\",\"fetch\":\"file:///nonexistent/brigade-report\"}");
    QVERIFY(loadAndRun(writeBatch(QStringLiteral("export.jsonl"), lines)));
    QTRY_COMPARE(m_window->session()->failures().failedTasks, qint64(1));
    TimelinePanel *panel = m_window->timelinePanel();
    QSignalSpy done(panel, &TimelinePanel::exportFinished);
    const QString png = m_dir.filePath(QStringLiteral("run.png"));
    panel->exportPng(png);
    QVERIFY(done.wait(20000));
    QCOMPARE(done.last().at(1).toString(), QString());
    const QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.width(), 1600);
    QVERIFY(image.height() > 300);

    const QString html = m_dir.filePath(QStringLiteral("run.html"));
    panel->exportReport(html);
    QVERIFY(done.wait(20000));
    QCOMPARE(done.last().at(1).toString(), QString());
    QFile f(html);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(f.readAll());
    QVERIFY(text.contains(QStringLiteral("<title>Brigade run report: export</title>")));
    QVERIFY(text.contains(QStringLiteral("<b>10</b> succeeded")));
    QVERIFY(text.contains(QStringLiteral("<b>1</b> failed")));
    // The failure groups, as the Failures dock has them: the cause, its sparkline, the example.
    QVERIFY2(text.contains(QStringLiteral(
                     "1 failed and 0 retrying tasks in 1 group, from 1 failed attempt.")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("cannot read &lt;path&gt;")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("<code>gone</code>")));
    QVERIFY(!text.contains(QStringLiteral("<script"), Qt::CaseInsensitive));

    // A file that cannot be written says why.
    panel->exportReport(m_dir.filePath(QStringLiteral("no/such/dir/run.html")));
    QVERIFY(done.wait(20000));
    QVERIFY(done.last().at(1).toString().contains(QStringLiteral("cannot write")));
}

void tst_TimelinePanel::lanesScrolledPartlyOutOfThePlot()
{
    // Many attempts (drawn as columns) in lanes that reach past the plot's top and bottom:
    // drawn up to the edges, nothing written outside the picture.
    QStringList lines;
    for (int i = 0; i < 20000; ++i)
        lines << QStringLiteral(R"({"compute":{"op":"sum_to","n":%1}})").arg(i % 10);
    QVERIFY(loadAndRun(writeBatch(QStringLiteral("edges.jsonl"), lines)));
    TimelineFrameRequest r;
    r.store = m_window->store();
    r.fromUs = view()->extent().first;
    r.toUs = view()->extent().second;
    r.size = QSize(300, 40);
    r.colors = view()->colors();
    r.lanes = {{0, -30, 50}, {1, 20, 50}};
    r.queueY = -10;
    r.queueHeight = 30;
    const TimelineFrame frame = TimelineRenderer::render(r);
    QVERIFY(!frame.individual);
    QCOMPARE(frame.image.size(), QSize(300, 40));
    int drawn = 0;
    for (int x = 0; x < 300; ++x)
        drawn += frame.image.pixel(x, 19) != r.colors.laneBase; // lane 0's bottom
    QVERIFY(drawn > 0);
}

void tst_TimelinePanel::runningAttemptsGrowAndHit()
{
    // Attempts that take far longer than the test: they are drawn while they run.
    QStringList lines;
    for (int i = 0; i < 4; ++i)
        lines << QStringLiteral(R"({"id":"long-%1","fetch":{"delay_ms":60000}})").arg(i);
    QSignalSpy loaded(m_window.get(), &MainWindow::batchLoaded);
    m_window->openBatch(writeBatch(QStringLiteral("long.jsonl"), lines));
    QVERIFY(loaded.wait(20000));
    m_window->action(MainWindow::Action::Run)->trigger();
    TimelineView *v = view();
    const auto runningBars = [v] {
        std::vector<TimelineFrame::Bar> bars;
        for (const TimelineFrame::Bar &b : v->frame().bars) {
            if (b.running >= 0)
                bars.push_back(b);
        }
        return bars;
    };
    // Every task on a worker, none ended: four growing bars, nothing in the log.
    QTRY_VERIFY_WITH_TIMEOUT(runningBars().size() == 4, 20000);
    QCOMPARE(m_window->store()->attemptLog().size(), qint64(0));
    QCOMPARE(v->frame().running->attempts.size(), 4);
    QVERIFY(v->frame().individual);

    // Drawn in the running colour, up to the time the frame was drawn at.
    const auto reachesDrawnTime = [v] {
        const TimelineFrame &f = v->frame();
        const double x = double(f.runningUntilUs - f.request.fromUs) * f.request.size.width()
                         / double(f.request.toUs - f.request.fromUs);
        for (const TimelineFrame::Bar &b : f.bars) {
            // (A bar just begun is drawn 3 px wide to be seen and hit.)
            if (b.running >= 0 && b.rect.width() > 3 && qAbs(b.rect.right() - x) > 1.5)
                return false;
        }
        return true;
    };
    QVERIFY(reachesDrawnTime());
    // Later frames reach later: the bars grow while no attempt ends.
    const qint64 drawnUntil = v->frame().runningUntilUs;
    QTRY_VERIFY_WITH_TIMEOUT(v->frame().runningUntilUs > drawnUntil + 500000, 20000);
    QVERIFY(reachesDrawnTime());
    QCOMPARE(runningBars().size(), size_t(4));
    const TimelineFrame::Bar first = runningBars().front();
    QVERIFY2(first.rect.width() > 6, qPrintable(QString::number(first.rect.width())));
    const QImage image = v->frame().image;
    const QPoint inside = (first.rect.topLeft() + QPointF(2, first.rect.height() / 2)).toPoint()
                          * image.devicePixelRatio();
    QCOMPARE(QColor(image.pixel(inside)).rgb(), QColor(v->colors().inFlight).rgb());

    // Hover and click reach the running attempt's task.
    const TimelineFrame::Bar bar = runningBars().front();
    const int row = v->frame().running->attempts[bar.running].row;
    const QPoint pos = v->plotRect().topLeft() + bar.rect.center().toPoint();
    QCOMPARE(v->spanAt(pos), qint64(-1));
    QCOMPARE(v->runningAt(pos), bar.running);
    const QString tip = v->describeRunning(bar.running);
    QVERIFY2(tip.startsWith(QStringLiteral("Task %1 · attempt 1 · running")
                                    .arg(m_window->store()->spec(row).id)),
             qPrintable(tip));
    QSignalSpy activated(v, &TimelineView::taskActivated);
    QTest::mouseClick(v, Qt::LeftButton, {}, pos);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toInt(), row);

    // Cancelled, they end: the log has them, nothing runs any more.
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Cancel)->trigger();
    QVERIFY(finished.wait(20000));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->store()->attemptLog().size(), qint64(4), 20000);
    QVERIFY(m_window->store()->attemptLog().running()->attempts.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(v->isFrameCurrent() && v->frame().logSize == 4
                                     && v->frame().running->attempts.isEmpty(),
                             20000);
    QVERIFY(runningBars().empty());
}

QTEST_MAIN(tst_TimelinePanel)
#include "tst_timelinepanel.moc"
