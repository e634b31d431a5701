// The window with the user's own code: command and program-call tasks run by real workers,
// driven through the real main window. What a failed command left (exit status, stderr) in
// the details and the table, a running command's stderr arriving live, the question before
// a batch's own code first runs, and a program's log one click from a task.
#include "TestFiles.h"
#include "WindowTestSetup.h"
#include "run/Engine.h"
#include "session/RunSession.h"
#include "window/MainWindow.h"
#include "window/tasks/BatchSummaryView.h"
#include "window/tasks/TaskDetailsView.h"
#include "window/tasks/TaskTableModel.h"
#include "window/usercode/ProgramLogView.h"
#include "window/usercode/UserCodeGate.h"

#include <QAbstractTextDocumentLayout>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>

#include <memory>

using namespace Brigade;

namespace {

const QString Python = QFile::exists(QStringLiteral("/usr/bin/python3"))
                               ? QStringLiteral("/usr/bin/python3")
                               : QStringLiteral("python3");

QString json(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QString execTask(const QString &id, const QStringList &argv)
{
    return json(
            {{"id", id},
             {"compute", QJsonObject{{"op", "exec"}, {"argv", QJsonArray::fromStringList(argv)}}}});
}

} // namespace

class tst_UserCodeWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void failedCommandShowsExitAndStderr();
    void everyAttemptKeepsItsOutput();
    void runningCommandShowsStderrLive();
    void builtInBatchRunsWithoutAsking();
    void declinedBatchRunsNothing();
    void programCallShowsItsOutputAndLog();

private:
    QString writeBatch(const QString &name, const QStringList &lines);
    bool load(const QString &path);
    // Triggers Run; answers the question about the batch's own code with yes.
    bool startAgreeing();
    bool waitFinished(QSignalSpy &finished, int timeoutMs = 60000);
    QString cell(const QString &id, TaskColumn column) const;
    void select(const QString &id);
    QString details() const { return m_window->detailsView()->toPlainText(); }
    int storeRow(const QString &id) const { return m_window->store()->rowOf(id); }

    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void tst_UserCodeWindow::initTestCase()
{
    Test::isolateWindowSettings(QStringLiteral("tst_usercodewindow"));
    QVERIFY(m_dir.isValid());
}

void tst_UserCodeWindow::init()
{
    m_window = std::make_unique<MainWindow>();
    m_window->setRunSettings(Test::windowTestRunSettings(m_window->runSettings()));
    m_window->resize(1200, 800);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_UserCodeWindow::cleanup()
{
    if (m_window && m_window->isRunning()) {
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        m_window->action(MainWindow::Action::Cancel)->trigger();
        QVERIFY(finished.wait(20000));
    }
    m_window.reset();
}

QString tst_UserCodeWindow::writeBatch(const QString &name, const QStringList &lines)
{
    return Test::writeTestFile(m_dir, name, lines.join(QLatin1Char('\n')).toUtf8() + '\n');
}

bool tst_UserCodeWindow::load(const QString &path)
{
    QSignalSpy loaded(m_window.get(), &MainWindow::batchLoaded);
    m_window->openBatch(path);
    return loaded.wait(20000);
}

bool tst_UserCodeWindow::startAgreeing()
{
    UserCodeGate *gate = m_window->userCodeGate();
    QSignalSpy asked(gate, &UserCodeGate::asked);
    QSignalSpy started(m_window.get(), &MainWindow::runStarted);
    m_window->action(MainWindow::Action::Run)->trigger();
    if (asked.count() != 1 || !gate->question() || !gate->question()->isVisible())
        return false;
    auto *yes = gate->question()->findChild<QPushButton *>(QStringLiteral("runUserCode"));
    if (!yes)
        return false;
    QTest::mouseClick(yes, Qt::LeftButton);
    return started.count() == 1 || started.wait(10000);
}

bool tst_UserCodeWindow::waitFinished(QSignalSpy &finished, int timeoutMs)
{
    return finished.count() > 0 || finished.wait(timeoutMs);
}

QString tst_UserCodeWindow::cell(const QString &id, TaskColumn column) const
{
    const TaskTableModel *model = m_window->taskModel();
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->data(model->index(r, int(TaskColumn::Id))).toString() == id)
            return model->data(model->index(r, int(column))).toString();
    }
    return QStringLiteral("<no task %1>").arg(id);
}

void tst_UserCodeWindow::select(const QString &id)
{
    const TaskTableModel *model = m_window->taskModel();
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->data(model->index(r, int(TaskColumn::Id))).toString() == id) {
            m_window->taskView()->setCurrentIndex(model->index(r, 0));
            return;
        }
    }
    QFAIL(qPrintable(QStringLiteral("no task %1").arg(id)));
}

