// The window takes tasks while it has a run open: File › Add Tasks… (driven through the
// method the action calls with the chosen file) and a real `brigade submit` process, to a
// running run and to one that has ended, which runs again. Real workers, real journal.
#include "BrigadeRun.h"
#include "JournalRuns.h"
#include "WindowTestSetup.h"
#include "batch/BatchParser.h"
#include "core/TaskStore.h"
#include "journal/Journal.h"
#include "window/MainWindow.h"
#include "window/tasks/BatchSummaryView.h"
#include "window/tasks/ProgressPanel.h"
#include "window/tasks/TaskTableModel.h"
#include "window/usercode/UserCodeGate.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Brigade;

class tst_WindowSubmit : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void addTasksToARunningAndAFinishedRun();
    void submitProcessReopensTheWindowsRun();
    void mapReduceTakesNoTasks();
    void addingCommandsAsksFirst();
    void submittedCommandsNeedTheWindowsConsent();
    void summaryCountsAddedTasks();

private:
    QString write(const QString &name, const QByteArray &data);
    bool load(const QString &path);
    // The journal's tasks, restored as a resume would: id -> status.
    QHash<QString, TaskStatus> journalTasks(QByteArray *batchData = nullptr);
    int rows() const { return m_window->taskModel()->rowCount(); }

    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void tst_WindowSubmit::initTestCase()
{
    Test::isolateWindowSettings(QStringLiteral("tst_windowsubmit"));
    QVERIFY(m_dir.isValid());
    // This test's own socket folder: the window's and the brigade submit process's.
    QVERIFY(QDir(m_dir.path()).mkdir(QStringLiteral("runtime")));
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_dir.filePath(QStringLiteral("runtime"))));
}

void tst_WindowSubmit::init()
{
    m_window = std::make_unique<MainWindow>();
    m_window->setRunSettings(Test::windowTestRunSettings(m_window->runSettings()));
    m_window->show();
}

void tst_WindowSubmit::cleanup()
{
    m_window.reset();
}

QString tst_WindowSubmit::write(const QString &name, const QByteArray &data)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write(data);
    return path;
}

bool tst_WindowSubmit::load(const QString &path)
{
    QSignalSpy loaded(m_window.get(), &MainWindow::batchLoaded);
    m_window->openBatch(path);
    return loaded.wait(20000);
}

QHash<QString, TaskStatus> tst_WindowSubmit::journalTasks(QByteArray *batchData)
{
    QHash<QString, TaskStatus> tasks;
    Journal journal;
    QString error;
    if (!journal.open(m_window->journalPath(), &error)) {
        qWarning() << "journal:" << error;
        return tasks;
    }
    const QByteArray data = journal.batchData(&error);
    if (batchData)
        *batchData = data;
    TaskStore store(BatchParser::parseData(data, journal.batchPath()).tasks);
    if (!journal.restore(store, &error)) {
        qWarning() << "journal:" << error;
        return tasks;
    }
    for (int row = 0; row < store.size(); ++row)
        tasks.insert(store.spec(row).id, store.state(row).status);
    return tasks;
}

