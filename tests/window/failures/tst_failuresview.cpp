// The Failures dock in the real window: failures of real runs grouped by cause, with their
// counts and examples; retrying a group turns its tasks into successes against the local
// test server; stopping the retries of a group ends the run; a group exported as a batch.
#include "TestFiles.h"
#include "TestHttpServer.h"
#include "batch/BatchParser.h"
#include "journal/Journal.h"
#include "session/RunSession.h"
#include "window/MainWindow.h"
#include "window/failures/FailureGroupsModel.h"
#include "window/failures/FailuresView.h"
#include "window/failures/RetryChangesDialog.h"
#include "window/notify/RunEndNotifier.h"
#include "window/tasks/TaskDetailsView.h"
#include "window/tasks/TaskRunView.h"
#include "window/tasks/TaskTableModel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Brigade;

class tst_FailuresView : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void groupsRetryAndExport();
    void stopRetrying();
    void retryWithChangesToAMirror();
    void skipEndsTheRun();
    void notificationClickShowsTheFailures();

private:
    QString writeBatch(const QString &name, const QStringList &lines);
    bool load(const QString &path);
    int groupRow(const QString &causeContains) const;
    // Runs flaky tasks that fail and wait a minute to retry, and a fine one, until the
    // flaky ones all wait to retry (one failure group).
    void startRetryingRun(const QString &name, int flaky);
    FailuresView *view() const { return m_window->failuresView(); }

    QTemporaryDir m_dir;
    Test::TestHttpServer m_server;
    std::unique_ptr<MainWindow> m_window;
};

void tst_FailuresView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("BrigadeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_failuresview"));
    QSettings().clear();
    QDir(Journal::defaultDirectory()).removeRecursively();
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
}

void tst_FailuresView::init()
{
    m_window = std::make_unique<MainWindow>();
    RunSettings s = m_window->runSettings();
    s.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    s.workers = 2;
    s.maxAttempts = 2;
    s.retry.baseDelayMs = 10;
    s.retry.maxDelayMs = 20;
    s.seed = 1;
    s.timeoutMs = 0;
    m_window->setRunSettings(s);
    m_window->resize(1400, 900);
    m_window->show();
    m_window->failuresDock()->show();
    m_window->failuresDock()->raise();
    m_server.setFailing(false);
}

void tst_FailuresView::cleanup()
{
    m_window.reset();
}

QString tst_FailuresView::writeBatch(const QString &name, const QStringList &lines)
{
    return Test::writeTestFile(m_dir, name, lines.join(QLatin1Char('\n')).toUtf8() + '\n');
}

bool tst_FailuresView::load(const QString &path)
{
    QSignalSpy loaded(m_window.get(), &MainWindow::batchLoaded);
    m_window->openBatch(path);
    return loaded.wait(20000);
}

int tst_FailuresView::groupRow(const QString &causeContains) const
{
    FailureGroupsModel *model = view()->model();
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->data(model->index(r, FailureGroupsModel::Cause))
                    .toString()
                    .contains(causeContains))
            return r;
    }
    return -1;
}

void tst_FailuresView::startRetryingRun(const QString &name, int flaky)
{
    RunSettings s = m_window->runSettings();
    s.maxAttempts = 50;
    s.retry.baseDelayMs = 60000;
    s.retry.maxDelayMs = 60000;
    m_window->setRunSettings(s);
    QStringList lines;
    for (int i = 0; i < flaky; ++i)
        lines << QStringLiteral(R"({"id":"flaky-%1","fetch":{"delay_ms":1,"fail_rate":1}})").arg(i);
    lines << QStringLiteral(R"({"id":"fine","compute":{"op":"sum_to","n":3}})");
    QVERIFY(load(writeBatch(name, lines)));
    m_window->action(MainWindow::Action::Run)->trigger();
    FailureGroupsModel *model = view()->model();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 1 && model->group(0).retrying == flaky, 20000);
}