void tst_UserCodeWindow::failedCommandShowsExitAndStderr()
{
    const QString path = writeBatch(
            QStringLiteral("fails.jsonl"),
            {execTask(QStringLiteral("bad"),
                      {QStringLiteral("sh"), QStringLiteral("-c"),
                       QStringLiteral("echo some progress; echo first complaint >&2; "
                                      "echo the real reason >&2; exit 3")}),
             execTask(QStringLiteral("good"), {QStringLiteral("echo"), QStringLiteral("{id}")}),
             execTask(QStringLiteral("crash"), {QStringLiteral("sh"), QStringLiteral("-c"),
                                                QStringLiteral("kill -SEGV $$")})});
    QVERIFY(load(path));
    QTableView *table = m_window->taskView();
    QVERIFY(!table->isColumnHidden(int(TaskColumn::Exit))); // a batch of commands
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    QVERIFY(startAgreeing());
    QVERIFY(waitFinished(finished));

    QCOMPARE(cell(QStringLiteral("bad"), TaskColumn::Status), QStringLiteral("Failed"));
    QCOMPARE(cell(QStringLiteral("bad"), TaskColumn::Exit), QStringLiteral("3"));
    QCOMPARE(cell(QStringLiteral("bad"), TaskColumn::Error),
             QStringLiteral("exit 3: the real reason"));
    QCOMPARE(cell(QStringLiteral("good"), TaskColumn::Exit), QStringLiteral("0"));
    QCOMPARE(cell(QStringLiteral("good"), TaskColumn::Result), QStringLiteral("good")); // unquoted
    QCOMPARE(cell(QStringLiteral("crash"), TaskColumn::Exit), QStringLiteral("SIGSEGV"));

    select(QStringLiteral("bad"));
    const QString text = details();
    // The command as it ran, the exit status, and both tails, stderr in full.
    QVERIFY2(text.contains(QStringLiteral("Command output")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Attempt 1 · exit 3")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("first complaint\nthe real reason")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("some progress")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("sh -c 'echo some progress;")), qPrintable(text));

    select(QStringLiteral("crash"));
    QVERIFY2(details().contains(QStringLiteral("killed by SIGSEGV")), qPrintable(details()));

    // The exit status sorts: 0, 3, then the signal.
    QSignalSpy ordered(m_window->taskModel(), &TaskTableModel::orderingChanged);
    table->sortByColumn(int(TaskColumn::Exit), Qt::AscendingOrder);
    QTRY_COMPARE(m_window->taskModel()->data(m_window->taskModel()->index(0, 0)).toString(),
                 QStringLiteral("good"));
    QTRY_COMPARE(m_window->taskModel()->data(m_window->taskModel()->index(2, 0)).toString(),
                 QStringLiteral("crash"));
}

void tst_UserCodeWindow::everyAttemptKeepsItsOutput()
{
    RunSettings s = m_window->runSettings();
    s.retry.retryExit = true;
    m_window->setRunSettings(s);
    const QString path
            = writeBatch(QStringLiteral("retried.jsonl"),
                         {execTask(QStringLiteral("flaky"),
                                   {QStringLiteral("sh"), QStringLiteral("-c"),
                                    QStringLiteral("echo trying attempt $0 >&2; exit $((4 + $0))"),
                                    QStringLiteral("{attempt}")})});
    QVERIFY(load(path));
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    QVERIFY(startAgreeing());
    QVERIFY(waitFinished(finished));
    QCOMPARE(cell(QStringLiteral("flaky"), TaskColumn::Attempts), QStringLiteral("2"));
    QCOMPARE(cell(QStringLiteral("flaky"), TaskColumn::Exit), QStringLiteral("6"));
    select(QStringLiteral("flaky"));
    const QString text = details();
    // Latest first, each with its own command line and stderr.
    const qsizetype second = text.indexOf(QStringLiteral("Attempt 2 · exit 6"));
    const qsizetype first = text.indexOf(QStringLiteral("Attempt 1 · exit 5"));
    const qsizetype secondErr = text.indexOf(QStringLiteral("trying attempt 2"), second);
    const qsizetype firstErr = text.indexOf(QStringLiteral("trying attempt 1"), first);
    QVERIFY2(second >= 0 && first > second, qPrintable(text));
    QVERIFY2(secondErr > second && secondErr < first && firstErr > first, qPrintable(text));
}

void tst_UserCodeWindow::runningCommandShowsStderrLive()
{
    // Writes a line, waits for the test to create a file, writes another, then runs on
    // until cancelled.
    const QString go = m_dir.filePath(QStringLiteral("go"));
    QFile::remove(go);
    const QString path = writeBatch(
            QStringLiteral("live.jsonl"),
            {execTask(QStringLiteral("slow"),
                      {QStringLiteral("sh"), QStringLiteral("-c"),
                       QStringLiteral("echo step-$((0+1)) >&2; i=0; while [ ! -e \"$0\" ] && "
                                      "[ $i -lt 1000 ]; do sleep 0.02; i=$((i+1)); done; "
                                      "echo step-$((1+1)) >&2; exec sleep 60"),
                       go})});
    QVERIFY(load(path));
    select(QStringLiteral("slow"));
    QVERIFY(startAgreeing());
    // The spec shows the template; these lines come only from the running command.
    QTRY_VERIFY_WITH_TIMEOUT(details().contains(QStringLiteral("step-1")), 20000);
    QVERIFY2(details().contains(QStringLiteral("Attempt 1 · running")), qPrintable(details()));
    QVERIFY(!details().contains(QStringLiteral("step-2")));
    QCOMPARE(m_window->store()->state(storeRow(QStringLiteral("slow"))).status,
             TaskStatus::Running);

    QFile flag(go);
    QVERIFY(flag.open(QIODevice::WriteOnly));
    flag.close();
    QTRY_VERIFY_WITH_TIMEOUT(details().contains(QStringLiteral("step-1\nstep-2")), 20000);
    QCOMPARE(m_window->store()->state(storeRow(QStringLiteral("slow"))).status,
             TaskStatus::Running);

    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Cancel)->trigger();
    QVERIFY(waitFinished(finished, 20000));
    QCOMPARE(cell(QStringLiteral("slow"), TaskColumn::Status), QStringLiteral("Cancelled"));
}

void tst_UserCodeWindow::builtInBatchRunsWithoutAsking()
{
    const QString path
            = writeBatch(QStringLiteral("builtin.jsonl"),
                         {QStringLiteral(R"({"id":"a","compute":{"op":"sum_to","n":10}})"),
                          QStringLiteral(R"({"id":"b","compute":{"op":"sha256","rounds":2}})")});
    QVERIFY(load(path));
    QVERIFY(m_window->taskView()->isColumnHidden(int(TaskColumn::Exit)));
    QSignalSpy asked(m_window->userCodeGate(), &UserCodeGate::asked);
    QSignalSpy started(m_window.get(), &MainWindow::runStarted);
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Run)->trigger();
    QCOMPARE(started.count(), 1);
    QCOMPARE(asked.count(), 0);
    QVERIFY(!m_window->userCodeGate()->question());
    QVERIFY(waitFinished(finished));
    QCOMPARE(cell(QStringLiteral("a"), TaskColumn::Result), QStringLiteral("55"));
    QCOMPARE(asked.count(), 0);
}