void tst_WindowSubmit::addTasksToARunningAndAFinishedRun()
{
    // Four half-second waits on two workers, paused as soon as the run starts: the run is
    // open (tasks queued) for as long as the test needs.
    QByteArray batch;
    for (int i = 0; i < 4; ++i)
        batch += QStringLiteral("{\"id\":\"w%1\",\"fetch\":{\"delay_ms\":500}}").arg(i).toUtf8()
                 + '\n';
    QVERIFY(load(write(QStringLiteral("waits.jsonl"), batch)));
    QAction *add = m_window->action(MainWindow::Action::AddTasks);
    // Nothing to add to before the batch runs: the action says why.
    QVERIFY(!add->isEnabled());
    QVERIFY2(add->toolTip().contains(QStringLiteral("Run the batch first")),
             qPrintable(add->toolTip()));
    QVERIFY(m_window->submitName().isEmpty());

    QSignalSpy started(m_window.get(), &MainWindow::runStarted);
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    QSignalSpy added(m_window.get(), &MainWindow::tasksAdded);
    m_window->action(MainWindow::Action::Run)->trigger();
    QCOMPARE(started.size(), 1);
    m_window->action(MainWindow::Action::Pause)->trigger();
    QVERIFY(add->isEnabled());
    QVERIFY(add->shortcut() == QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    // The status bar names the run for brigade submit --to.
    const QString name = m_window->submitName();
    QVERIFY(name.startsWith(QStringLiteral("waits-")));
    QVERIFY(m_window->submitLabel()->isVisible());
    QVERIFY(m_window->submitLabel()->toolTip().contains(QStringLiteral("brigade submit --to ")
                                                        + name));

    // To the running run: two good lines, one bad (reported with its place), one duplicate.
    const QString more = write(QStringLiteral("more.jsonl"),
                               "{\"id\":\"a1\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n"
                               "{\"id\":\"a2\",\"fetch\":7}\n"
                               "\n"
                               "{\"id\":\"w1\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n"
                               "{\"id\":\"a3\",\"compute\":{\"op\":\"sum_to\",\"n\":4}}");
    m_window->addTasksFrom(more);
    QVERIFY(added.wait(30000));
    QCOMPARE(added.last().at(1).toLongLong(), 2);
    const QStringList rejected = added.last().at(2).toStringList();
    QCOMPARE(rejected.size(), 2);
    QVERIFY2(rejected[0].startsWith(more + QStringLiteral(":2:")), qPrintable(rejected[0]));
    QVERIFY2(rejected[1].startsWith(more + QStringLiteral(":4:"))
                     && rejected[1].contains(QStringLiteral("duplicate id")),
             qPrintable(rejected[1]));
    QVERIFY(added.last().at(3).toString().isEmpty());
    // Journaled before the answer, while the run goes on.
    QVERIFY(m_window->isRunning());
    QVERIFY(finished.isEmpty());
    QByteArray data;
    QHash<QString, TaskStatus> tasks = journalTasks(&data);
    QCOMPARE(tasks.size(), 6);
    QVERIFY(tasks.contains(QStringLiteral("a1")) && tasks.contains(QStringLiteral("a3")));
    QVERIFY(data.contains("\"a3\""));
    QVERIFY(!data.contains("\"a2\"")); // a bad line keeps its place as an empty line
    // The table shows them, queued behind the pause.
    QTRY_COMPARE_WITH_TIMEOUT(rows(), 6, 10000);

    m_window->action(MainWindow::Action::Resume)->trigger();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.size(), 1);
    QTRY_VERIFY(!m_window->isRunning());
    QCOMPARE(m_window->progressPanel()->stats().total, 6);
    QCOMPARE(m_window->progressPanel()->stats().succeeded, 6);

    // To the finished run: it runs again, and finishes again, in the same journal.
    QVERIFY(add->isEnabled());
    const QString late = write(QStringLiteral("late.txt"),
                               "# a list of URLs: each line fetches its URL\n"
                               "{\"id\":\"late1\",\"compute\":{\"op\":\"sum_to\",\"n\":5}}\n"
                               "{\"id\":\"late2\",\"fetch\":{\"delay_ms\":50}}\n");
    m_window->addTasksFrom(late);
    QVERIFY(added.wait(30000));
    QCOMPARE(added.last().at(1).toLongLong(), 2);
    QVERIFY(added.last().at(2).toStringList().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 2, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 60000);
    QTRY_VERIFY(!m_window->isRunning());
    QCOMPARE(rows(), 8);
    QCOMPARE(m_window->progressPanel()->stats().total, 8);
    QCOMPARE(m_window->progressPanel()->stats().succeeded, 8);
    tasks = journalTasks();
    QCOMPARE(tasks.size(), 8);
    for (auto it = tasks.cbegin(); it != tasks.cend(); ++it)
        QVERIFY2(it.value() == TaskStatus::Succeeded, qPrintable(it.key()));
    QCOMPARE(Test::journalRunKinds(m_window->journalPath()),
             QStringList({QStringLiteral("run"), QStringLiteral("reopen")}));

    // A file that cannot be read says so, and nothing changes.
    m_window->addTasksFrom(m_dir.filePath(QStringLiteral("missing.jsonl")));
    QVERIFY(added.wait(30000));
    QCOMPARE(added.last().at(1).toLongLong(), 0);
    QVERIFY(added.last().at(3).toString().contains(QStringLiteral("cannot read")));
    QCOMPARE(started.size(), 2);
}

