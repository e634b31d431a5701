// The real main window, driven the way a user would: open a batch, run it against the
// local HTTP test server, watch failures appear, retry them, filter, sort and export.
#include "TestHttpServer.h"
#include "WindowTestSetup.h"
#include "batch/BatchParser.h"
#include "journal/Journal.h"
#include "output/ResultWriter.h"
#include "window/MainWindow.h"
#include "window/shared/StatusStyle.h"
#include "window/tasks/BatchSummaryView.h"
#include "window/tasks/ProgressPanel.h"
#include "window/tasks/TaskDetailsView.h"
#include "window/tasks/TaskTableModel.h"

#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScreen>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextCursor>

#include <memory>

using namespace Brigade;

class tst_MainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void runFailRetryFilterExport();
    void retrySelectedFromContextMenuAction();
    void raisedPriorityIsMarkedAndJournaled();
    void pauseResumeCancel();
    void badBatchShowsItsErrors();
    void unreadableFileSaysWhy();
    void cancelLoading();
    void settingsAreRemembered();
    void recentFilesAreRemembered();
    void runIsJournalledAndResumable();
    void reopenedBatchOffersItsUnfinishedRun();
    void defaultSizeShowsEveryColumnAndWhyATaskFailed();

private:
    QString writeBatch(const QString &name, const QStringList &lines);
    bool load(const QString &path);
    bool runToEnd(QAction *trigger, int timeoutMs = 60000);
    QString cell(int viewRow, TaskColumn column) const;
    int rowOf(const QString &id) const;

    QTemporaryDir m_dir;
    Test::TestHttpServer m_server;
    std::unique_ptr<MainWindow> m_window;
};

void tst_MainWindow::initTestCase()
{
    Test::isolateWindowSettings(QStringLiteral("tst_mainwindow"));
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
}

void tst_MainWindow::init()
{
    m_window = std::make_unique<MainWindow>();
    m_window->setRunSettings(Test::windowTestRunSettings(m_window->runSettings()));
    m_window->show();
    m_server.setFailing(false);
}

void tst_MainWindow::cleanup()
{
    m_window.reset();
}

QString tst_MainWindow::writeBatch(const QString &name, const QStringList &lines)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write(lines.join(QLatin1Char('\n')).toUtf8() + '\n');
    return path;
}

bool tst_MainWindow::load(const QString &path)
{
    QSignalSpy loaded(m_window.get(), &MainWindow::batchLoaded);
    m_window->openBatch(path); // what File › Open calls with the chosen file
    return loaded.wait(20000);
}

bool tst_MainWindow::runToEnd(QAction *trigger, int timeoutMs)
{
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    if (!trigger->isEnabled())
        return false;
    trigger->trigger();
    return finished.wait(timeoutMs);
}

QString tst_MainWindow::cell(int viewRow, TaskColumn column) const
{
    TaskTableModel *model = m_window->taskModel();
    return model->data(model->index(viewRow, int(column))).toString();
}

int tst_MainWindow::rowOf(const QString &id) const
{
    TaskTableModel *model = m_window->taskModel();
    for (int r = 0; r < model->rowCount(); ++r) {
        if (cell(r, TaskColumn::Id) == id)
            return r;
    }
    return -1;
}