void tst_UserCodeWindow::declinedBatchRunsNothing()
{
    const QString touched = m_dir.filePath(QStringLiteral("touched"));
    QFile::remove(touched);
    const QString path = writeBatch(
            QStringLiteral("someone-elses.jsonl"),
            {QStringLiteral(R"({"programs":{"helper":{"argv":["%1","-c","pass"]}}})").arg(Python),
             execTask(QStringLiteral("t1"), {QStringLiteral("touch"), touched}),
             execTask(QStringLiteral("t2"), {QStringLiteral("touch"), touched}),
             QStringLiteral(R"({"id":"c","compute":{"op":"call","program":"helper"}})")});
    QVERIFY(load(path));
    // What it would run is in sight before anything runs.
    const QString summary = m_window->batchSummary()->summaryText();
    QVERIFY2(summary.contains(QStringLiteral("helper")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("touch ")), qPrintable(summary));
    QVERIFY2(!summary.contains(QStringLiteral("Defaults")), qPrintable(summary)); // none given

    UserCodeGate *gate = m_window->userCodeGate();
    QSignalSpy asked(gate, &UserCodeGate::asked);
    QSignalSpy answered(gate, &UserCodeGate::answered);
    QSignalSpy started(m_window.get(), &MainWindow::runStarted);
    m_window->action(MainWindow::Action::Run)->trigger();
    QCOMPARE(asked.count(), 1);
    QPointer<QMessageBox> question = gate->question();
    QVERIFY(question && question->isVisible());
    // Both kinds of code, in full.
    const QString listed = question->informativeText();
    QVERIFY2(listed.contains(QStringLiteral("touch %1").arg(touched)), qPrintable(listed));
    QVERIFY2(listed.contains(QStringLiteral("2 tasks")), qPrintable(listed));
    QVERIFY2(listed.contains(QStringLiteral("%1 -c pass").arg(Python)), qPrintable(listed));
    // Asking again while it is up shows no second question.
    m_window->action(MainWindow::Action::Run)->trigger();
    QCOMPARE(asked.count(), 1);

    QTest::mouseClick(question->findChild<QPushButton *>(QStringLiteral("dontRunUserCode")),
                      Qt::LeftButton);
    QCOMPARE(answered.count(), 1);
    QCOMPARE(answered.at(0).at(0).toBool(), false);
    QTRY_VERIFY(!question);
    QCOMPARE(started.count(), 0);
    QVERIFY(!m_window->isRunning());
    QVERIFY(m_window->engine() && !m_window->engine()->isRunning());
    QCOMPARE(m_window->store()->counts()[TaskStatus::Queued], 3);
    QVERIFY(m_window->session()->journalPath().isEmpty()); // not even a journal was made
    QVERIFY(!QFile::exists(touched));

    // Retry Failed has nothing to retry; Run asks again, and yes runs it.
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    QVERIFY(startAgreeing());
    QCOMPARE(asked.count(), 2);
    QVERIFY(waitFinished(finished));
    QVERIFY(QFile::exists(touched));
    QCOMPARE(cell(QStringLiteral("t1"), TaskColumn::Status), QStringLiteral("Succeeded"));
}