void tst_WindowSubmit::submitProcessReopensTheWindowsRun()
{
    QVERIFY(load(write(QStringLiteral("quick.jsonl"),
                       "{\"id\":\"q1\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n"
                       "{\"id\":\"q2\",\"compute\":{\"op\":\"sum_to\",\"n\":4}}\n")));
    QSignalSpy started(m_window.get(), &MainWindow::runStarted);
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Run)->trigger();
    QVERIFY(finished.wait(60000));
    QTRY_VERIFY(!m_window->isRunning());
    const QString name = m_window->submitName();
    QVERIFY(name.startsWith(QStringLiteral("quick-")));

    // A real brigade submit, as another program would send it; --priority on the way.
    const QString more = write(QStringLiteral("sent.jsonl"),
                               "{\"id\":\"s1\",\"compute\":{\"op\":\"sum_to\",\"n\":6}}\n"
                               "{\"id\":\"s2\",\"compute\":{\"op\":\"sum_to\",\"n\":7}}\n");
    QProcessEnvironment env = Test::headlessEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_dir.filePath(QStringLiteral("runtime")));
    const Test::BrigadeRun submit
            = Test::runBrigade({QStringLiteral("submit"), QStringLiteral("--to"), name,
                                QStringLiteral("--priority"), QStringLiteral("3"), more},
                               env);
    QVERIFY2(submit.exitCode == 0, qPrintable(submit.err));
    QVERIFY2(submit.err.contains(QStringLiteral("accepted 2 tasks")), qPrintable(submit.err));
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 2, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 60000);
    QTRY_VERIFY(!m_window->isRunning());
    QCOMPARE(rows(), 4);
    QCOMPARE(m_window->progressPanel()->stats().succeeded, 4);
    QByteArray data;
    const QHash<QString, TaskStatus> tasks = journalTasks(&data);
    QCOMPARE(tasks.value(QStringLiteral("s2")), TaskStatus::Succeeded);
    QVERIFY2(data.contains("\"id\":\"s2\",\"compute\":{\"op\":\"sum_to\",\"n\":7},\"priority\":3}"),
             data.constData());
    // Still listening: the name stays while the batch is open.
    QCOMPARE(m_window->submitName(), name);
}

void tst_WindowSubmit::mapReduceTakesNoTasks()
{
    const QString input = write(QStringLiteral("words.txt"), "a b a\n");
    QVERIFY(load(write(QStringLiteral("count.jsonl"),
                       QStringLiteral("{\"mapreduce\":{\"input\":\"%1\",\"format\":\"text\"}}")
                                       .arg(input)
                                       .toUtf8()
                               + '\n')));
    QAction *add = m_window->action(MainWindow::Action::AddTasks);
    QVERIFY(!add->isEnabled());
    QVERIFY2(add->toolTip().contains(QStringLiteral("MapReduce")), qPrintable(add->toolTip()));
    QSignalSpy added(m_window.get(), &MainWindow::tasksAdded);
    m_window->addTasksFrom(write(QStringLiteral("x.jsonl"), "{}\n"));
    QCOMPARE(added.size(), 1);
    QCOMPARE(added.last().at(1).toLongLong(), 0);
    QVERIFY(m_window->submitName().isEmpty());
}