void tst_FailuresView::groupsRetryAndExport()
{
    // 8 fetches that fail while the server fails (HTTP 500), 5 simulated network failures,
    // 10 that succeed.
    QStringList lines;
    lines << QStringLiteral(R"({"defaults":{"max_attempts":2}})");
    for (int i = 0; i < 8; ++i)
        lines << QStringLiteral(R"({"id":"maybe-%1","fetch":"%2"})")
                         .arg(i)
                         .arg(QString::fromUtf8(
                                 m_server.url("/maybe?key=k" + QByteArray::number(i))));
    for (int i = 0; i < 5; ++i)
        lines << QStringLiteral(R"({"id":"net-%1","fetch":{"delay_ms":%2,"fail_rate":1}})")
                         .arg(i)
                         .arg(5 + i);
    for (int i = 0; i < 10; ++i)
        lines << QStringLiteral(R"({"id":"ok-%1","compute":{"op":"sum_to","n":%2}})").arg(i).arg(i);
    const QString batch = writeBatch(QStringLiteral("failing.jsonl"), lines);
    QVERIFY(load(batch));
    m_server.setFailing(true);
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Run)->trigger();
    QVERIFY(finished.wait(60000));

    // Two groups, most tasks first: 8 HTTP 500s (one group though the URLs differ), 5
    // simulated network failures (one group though the waits differ).
    FailureGroupsModel *model = view()->model();
    QTRY_COMPARE(model->rowCount(), 2);
    const int http = groupRow(QStringLiteral("500"));
    const int net = groupRow(QStringLiteral("simulated failure"));
    QCOMPARE(http, 0);
    QCOMPARE(net, 1);
    QCOMPARE(model->group(http).tasks(), qint64(8));
    QCOMPARE(model->group(http).attempts, qint64(16));
    QCOMPARE(model->group(net).tasks(), qint64(5));
    QVERIFY(model->data(model->index(http, FailureGroupsModel::Example))
                    .toString()
                    .startsWith(QStringLiteral("maybe-")));
    QCOMPARE(model->data(model->index(http, FailureGroupsModel::Tasks)).toString(),
             QStringLiteral("8"));
    QVERIFY(!model->data(model->index(http, FailureGroupsModel::Hosts)).toString().isEmpty());
    QVERIFY(!model->data(model->index(http, FailureGroupsModel::When),
                         FailureGroupsModel::HistogramRole)
                     .value<QVector<quint32>>()
                     .isEmpty());
    // The sparklines share one time axis: up to the last bucket any group has, so a short
    // run is spread over the column rather than drawn in its first pixels.
    int lastUsed = 0;
    for (int r = 0; r < model->rowCount(); ++r) {
        const auto histogram = model->group(r).histogram;
        for (int i = 0; i < histogram.size(); ++i)
            lastUsed = histogram[i] ? qMax(lastUsed, i + 1) : lastUsed;
    }
    for (int r = 0; r < model->rowCount(); ++r)
        QCOMPARE(model->data(model->index(r, FailureGroupsModel::When),
                             FailureGroupsModel::BucketsShownRole)
                         .toInt(),
                 qMax(int(FailureGroupsModel::MinBucketsShown), lastUsed));
    QVERIFY2(view()->summaryLabel()->text().contains(QStringLiteral("13 failed tasks in 2 groups")),
             qPrintable(view()->summaryLabel()->text()));

    // Export the network group as a batch of its own: its 5 tasks, as written.
    QSignalSpy found(m_window->session(), &RunSession::failureRowsFound);
    m_window->session()->findFailureRows(model->group(net).ids);
    QVERIFY(found.wait(10000));
    const QVector<int> netRows = found.last().at(1).value<QVector<int>>();
    QCOMPARE(netRows.size(), 5);
    QSignalSpy exported(m_window.get(), &MainWindow::failedBatchExported);
    const QString out = m_dir.filePath(QStringLiteral("net.jsonl"));
    m_window->exportFailedBatchTo(netRows, out);
    QVERIFY(exported.wait(10000));
    QCOMPARE(exported.last().at(1).toLongLong(), qint64(5));
    const Batch again = BatchParser::parseFile(out);
    QVERIFY(!again.hasErrors());
    QCOMPARE(again.tasks.size(), 5);
    QCOMPARE(again.tasks[0].id, QStringLiteral("net-0"));
    QCOMPARE(again.tasks[0].shape->maxAttempts, quint16(2)); // the defaults came along

    // Retry the HTTP group once the server is well: its tasks succeed, the group empties.
    m_server.setFailing(false);
    view()->table()->selectRow(http);
    view()->button(FailuresView::Action::Retry)->click();
    QVERIFY(finished.wait(60000));
    const StatusCounts counts = m_window->store()->counts();
    QCOMPARE(counts[TaskStatus::Succeeded], qint64(18));
    QCOMPARE(counts[TaskStatus::Failed], qint64(5));
    QTRY_VERIFY(groupRow(QStringLiteral("500")) < 0
                || model->group(groupRow(QStringLiteral("500"))).tasks() == 0);
    QCOMPARE(model->group(groupRow(QStringLiteral("simulated failure"))).tasks(), qint64(5));
}