void tst_MainWindow::runFailRetryFilterExport()
{
    // 8 tasks that fail while the server fails, 20 fetches and 6 computes that succeed.
    QStringList lines;
    for (int i = 0; i < 8; ++i)
        lines << QStringLiteral(R"({"id":"maybe-%1","fetch":"%2"})")
                         .arg(i)
                         .arg(QString::fromUtf8(
                                 m_server.url("/maybe?key=k" + QByteArray::number(i))));
    for (int i = 0; i < 20; ++i)
        lines << QStringLiteral(R"({"id":"ok-%1","fetch":"%2"})")
                         .arg(i)
                         .arg(QString::fromUtf8(m_server.url("/delay?ms=20&bytes=100&seed="
                                                             + QByteArray::number(i))));
    for (int i = 0; i < 6; ++i)
        lines << QStringLiteral(R"({"id":"sum-%1","compute":{"op":"sum_to","n":%2}})")
                         .arg(i)
                         .arg(i * 1000);
    const int total = lines.size();
    QVERIFY(load(writeBatch(QStringLiteral("mixed.jsonl"), lines)));

    TaskTableModel *model = m_window->taskModel();
    QCOMPARE(model->rowCount(), total);
    QCOMPARE(cell(0, TaskColumn::Id), QStringLiteral("maybe-0"));
    QCOMPARE(cell(0, TaskColumn::Status), QStringLiteral("Queued"));
    QVERIFY(m_window->batchSummary()->summaryText().contains(QStringLiteral("34")));
    QVERIFY(m_window->batchSummary()->problems().isEmpty());
    QVERIFY(m_window->action(MainWindow::Action::Run)->isEnabled());
    QVERIFY(!m_window->action(MainWindow::Action::RetryFailed)->isEnabled());

    // Run while the server fails: the table fills in live, failures appear.
    m_server.setFailing(true);
    QSignalSpy cellsChanged(model, &QAbstractItemModel::dataChanged);
    QVERIFY(runToEnd(m_window->action(MainWindow::Action::Run)));
    QVERIFY(cellsChanged.count() > 0);
    QVERIFY(!m_window->isRunning());

    const RunStats stats = m_window->progressPanel()->stats();
    QCOMPARE(stats.total, qint64(total));
    QCOMPARE(stats.succeeded, qint64(26));
    QCOMPARE(stats.failed, qint64(8));
    const StatusCounts counts = m_window->store()->counts();
    QCOMPARE(counts[TaskStatus::Succeeded], stats.succeeded);
    QCOMPARE(counts[TaskStatus::Failed], stats.failed);

    int failedShown = 0;
    for (int r = 0; r < model->rowCount(); ++r) {
        const QString id = cell(r, TaskColumn::Id);
        const QString status = cell(r, TaskColumn::Status);
        if (id.startsWith(QLatin1String("maybe-"))) {
            QCOMPARE(status, QStringLiteral("Failed"));
            QCOMPARE(cell(r, TaskColumn::Attempts), QStringLiteral("2"));
            QVERIFY2(cell(r, TaskColumn::Http).startsWith(QLatin1String("500")),
                     qPrintable(cell(r, TaskColumn::Http)));
            QVERIFY(!cell(r, TaskColumn::Error).isEmpty());
            ++failedShown;
        } else {
            QCOMPARE(status, QStringLiteral("Succeeded"));
            QVERIFY(!cell(r, TaskColumn::Result).isEmpty());
        }
    }
    QCOMPARE(failedShown, 8);
    QCOMPARE(cell(rowOf(QStringLiteral("sum-2")), TaskColumn::Result), QStringLiteral("2001000"));
    QVERIFY(m_window->action(MainWindow::Action::RetryFailed)->isEnabled());

    // The details pane of a failed task lists both attempts with their error.
    m_window->taskView()->setCurrentIndex(model->index(rowOf(QStringLiteral("maybe-3")), 0));
    const QString details = m_window->detailsView()->toPlainText();
    QVERIFY2(details.contains(QLatin1String("maybe-3")), qPrintable(details));
    QVERIFY2(details.contains(QLatin1String("/maybe?key=k3")), qPrintable(details));
    QVERIFY2(details.count(QLatin1String("500")) >= 2, qPrintable(details));

    // Filter by status, by text, and both.
    QSignalSpy applied(model, &TaskTableModel::orderApplied);
    QComboBox *status = m_window->statusFilter();
    status->setCurrentIndex(status->findData(int(TaskStatus::Failed)));
    QTRY_COMPARE(model->rowCount(), 8);
    for (int r = 0; r < model->rowCount(); ++r)
        QVERIFY(cell(r, TaskColumn::Id).startsWith(QLatin1String("maybe-")));
    m_window->textFilter()->setText(QStringLiteral("MAYBE-5")); // case does not matter
    QTRY_COMPARE(model->rowCount(), 1);
    QCOMPARE(cell(0, TaskColumn::Id), QStringLiteral("maybe-5"));
    status->setCurrentIndex(status->findData(-1));
    m_window->textFilter()->setText(QStringLiteral("ok-1"));
    QTRY_COMPARE(model->rowCount(), 11);                        // ok-1, ok-10 .. ok-19
    m_window->textFilter()->setText(QStringLiteral("2001000")); // a result
    QTRY_COMPARE(model->rowCount(), 1);
    QCOMPARE(cell(0, TaskColumn::Id), QStringLiteral("sum-2"));
    m_window->textFilter()->clear();
    QTRY_COMPARE(model->rowCount(), total);
    QVERIFY(applied.count() > 0);

    // Sort by status, descending: failed rows first (statuses order queued..cancelled).
    m_window->taskView()->sortByColumn(int(TaskColumn::Status), Qt::DescendingOrder);
    QTRY_COMPARE(cell(0, TaskColumn::Status), QStringLiteral("Failed"));
    QTRY_COMPARE(cell(7, TaskColumn::Status), QStringLiteral("Failed"));
    QCOMPARE(cell(8, TaskColumn::Status), QStringLiteral("Succeeded"));
    m_window->action(MainWindow::Action::FileOrder)->trigger();
    QTRY_COMPARE(cell(0, TaskColumn::Id), QStringLiteral("maybe-0"));

    // Export all as CSV: exactly the CLI's records, in store order.
    {
        const QString path = m_dir.filePath(QStringLiteral("all.csv"));
        QSignalSpy exported(m_window.get(), &MainWindow::exportFinished);
        m_window->exportResults(path, false);
        QVERIFY(exported.wait(20000));
        QCOMPARE(exported.first().at(2).toString(), QString());
        QCOMPARE(exported.first().at(1).toLongLong(), qint64(total));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray expected = ResultWriter::csvHeader();
        const auto store = m_window->store();
        for (int row = 0; row < store->size(); ++row)
            expected += ResultWriter::record(store->spec(row), store->state(row),
                                             ResultWriter::Format::Csv);
        QCOMPARE(f.readAll(), expected);
    }

    // Export what is shown (failed tasks) as JSON Lines, in view order.
    status->setCurrentIndex(status->findData(int(TaskStatus::Failed)));
    QTRY_COMPARE(model->rowCount(), 8);
    {
        const QString path = m_dir.filePath(QStringLiteral("failed.jsonl"));
        QSignalSpy exported(m_window.get(), &MainWindow::exportFinished);
        m_window->exportResults(path, true);
        QVERIFY(exported.wait(20000));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray expected;
        const auto store = m_window->store();
        for (int r = 0; r < model->rowCount(); ++r) {
            const int row = model->storeRow(r);
            expected += ResultWriter::record(store->spec(row), store->state(row),
                                             ResultWriter::Format::JsonLines);
        }
        const QByteArray written = f.readAll();
        QCOMPARE(written, expected);
        QCOMPARE(written.count('\n'), 8);
        QVERIFY(written.contains("\"status\":\"failed\""));
    }

    // The server recovers; Retry Failed turns every failure into a success, with fresh
    // attempt counts, and leaves the other results alone.
    const TaskState okBefore
            = m_window->store()->state(m_window->store()->rowOf(QStringLiteral("ok-3")));
    m_server.setFailing(false);
    QVERIFY(runToEnd(m_window->action(MainWindow::Action::RetryFailed)));
    const RunStats after = m_window->progressPanel()->stats();
    QCOMPARE(after.failed, qint64(0));
    QCOMPARE(m_window->store()->counts()[TaskStatus::Succeeded], qint64(total));
    // The Failed filter follows the new states: nothing is left to show.
    QTRY_COMPARE(model->rowCount(), 0);
    status->setCurrentIndex(status->findData(-1));
    QTRY_COMPARE(model->rowCount(), total);
    const int r = rowOf(QStringLiteral("maybe-5"));
    QCOMPARE(cell(r, TaskColumn::Status), QStringLiteral("Succeeded"));
    QCOMPARE(cell(r, TaskColumn::Attempts), QStringLiteral("1"));
    QCOMPARE(m_window->store()->state(m_window->store()->rowOf(QStringLiteral("maybe-5"))).result,
             QByteArray(R"({"status":200,"bytes":5})")); // the body is "ok k5"
    const TaskState okAfter
            = m_window->store()->state(m_window->store()->rowOf(QStringLiteral("ok-3")));
    QCOMPARE(okAfter.result, okBefore.result);
    QCOMPARE(okAfter.finishedAtMs, okBefore.finishedAtMs);
    QVERIFY(!m_window->action(MainWindow::Action::RetryFailed)->isEnabled());
}