void tst_WindowSubmit::addingCommandsAsksFirst()
{
    QVERIFY(load(write(QStringLiteral("plain.jsonl"),
                       "{\"id\":\"p1\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n")));
    QSignalSpy started(m_window.get(), &MainWindow::runStarted);
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    QSignalSpy added(m_window.get(), &MainWindow::tasksAdded);
    m_window->action(MainWindow::Action::Run)->trigger();
    QVERIFY(finished.wait(60000));
    QTRY_VERIFY(!m_window->isRunning());

    UserCodeGate *gate = m_window->userCodeGate();
    QSignalSpy asked(gate, &UserCodeGate::addedAsked);
    const QString more
            = write(QStringLiteral("cmds.jsonl"),
                    "{\"id\":\"e1\",\"compute\":{\"op\":\"exec\",\"argv\":[\"/bin/echo\","
                    "\"hi\"]}}\n"
                    "{\"id\":\"p2\",\"compute\":{\"op\":\"sum_to\",\"n\":4}}\n");
    // Declined: nothing of the file is added, the run stays ended.
    m_window->addTasksFrom(more);
    QVERIFY(asked.wait(30000));
    QPointer<QMessageBox> box = gate->addedQuestion();
    QVERIFY(box && box->isVisible());
    QVERIFY2(box->informativeText().contains(QStringLiteral("/bin/echo hi")),
             qPrintable(box->informativeText()));
    QVERIFY(added.isEmpty()); // nothing is taken while the question waits
    QTest::mouseClick(box->findChild<QPushButton *>(QStringLiteral("dontAddUserCode")),
                      Qt::LeftButton);
    QTRY_COMPARE(added.size(), 1);
    QCOMPARE(added.last().at(1).toLongLong(), 0);
    QVERIFY(added.last().at(3).toString().contains(QStringLiteral("chose not")));
    QCOMPARE(rows(), 1);
    QCOMPARE(started.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(journalTasks().size(), 1, 10000);

    // Agreed: both tasks are added, and the command runs in the reopened run.
    m_window->addTasksFrom(more);
    QVERIFY(asked.wait(30000));
    box = gate->addedQuestion();
    QVERIFY(box && box->isVisible());
    QTest::mouseClick(box->findChild<QPushButton *>(QStringLiteral("addUserCode")), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(added.size(), 2, 30000);
    QCOMPARE(added.last().at(1).toLongLong(), 2);
    QVERIFY(added.last().at(2).toStringList().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 60000);
    QTRY_VERIFY(!m_window->isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(journalTasks().size(), 3, 10000);
    const QHash<QString, TaskStatus> tasks = journalTasks();
    QCOMPARE(tasks.value(QStringLiteral("e1")), TaskStatus::Succeeded);
    QCOMPARE(tasks.value(QStringLiteral("p2")), TaskStatus::Succeeded);

    // A file of built-in ops only is added without a question.
    m_window->addTasksFrom(write(QStringLiteral("sums.jsonl"),
                                 "{\"id\":\"p3\",\"compute\":{\"op\":\"sum_to\",\"n\":5}}\n"));
    QTRY_COMPARE_WITH_TIMEOUT(added.size(), 3, 30000);
    QCOMPARE(added.last().at(1).toLongLong(), 1);
    QCOMPARE(asked.size(), 2);
}

void tst_WindowSubmit::submittedCommandsNeedTheWindowsConsent()
{
    QVERIFY(load(write(QStringLiteral("open.jsonl"),
                       "{\"id\":\"o1\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n")));
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Run)->trigger();
    QVERIFY(finished.wait(60000));
    QTRY_VERIFY(!m_window->isRunning());
    QAction *accept = m_window->action(MainWindow::Action::AcceptSubmittedCode);
    QVERIFY(accept->isCheckable() && !accept->isChecked()); // off when the window opens

    QProcessEnvironment env = Test::headlessEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_dir.filePath(QStringLiteral("runtime")));
    const QString name = m_window->submitName();
    const QString sent
            = write(QStringLiteral("sent.jsonl"),
                    "{\"id\":\"x1\",\"compute\":{\"op\":\"exec\",\"argv\":[\"/bin/true\"]}}\n"
                    "{\"id\":\"o2\",\"compute\":{\"op\":\"sum_to\",\"n\":4}}\n");
    Test::BrigadeRun submit
            = Test::runBrigade({QStringLiteral("submit"), QStringLiteral("--to"), name, sent}, env);
    // The plain line is taken; the command's line is rejected, saying how to allow it.
    QCOMPARE(submit.exitCode, 1);
    QVERIFY2(submit.err.contains(QStringLiteral("accepted 1 task")), qPrintable(submit.err));
    QVERIFY2(submit.err.contains(QStringLiteral(":1:")) && submit.err.contains(u"/bin/true")
                     && submit.err.contains(QStringLiteral("Accept Commands from brigade submit")),
             qPrintable(submit.err));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 60000);
    QTRY_VERIFY(!m_window->isRunning());
    // Read again while the engine's last writes may hold the journal a moment.
    QTRY_COMPARE_WITH_TIMEOUT(journalTasks().size(), 2, 10000);
    QHash<QString, TaskStatus> tasks = journalTasks();
    QVERIFY(!tasks.contains(QStringLiteral("x1")));

    // Allowed in the window: the command's line is taken and runs.
    accept->trigger();
    QVERIFY(accept->isChecked());
    const QString again
            = write(QStringLiteral("again.jsonl"),
                    "{\"id\":\"x2\",\"compute\":{\"op\":\"exec\",\"argv\":[\"/bin/true\"]}}\n");
    submit = Test::runBrigade({QStringLiteral("submit"), QStringLiteral("--to"), name, again}, env);
    QVERIFY2(submit.exitCode == 0, qPrintable(submit.err));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 60000);
    QTRY_VERIFY(!m_window->isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(journalTasks().size(), 3, 10000);
    tasks = journalTasks();
    QCOMPARE(tasks.value(QStringLiteral("x2")), TaskStatus::Succeeded);
}