void tst_FailuresView::stopRetrying()
{
    // Tasks that fail again and again with a long backoff: they wait to retry until the
    // Failures view gives up on them.
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    startRetryingRun(QStringLiteral("retrying.jsonl"), 4);
    if (QTest::currentTestFailed())
        return;
    FailureGroupsModel *model = view()->model();
    QTRY_VERIFY(view()->button(FailuresView::Action::StopRetrying)->isEnabled());
    QVERIFY(model->data(model->index(0, FailureGroupsModel::Tasks))
                    .toString()
                    .contains(QStringLiteral("4 retrying")));
    view()->button(FailuresView::Action::StopRetrying)->click();
    QVERIFY(finished.wait(20000));
    const StatusCounts counts = m_window->store()->counts();
    QCOMPARE(counts[TaskStatus::Cancelled], qint64(4));
    QCOMPARE(counts[TaskStatus::Succeeded], qint64(1));
}

void tst_FailuresView::retryWithChangesToAMirror()
{
    // Fetches from a host where nothing listens fail; Retry with Changes moves their group
    // to the test server (a mirror) with a header, and they succeed.
    RunSettings s = m_window->runSettings();
    s.maxAttempts = 1;
    m_window->setRunSettings(s);
    QStringList lines;
    for (int i = 0; i < 3; ++i)
        lines << QStringLiteral("{\"id\":\"dead-%1\",\"fetch\":\"%2\"}")
                         .arg(i)
                         .arg(QStringLiteral("http://127.0.0.1:1/maybe?key=d%1").arg(i));
    lines << QStringLiteral(R"({"id":"fine","compute":{"op":"sum_to","n":3}})");
    QVERIFY(load(writeBatch(QStringLiteral("mirror.jsonl"), lines)));
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Run)->trigger();
    QVERIFY(finished.wait(60000));
    FailureGroupsModel *model = view()->model();
    QTRY_COMPARE(model->rowCount(), 1);
    QCOMPARE(model->group(0).tasks(), qint64(3));

    view()->table()->selectRow(0);
    QPushButton *retry = view()->button(FailuresView::Action::RetryWithSettings);
    QCOMPARE(retry->text(), QStringLiteral("Retry with Changes…"));
    retry->click();
    RetryChangesDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<RetryChangesDialog *>()) && dialog->isVisible());
    QPushButton *ok = dialog->buttons()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled()); // nothing changed yet
    dialog->hostEdit()->setText(QStringLiteral("mirror/path"));
    QVERIFY(!ok->isEnabled());
    QVERIFY2(dialog->problemLabel()->text().contains(QStringLiteral("not a host")),
             qPrintable(dialog->problemLabel()->text()));
    dialog->hostEdit()->setText(QStringLiteral("127.0.0.1:%1").arg(m_server.port()));
    dialog->headerEdit()->setText(QStringLiteral("X-Brigade-Test: window"));
    dialog->timeoutBox()->setValue(20000);
    QVERIFY(ok->isEnabled());
    QVERIFY2(dialog->problemLabel()->text().contains(QStringLiteral("header X-Brigade-Test")),
             qPrintable(dialog->problemLabel()->text()));
    ok->click();
    QVERIFY(finished.wait(60000));
    QCOMPARE(m_window->store()->counts()[TaskStatus::Succeeded], qint64(4));
    QCOMPARE(m_server.hits("/maybe?key=d1"), 1);
    QVERIFY(m_server.lastRequestHead().contains("X-Brigade-Test: window"));
    const int row = m_window->store()->rowOf(QStringLiteral("dead-1"));
    QCOMPARE(m_window->store()->currentShape(row)->fetch.url, m_server.url("/maybe?key=d1"));

    // The table marks the changed tasks and says what they fetch now and what the batch had;
    // an unchanged task has no mark.
    TaskTableModel *tasks = m_window->taskModel();
    const auto indexOf = [tasks](const QString &id) {
        for (int r = 0; r < tasks->rowCount(); ++r) {
            const QModelIndex i = tasks->index(r, int(TaskColumn::Id));
            if (i.data().toString() == id)
                return i;
        }
        return QModelIndex();
    };
    const QModelIndex changed = indexOf(QStringLiteral("dead-1"));
    QVERIFY(changed.isValid());
    QVERIFY(!changed.data(Qt::DecorationRole).value<QIcon>().isNull());
    QVERIFY(indexOf(QStringLiteral("fine")).data(Qt::DecorationRole).isNull());
    const QString tip = changed.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QString::fromUtf8(m_server.url("/maybe?key=d1"))), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("(changed by Retry with Changes; the batch had fetch "
                                         "http://127.0.0.1:1/maybe?key=d1, other headers, "
                                         "timeout of the run)")),
             qPrintable(tip));
    // The details show the shape it runs with, and the batch's beside it.
    const QString details = TaskDetailsView::html(*m_window->store(), row, m_window->palette());
    QVERIFY2(details.contains(QStringLiteral("X-Brigade-Test: window")), qPrintable(details));
    QVERIFY2(details.contains(QStringLiteral("Changed by Retry with Changes; the batch had:")),
             qPrintable(details));
    const qsizetype was = details.indexOf(QStringLiteral("the batch had:"));
    QVERIFY(details.indexOf(QString::fromUtf8(m_server.url("/maybe?key=d1")).toHtmlEscaped())
            < was);
    QVERIFY(details.indexOf(QStringLiteral("http://127.0.0.1:1/maybe?key=d1")) > was);
    const int fine = m_window->store()->rowOf(QStringLiteral("fine"));
    QVERIFY(!TaskDetailsView::html(*m_window->store(), fine, m_window->palette())
                     .contains(QStringLiteral("the batch had")));
}