void tst_MainWindow::retrySelectedFromContextMenuAction()
{
    QStringList lines;
    for (int i = 0; i < 4; ++i)
        lines << QStringLiteral(R"({"id":"m%1","fetch":"%2"})")
                         .arg(i)
                         .arg(QString::fromUtf8(
                                 m_server.url("/maybe?key=s" + QByteArray::number(i))));
    QVERIFY(load(writeBatch(QStringLiteral("select.jsonl"), lines)));
    m_server.setFailing(true);
    QVERIFY(runToEnd(m_window->action(MainWindow::Action::Run)));
    QCOMPARE(m_window->progressPanel()->stats().failed, qint64(4));

    // Select m1 and m2 only; retry them.
    QTableView *view = m_window->taskView();
    view->clearSelection();
    view->selectionModel()->select(m_window->taskModel()->index(rowOf(QStringLiteral("m1")), 0),
                                   QItemSelectionModel::Select | QItemSelectionModel::Rows);
    view->selectionModel()->select(m_window->taskModel()->index(rowOf(QStringLiteral("m2")), 0),
                                   QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QCOMPARE(m_window->selectedStoreRows().size(), 2);
    QVERIFY(m_window->action(MainWindow::Action::RetrySelected)->isEnabled());
    m_server.setFailing(false);
    QVERIFY(runToEnd(m_window->action(MainWindow::Action::RetrySelected)));
    QCOMPARE(cell(rowOf(QStringLiteral("m0")), TaskColumn::Status), QStringLiteral("Failed"));
    QCOMPARE(cell(rowOf(QStringLiteral("m1")), TaskColumn::Status), QStringLiteral("Succeeded"));
    QCOMPARE(cell(rowOf(QStringLiteral("m2")), TaskColumn::Status), QStringLiteral("Succeeded"));
    QCOMPARE(cell(rowOf(QStringLiteral("m3")), TaskColumn::Status), QStringLiteral("Failed"));
    QCOMPARE(m_window->progressPanel()->stats().failed, qint64(2));

    // Copy Rows puts the selected rows on the clipboard as tab-separated text.
    QGuiApplication::clipboard()->clear();
    QVERIFY(m_window->action(MainWindow::Action::Copy)->isEnabled());
    m_window->action(MainWindow::Action::Copy)->trigger();
    QTRY_VERIFY(!QGuiApplication::clipboard()->text().isEmpty());
    const QStringList copied
            = QGuiApplication::clipboard()->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(copied.size(), 3); // header and two rows
    QVERIFY(copied.at(0).startsWith(QLatin1String("ID\tStatus\t")));
    QVERIFY2(copied.at(1).startsWith(QLatin1String("m1\tSucceeded\t1\t")),
             qPrintable(copied.at(1)));
    QVERIFY(copied.at(2).startsWith(QLatin1String("m2\tSucceeded\t")));
}

// Raise Priority from the task menu: the queued task starts before the others, its ID is
// marked with why, and the journal keeps the change for a resume.
void tst_MainWindow::raisedPriorityIsMarkedAndJournaled()
{
    RunSettings s = m_window->runSettings();
    s.workers = 1;
    s.concurrency = 1;
    m_window->setRunSettings(s);
    QStringList lines{QStringLiteral(R"({"id":"hold","fetch":{"delay_ms":4000}})")};
    for (int i = 0; i < 4; ++i)
        lines << QStringLiteral(R"({"id":"q%1","fetch":{"delay_ms":10}})").arg(i);
    QVERIFY(load(writeBatch(QStringLiteral("priority.jsonl"), lines)));
    QAction *raise = m_window->action(MainWindow::Action::RaisePriority);
    QVERIFY(!raise->isEnabled()); // nothing runs yet
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Run)->trigger();
    QTRY_COMPARE(m_window->progressPanel()->stats().running, qint64(1));

    QTableView *view = m_window->taskView();
    view->clearSelection();
    const QModelIndex q3 = m_window->taskModel()->index(rowOf(QStringLiteral("q3")), 0);
    view->selectionModel()->select(q3, QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QTRY_VERIFY(raise->isEnabled());
    raise->trigger();
    QTRY_VERIFY(!m_window->taskModel()->data(q3, Qt::DecorationRole).isNull());
    QVERIFY2(m_window->taskModel()
                     ->data(q3, Qt::ToolTipRole)
                     .toString()
                     .contains(QStringLiteral("(priority changed; the batch had priority 0)")),
             qPrintable(m_window->taskModel()->data(q3, Qt::ToolTipRole).toString()));
    QVERIFY(finished.wait(30000));
    QCOMPARE(m_window->progressPanel()->stats().succeeded, qint64(5));
    // q3 ran right after the task that held the worker, before q0.
    TaskTableModel *model = m_window->taskModel();
    const auto doneAt = [&](const QString &id) {
        return m_window->store()
                ->state(model->data(model->index(rowOf(id), 0), TaskTableModel::StoreRowRole)
                                .toInt())
                .finishedAtMs;
    };
    QVERIFY(doneAt(QStringLiteral("q3")) < doneAt(QStringLiteral("q0")));

    // The journal is built on its own thread and renamed into place when complete, which
    // can come after the run's end on a busy machine: wait for it and for the edit in it.
    QList<JournalEdit> edits;
    QString error;
    const auto readEdits = [&] {
        Journal journal;
        if (!journal.open(m_window->journalPath(), &error))
            return false;
        edits = journal.edits(&error);
        return error.isEmpty() && !edits.isEmpty();
    };
    QTRY_VERIFY2_WITH_TIMEOUT(readEdits(), qPrintable(error), 20000);
    QCOMPARE(edits.size(), 1);
    QVERIFY2(edits.first().change.contains("\"priority_delta\":10"), edits.first().change);
}

void tst_MainWindow::pauseResumeCancel()
{
    QStringList lines;
    for (int i = 0; i < 30; ++i)
        lines << QStringLiteral(R"({"id":"slow-%1","fetch":{"delay_ms":2500}})").arg(i);
    QVERIFY(load(writeBatch(QStringLiteral("slow.jsonl"), lines)));
    QAction *run = m_window->action(MainWindow::Action::Run);
    QAction *pause = m_window->action(MainWindow::Action::Pause);
    QAction *resume = m_window->action(MainWindow::Action::Resume);
    QAction *cancel = m_window->action(MainWindow::Action::Cancel);
    QVERIFY(!pause->isEnabled());
    QVERIFY(!cancel->isEnabled());

    QSignalSpy started(m_window.get(), &MainWindow::runStarted);
    run->trigger();
    QTRY_COMPARE(started.count(), 1); // as soon as the session starts the job
    QVERIFY(!run->isEnabled());
    QTRY_VERIFY(m_window->progressPanel()->stats().running > 0);
    QVERIFY(pause->isEnabled());
    QVERIFY(!resume->isEnabled());

    pause->trigger();
    QVERIFY(!pause->isEnabled());
    QVERIFY(resume->isEnabled());
    QTRY_VERIFY(m_window->progressPanel()->stats().paused);
    resume->trigger();
    QTRY_VERIFY(!m_window->progressPanel()->stats().paused);
    QVERIFY(pause->isEnabled());

    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    cancel->trigger();
    QVERIFY(finished.wait(10000));
    const RunStats stats = finished.first().first().value<RunStats>();
    QCOMPARE(stats.cancelled, qint64(30));
    QCOMPARE(cell(0, TaskColumn::Status), QStringLiteral("Cancelled"));
    // Cancelled is not done: neither in the words nor in the bar, which stays empty.
    auto *done = m_window->progressPanel()->findChild<QLabel *>(QStringLiteral("runDone"));
    QVERIFY(done);
    QTRY_VERIFY2(done->text().contains(QStringLiteral("0 of 30 done · 30 cancelled")),
                 qPrintable(done->text()));
    QWidget *bar
            = m_window->progressPanel()->findChild<QWidget *>(QStringLiteral("runProgressBar"));
    QVERIFY(bar);
    const QImage barImage = bar->grab().toImage();
    const QColor middle = barImage.pixelColor(barImage.width() / 2, barImage.height() / 2);
    QVERIFY2(middle != StatusStyle::color(TaskStatus::Cancelled), qPrintable(middle.name()));
    QVERIFY(!cancel->isEnabled());
    QVERIFY(run->isEnabled());

    // Run again: what was cancelled is what runs.
    QVERIFY(runToEnd(run));
    QCOMPARE(m_window->progressPanel()->stats().succeeded, qint64(30));
}

void tst_MainWindow::badBatchShowsItsErrors()
{
    const QString path = writeBatch(QStringLiteral("bad.jsonl"),
                                    {R"({"id":"good-1","compute":{"op":"sum_to","n":10}})",
                                     R"({"id":"broken", "fetch": )",
                                     R"({"id":"bad-op","compute":{"op":"nope"}})",
                                     R"({"id":"good-2","fetch":{"delay_ms":-5}})",
                                     R"({"id":"good-3","fetch":{"delay_ms":1}})"});
    QVERIFY(load(path));
    const QStringList problems = m_window->batchSummary()->problems();
    QCOMPARE(problems.size(), 3);
    // file:line:column: message, for each bad line.
    QVERIFY2(problems.at(0).startsWith(path + QStringLiteral(":2:")), qPrintable(problems.at(0)));
    QVERIFY2(problems.at(1).startsWith(path + QStringLiteral(":3:")), qPrintable(problems.at(1)));
    QVERIFY2(problems.at(2).startsWith(path + QStringLiteral(":4:")), qPrintable(problems.at(2)));
    for (const QString &p : problems)
        QVERIFY2(QRegularExpression(QStringLiteral(R"(^.*:\d+:\d+: .+)")).match(p).hasMatch(),
                 qPrintable(p));
    QVERIFY(problems.at(2).contains(QLatin1String("delay_ms")));

    // The valid tasks can still run.
    QCOMPARE(m_window->taskModel()->rowCount(), 2);
    QVERIFY(runToEnd(m_window->action(MainWindow::Action::Run)));
    QCOMPARE(m_window->progressPanel()->stats().succeeded, qint64(2));
}

void tst_MainWindow::unreadableFileSaysWhy()
{
    QSignalSpy failed(m_window.get(), &MainWindow::loadFailed);
    m_window->openBatch(m_dir.filePath(QStringLiteral("does-not-exist.jsonl")));
    QVERIFY(failed.wait(10000));
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(QLatin1String("does-not-exist.jsonl")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("No such file")), qPrintable(message));
    QVERIFY(!message.contains(QLatin1String("cannot open:"))); // words, not an error code
    QVERIFY(!m_window->store());
    QVERIFY(!m_window->action(MainWindow::Action::Run)->isEnabled());
}