void tst_UserCodeWindow::programCallShowsItsOutputAndLog()
{
    QProcess python;
    python.start(Python, {QStringLiteral("-c"), QStringLiteral("print(1)")});
    if (!python.waitForFinished(30000) || python.exitCode() != 0)
        QSKIP("python3 is not installed (.ci/install-deps installs it)");
    const QString script = Test::writeTestFile(m_dir, QStringLiteral("scorer.py"), R"(
import sys, brigade_program
print("model loaded", file=sys.stderr, flush=True)
def handle(args, body):
    print("scoring", args["word"])
    return len(args["word"])
brigade_program.serve(handle)
)");
    QStringList lines{
            json({{"programs",
                   QJsonObject{{"scorer", QJsonObject{{"argv", QJsonArray{Python, script}}}}}}})};
    for (const char *word : {"alpha", "be", "gamma"})
        lines << json({{"id", QString::fromLatin1(word)},
                       {"compute", QJsonObject{{"op", "call"},
                                               {"program", "scorer"},
                                               {"args", QJsonObject{{"word", word}}}}}});
    QVERIFY(load(writeBatch(QStringLiteral("calls.jsonl"), lines)));
    QVERIFY(m_window->taskView()->isColumnHidden(int(TaskColumn::Exit))); // calls only
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    QVERIFY(startAgreeing());
    QVERIFY(waitFinished(finished));
    QCOMPARE(cell(QStringLiteral("gamma"), TaskColumn::Result), QStringLiteral("5"));

    select(QStringLiteral("gamma"));
    const QString text = details();
    QVERIFY2(text.contains(QStringLiteral("Program output")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("call scorer {\"word\":\"gamma\"}")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("scoring gamma")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("scoring alpha")), qPrintable(text));

    // One click on the details' link to the program's log.
    TaskDetailsView *view = m_window->detailsView();
    QTextCursor link;
    for (QTextBlock b = view->document()->begin(); b.isValid() && link.isNull(); b = b.next()) {
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextFragment f = it.fragment();
            if (f.charFormat().isAnchor()
                && !TaskDetailsView::programOfLink(QUrl(f.charFormat().anchorHref())).isEmpty()) {
                link = QTextCursor(view->document());
                link.setPosition(f.position() + 1);
                break;
            }
        }
    }
    QVERIFY(!link.isNull());
    view->ensureCursorVisible();
    view->setTextCursor(link);
    view->ensureCursorVisible();
    const QPoint at = view->cursorRect(link).center();
    ProgramLogView *log = m_window->programLogView();
    QVERIFY(!log->isVisible());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
    QTRY_VERIFY(log->isVisible());
    QCOMPARE(log->program(), QStringLiteral("scorer"));
    QCOMPARE(log->programChooser()->currentText(), QStringLiteral("scorer"));
    QTRY_VERIFY2(log->textView()->toPlainText().contains(QStringLiteral("model loaded")),
                 qPrintable(log->textView()->toPlainText()));
    // Per-task output is the task's, not the log's.
    QVERIFY(!log->textView()->toPlainText().contains(QStringLiteral("scoring gamma")));
}

QTEST_MAIN(tst_UserCodeWindow)
#include "tst_usercodewindow.moc"