void tst_FailuresView::skipEndsTheRun()
{
    // Tasks that fail and wait a minute to retry: skipped with a reason from the Failures
    // view, the run ends at once, with them skipped (not failed, not cancelled).
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    startRetryingRun(QStringLiteral("skipping.jsonl"), 3);
    if (QTest::currentTestFailed())
        return;
    FailureGroupsModel *model = view()->model();
    view()->button(FailuresView::Action::Skip)->click();
    QInputDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<QInputDialog *>(QStringLiteral("skipReasonDialog")))
                && dialog->isVisible());
    QVERIFY(dialog->labelText().contains(QStringLiteral("3 tasks")));
    dialog->setTextValue(QStringLiteral("the service is retired"));
    dialog->accept();
    QVERIFY(finished.wait(20000));
    const StatusCounts counts = m_window->store()->counts();
    QCOMPARE(counts[TaskStatus::Skipped], qint64(3));
    QCOMPARE(counts[TaskStatus::Succeeded], qint64(1));
    QCOMPARE(counts[TaskStatus::Cancelled], qint64(0));
    const int row = m_window->store()->rowOf(QStringLiteral("flaky-1"));
    QCOMPARE(m_window->store()->state(row).message, QStringLiteral("the service is retired"));
    QTRY_VERIFY(model->rowCount() == 0 || model->group(0).tasks() == 0);
}

void tst_FailuresView::notificationClickShowsTheFailures()
{
    // A run with failures ended while the person looked elsewhere: clicking its notification
    // brings the window back on the Failures dock, the table showing the failed tasks.
    RunSettings s = m_window->runSettings();
    s.maxAttempts = 1;
    m_window->setRunSettings(s);
    const QStringList lines{
            QStringLiteral("{\"id\":\"gone\",\"fetch\":\"file:///nonexistent/brigade-notified\"}"),
            QStringLiteral(R"({"id":"fine","compute":{"op":"sum_to","n":3}})")};
    QVERIFY(load(writeBatch(QStringLiteral("notified.jsonl"), lines)));
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Run)->trigger();
    QVERIFY(finished.wait(60000));
    m_window->timelineDock()->show();
    m_window->timelineDock()->raise(); // tabbed with the Failures dock: it hides it
    QTRY_VERIFY(m_window->failuresDock()->visibleRegion().isEmpty());
    QComboBox *filter = m_window->taskRunView()->statusFilter();
    QCOMPARE(filter->currentData().toInt(), -1); // every status

    // A click on a notification of a clean run raises the window and changes nothing else.
    emit m_window->runEndNotifier()->activated(false);
    QVERIFY(m_window->failuresDock()->visibleRegion().isEmpty());
    QCOMPARE(filter->currentData().toInt(), -1);

    emit m_window->runEndNotifier()->activated(true);
    QTRY_VERIFY(!m_window->failuresDock()->visibleRegion().isEmpty());
    QCOMPARE(filter->currentData().toInt(), int(TaskStatus::Failed));
    QTRY_COMPARE(m_window->taskModel()->rowCount(), 1);
}

QTEST_MAIN(tst_FailuresView)
#include "tst_failuresview.moc"