void tst_MainWindow::cancelLoading()
{
    QStringList lines;
    lines.reserve(200000);
    for (int i = 0; i < 200000; ++i)
        lines << QStringLiteral(R"({"id":"t%1","compute":{"op":"sum_to","n":%1}})").arg(i);
    const QString path = writeBatch(QStringLiteral("big.jsonl"), lines);
    QSignalSpy cancelled(m_window.get(), &MainWindow::loadCancelled);
    QSignalSpy loaded(m_window.get(), &MainWindow::batchLoaded);
    m_window->openBatch(path);
    auto *cancel = m_window->findChild<QPushButton *>(QStringLiteral("cancelLoadButton"));
    QVERIFY(cancel);
    QVERIFY(cancel->isVisible());
    cancel->click(); // before the parser thread looks at its flag for the first time
    QVERIFY(cancelled.wait(20000));
    QCOMPARE(loaded.count(), 0);
    QVERIFY(!m_window->store());

    // The same file loads when left alone, without blocking the event loop for long.
    QVERIFY(load(path));
    QCOMPARE(m_window->taskModel()->rowCount(), 200000);
}

void tst_MainWindow::settingsAreRemembered()
{
    RunSettings s = m_window->runSettings();
    s.concurrency = 77;
    s.maxAttempts = 5;
    s.timeoutMs = 1234;
    m_window->setRunSettings(s);
    m_window.reset();
    m_window = std::make_unique<MainWindow>();
    QCOMPARE(m_window->runSettings().concurrency, 77);
    QCOMPARE(m_window->runSettings().maxAttempts, 5);
    QCOMPARE(m_window->runSettings().timeoutMs, quint32(1234));
    QCOMPARE(m_window->runSettings().workers, 2);
}