void tst_WindowSubmit::summaryCountsAddedTasks()
{
    QByteArray batch;
    for (int i = 0; i < 3; ++i)
        batch += QStringLiteral("{\"id\":\"w%1\",\"fetch\":{\"delay_ms\":200}}").arg(i).toUtf8()
                 + '\n';
    QVERIFY(load(write(QStringLiteral("few.jsonl"), batch)));
    BatchSummaryView *summary = m_window->batchSummary();
    QVERIFY2(summary->summaryText().startsWith(QStringLiteral("<b>3</b> tasks from 3 lines")),
             qPrintable(summary->summaryText()));
    QSignalSpy shown(summary, &BatchSummaryView::taskCountShown);
    QSignalSpy added(m_window.get(), &MainWindow::tasksAdded);
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Run)->trigger();
    m_window->action(MainWindow::Action::Pause)->trigger();

    // Two thousand tasks at once: the line follows the count as the progress comes, not
    // once per task.
    QByteArray more;
    for (int i = 0; i < 2000; ++i)
        more += QStringLiteral("{\"id\":\"m%1\",\"compute\":{\"op\":\"sum_to\",\"n\":2}}")
                        .arg(i)
                        .toUtf8()
                + '\n';
    m_window->addTasksFrom(write(QStringLiteral("many.jsonl"), more));
    QVERIFY(added.wait(30000));
    QCOMPARE(added.last().at(1).toLongLong(), 2000);
    QTRY_COMPARE_WITH_TIMEOUT(summary->taskCount(), 2003, 10000);
    const QLocale locale; // as the window writes numbers
    QVERIFY2(summary->summaryText().startsWith(
                     QStringLiteral("<b>%1</b> tasks: 3 from 3 lines").arg(locale.toString(2003))),
             qPrintable(summary->summaryText()));
    QVERIFY2(summary->summaryText().contains(
                     QStringLiteral("and %1 added").arg(locale.toString(2000))),
             qPrintable(summary->summaryText()));
    QVERIFY2(shown.size() >= 1 && shown.size() < 20, qPrintable(QString::number(shown.size())));
    QCOMPARE(shown.last().at(0).toLongLong(), 2003);

    m_window->action(MainWindow::Action::Resume)->trigger();
    QVERIFY(finished.wait(60000));
    QCOMPARE(summary->taskCount(), 2003);
}

QTEST_MAIN(tst_WindowSubmit)
#include "tst_windowsubmit.moc"