void tst_MainWindow::recentFilesAreRemembered()
{
    const QString path
            = writeBatch(QStringLiteral("recent.jsonl"), {R"({"id":"a","fetch":{"delay_ms":1}})"});
    QVERIFY(load(path));
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    QVERIFY(!recent.isEmpty());
    QCOMPARE(recent.first(), QFileInfo(path).absoluteFilePath());
}

void tst_MainWindow::runIsJournalledAndResumable()
{
    // 6 computes that succeed and 2 fetches that fail while the server fails.
    QStringList lines;
    for (int i = 0; i < 6; ++i)
        lines << QStringLiteral(R"({"id":"sum-%1","compute":{"op":"sum_to","n":%2}})")
                         .arg(i)
                         .arg(i * 100);
    for (int i = 0; i < 2; ++i)
        lines << QStringLiteral(R"({"id":"maybe-%1","fetch":"%2"})")
                         .arg(i)
                         .arg(QString::fromUtf8(
                                 m_server.url("/maybe?key=j" + QByteArray::number(i))));
    const QString batchPath = writeBatch(QStringLiteral("journalled.jsonl"), lines);
    QVERIFY(load(batchPath));
    QVERIFY(m_window->journalPath().isEmpty());
    m_server.setFailing(true);
    QVERIFY(runToEnd(m_window->action(MainWindow::Action::Run)));
    QCOMPARE(m_window->progressPanel()->stats().succeeded, qint64(6));
    QCOMPARE(m_window->progressPanel()->stats().failed, qint64(2));

    // The journal was created for the run and is shown in the status bar.
    const QString journalPath = m_window->journalPath();
    QVERIFY(!journalPath.isEmpty());
    QVERIFY(QFileInfo::exists(journalPath));
    QVERIFY(m_window->journalLabel()->isVisible());
    QVERIFY(m_window->journalLabel()->text().contains(QFileInfo(journalPath).fileName()));
    QVERIFY(m_window->journalLabel()->toolTip().contains(QStringLiteral("crash")));

    // Restoring it gives the window's finished results.
    const std::shared_ptr<TaskStore> shown = m_window->store();
    QVector<int> failedRows;
    {
        Journal journal;
        QString error;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        const QByteArray data = journal.batchData(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        TaskStore restored(BatchParser::parseData(data, journal.batchPath()).tasks);
        QVector<int> order;
        QVERIFY2(journal.restore(restored, &error, &order), qPrintable(error));
        QCOMPARE(restored.size(), shown->size());
        QCOMPARE(order.size(), shown->size());
        for (int row = 0; row < shown->size(); ++row) {
            QCOMPARE(restored.state(row).status, shown->state(row).status);
            QCOMPARE(restored.state(row).result, shown->state(row).result);
        }
        failedRows = restored.rowsWithStatus(TaskStatus::Failed);
        QCOMPARE(failedRows.size(), 2);
        // As if the run had crashed before the failed tasks finished again.
        QVERIFY2(journal.appendReset(failedRows, &error), qPrintable(error));
    }
    const QByteArray firstResult = shown->state(0).result;

    // Open the journal in a new window: the finished results come back, and the window
    // offers to resume the rest (answered Yes by the hook).
    m_window.reset();
    init();
    m_server.setFailing(false);
    m_window->setResumeAnswer(MainWindow::ResumeAnswer::Yes);
    QSignalSpy offered(m_window.get(), &MainWindow::resumeOffered);
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    QVERIFY(load(journalPath));
    QCOMPARE(m_window->journalPath(), journalPath);
    QCOMPARE(m_window->store()->size(), lines.size());
    QCOMPARE(m_window->store()->counts()[TaskStatus::Succeeded], qint64(6));
    QCOMPARE(m_window->store()->state(0).result, firstResult);
    QCOMPARE(cell(rowOf(QStringLiteral("sum-0")), TaskColumn::Status), QStringLiteral("Succeeded"));
    QVERIFY(offered.wait(10000));
    QCOMPARE(offered.first().at(0).toLongLong(), qint64(2));
    QCOMPARE(offered.first().at(1).toBool(), true);
    QVERIFY(finished.wait(30000));
    QCOMPARE(m_window->store()->counts()[TaskStatus::Succeeded], qint64(8));

    // The resumed run was recorded in the same journal.
    {
        Journal journal;
        QString error;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        TaskStore restored(
                BatchParser::parseData(journal.batchData(&error), journal.batchPath()).tasks);
        QVERIFY2(journal.restore(restored, &error), qPrintable(error));
        QCOMPARE(restored.counts()[TaskStatus::Succeeded], qint64(8));
    }

    // Declining the offer leaves the restored table as it is; Run resumes later.
    {
        Journal journal;
        QString error;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        QVERIFY2(journal.appendReset(failedRows, &error), qPrintable(error));
    }
    m_window.reset();
    init();
    m_window->setResumeAnswer(MainWindow::ResumeAnswer::No);
    QSignalSpy declined(m_window.get(), &MainWindow::resumeOffered);
    QVERIFY(load(journalPath));
    QVERIFY(declined.wait(10000));
    QCOMPARE(declined.first().at(1).toBool(), false);
    QVERIFY(!m_window->isRunning());
    QCOMPARE(m_window->store()->counts()[TaskStatus::Queued], qint64(2));
    QCOMPARE(m_window->progressPanel()->stats().succeeded, qint64(6));
    QVERIFY(runToEnd(m_window->action(MainWindow::Action::Run)));
    QCOMPARE(m_window->store()->counts()[TaskStatus::Succeeded], qint64(8));
    QCOMPARE(m_window->journalPath(), journalPath);
}

// Opening a batch whose last run stopped early (here: cancelled) offers to continue that
// run from its journal; Start Over keeps the fresh batch; once finished, nothing is offered.
void tst_MainWindow::reopenedBatchOffersItsUnfinishedRun()
{
    QStringList lines;
    for (int i = 0; i < 40; ++i)
        lines << QStringLiteral(
                         R"({"id":"again-%1","fetch":{"delay_ms":%2},"compute":{"op":"sum_to","n":%1}})")
                         .arg(i)
                         .arg(i < 10 ? 0 : 3000);
    const QString batch = writeBatch(QStringLiteral("again.jsonl"), lines);
    QVERIFY(load(batch));
    QSignalSpy stopped(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Run)->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->progressPanel()->stats().succeeded, qint64(10), 20000);
    m_window->action(MainWindow::Action::Cancel)->trigger();
    QVERIFY(stopped.wait(10000));
    const QString journal = m_window->journalPath();
    QVERIFY(!journal.isEmpty());

    // A new window, as after a restart. Start Over: the fresh batch, nothing restored.
    m_window.reset();
    init();
    m_window->setResumeAnswer(MainWindow::ResumeAnswer::No);
    QSignalSpy declined(m_window.get(), &MainWindow::earlierRunOffered);
    QVERIFY(load(batch));
    QVERIFY(declined.wait(10000));
    QCOMPARE(declined.first().at(0).toString(), journal);
    QCOMPARE(declined.first().at(1).toLongLong(), qint64(30));
    QCOMPARE(declined.first().at(2).toBool(), false);
    QVERIFY(m_window->journalPath().isEmpty());
    QCOMPARE(m_window->store()->counts()[TaskStatus::Queued], qint64(40));
    QVERIFY(!m_window->isRunning());

    // Continue Run: the journal's ten results come back and only the other thirty run.
    m_window.reset();
    init();
    m_window->setResumeAnswer(MainWindow::ResumeAnswer::Yes);
    QSignalSpy offered(m_window.get(), &MainWindow::earlierRunOffered);
    QSignalSpy resumed(m_window.get(), &MainWindow::resumeOffered);
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    QVERIFY(load(batch));
    QVERIFY(offered.wait(10000));
    QCOMPARE(offered.first().at(2).toBool(), true);
    QVERIFY(resumed.wait(20000));
    QCOMPARE(resumed.first().at(0).toLongLong(), qint64(30));
    QVERIFY(finished.wait(60000));
    QCOMPARE(m_window->journalPath(), journal);
    QCOMPARE(m_window->store()->counts()[TaskStatus::Succeeded], qint64(40));
    const RunStats stats = finished.first().first().value<RunStats>();
    QCOMPARE(stats.succeeded, qint64(40));
    QCOMPARE(m_window->store()->state(m_window->store()->rowOf(QStringLiteral("again-3"))).attempts,
             quint16(1));

    // That run finished: opening the batch again offers nothing.
    m_window.reset();
    init();
    m_window->setResumeAnswer(MainWindow::ResumeAnswer::Yes);
    QSignalSpy none(m_window.get(), &MainWindow::earlierRunOffered);
    QVERIFY(load(batch));
    QCoreApplication::processEvents(); // the offer, if any, is queued right after the load
    QCOMPARE(none.count(), 0);
    QVERIFY(m_window->journalPath().isEmpty());
}

void tst_MainWindow::defaultSizeShowsEveryColumnAndWhyATaskFailed()
{
    // The window as a new user first sees it: no size remembered, the screen's default.
    m_window.reset();
    QSettings().remove(QStringLiteral("window"));
    m_window = std::make_unique<MainWindow>();
    m_window->setRunSettings(Test::windowTestRunSettings(m_window->runSettings()));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    const QRect screen = m_window->screen()->availableGeometry();
    QVERIFY2(m_window->width() <= screen.width() && m_window->height() <= screen.height(),
             qPrintable(QStringLiteral("%1x%2 on %3x%4, at least %5x%6")
                                .arg(m_window->width())
                                .arg(m_window->height())
                                .arg(screen.width())
                                .arg(screen.height())
                                .arg(m_window->minimumSizeHint().width())
                                .arg(m_window->minimumSizeHint().height())));

    QStringList lines;
    for (int i = 0; i < 3; ++i)
        lines << QStringLiteral(R"({"id":"ok-%1","fetch":"%2"})")
                         .arg(i)
                         .arg(QString::fromUtf8(m_server.url("/status?code=200")));
    lines << QStringLiteral(R"({"id":"missing","fetch":"%1","max_attempts":1})")
                     .arg(QString::fromUtf8(m_server.url("/status?code=404")));
    QVERIFY(load(writeBatch(QStringLiteral("sizes.jsonl"), lines)));
    QVERIFY(runToEnd(m_window->action(MainWindow::Action::Run)));

    // Every column shows its whole title, none needs scrolling sideways, and the error
    // column (the last, stretching) has room for the error.
    QTableView *table = m_window->taskView();
    QHeaderView *header = table->horizontalHeader();
    const QFontMetrics heads = header->fontMetrics();
    TaskTableModel *model = m_window->taskModel();
    for (int c = 0; c < model->columnCount(); ++c) {
        if (table->isColumnHidden(c))
            continue;
        const QString title = model->headerData(c, Qt::Horizontal).toString();
        QVERIFY2(header->sectionSize(c) > heads.horizontalAdvance(title),
                 qPrintable(QStringLiteral("%1: %2 px").arg(title).arg(header->sectionSize(c))));
    }
    QString widths;
    for (int c = 0; c < model->columnCount(); ++c)
        widths += QStringLiteral(" %1").arg(table->isColumnHidden(c) ? 0 : header->sectionSize(c));
    QTRY_VERIFY2(
            table->horizontalScrollBar()->maximum() == 0,
            qPrintable(QStringLiteral("%1 px:%2").arg(table->viewport()->width()).arg(widths)));
    const int row = rowOf(QStringLiteral("missing"));
    QVERIFY(row >= 0);
    const QString error = cell(row, TaskColumn::Error);
    QVERIFY2(error.contains(QLatin1String("404")), qPrintable(error));
    QVERIFY2(header->sectionSize(int(TaskColumn::Error))
                     > table->fontMetrics().horizontalAdvance(error),
             qPrintable(QStringLiteral("%1 px for \"%2\"")
                                .arg(header->sectionSize(int(TaskColumn::Error)))
                                .arg(error)));

    // Selected, the failed task says why at the top of its details, in sight.
    table->setCurrentIndex(model->index(row, 0));
    TaskDetailsView *details = m_window->detailsView();
    QTRY_VERIFY(details->toPlainText().contains(QLatin1String("Failed:")));
    QVERIFY(details->isVisible());
    const qsizetype at = details->toPlainText().indexOf(QLatin1String("Failed:"));
    QTextCursor cursor(details->document());
    cursor.setPosition(int(at));
    QVERIFY2(details->cursorRect(cursor).bottom() < details->viewport()->height(),
             qPrintable(QStringLiteral("at %1 of %2 px")
                                .arg(details->cursorRect(cursor).bottom())
                                .arg(details->viewport()->height())));

    // The status bar's journal names the file, not a path that crowds out the messages.
    QLabel *journal = m_window->journalLabel();
    QVERIFY(journal->isVisible());
    QVERIFY2(journal->width() < m_window->statusBar()->width() / 2, qPrintable(journal->text()));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
