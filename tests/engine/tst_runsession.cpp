// The run session every front end drives: opening a batch or a journal, the journal it
// makes, and what run, resume, retry-failed and retry-selected run, with real workers.
#include "JournalRuns.h"
#include "TestFiles.h"
#include "TestHttpServer.h"
#include "TestRunSettings.h"
#include "journal/Journal.h"
#include "session/RunSession.h"
#include "usercode/CommandLineBatch.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;
using namespace Brigade::Test;

class tst_RunSession : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void openRefusesWhatCannotBeUsed_data();
    void openRefusesWhatCannotBeUsed();
    void openKeepsABatchsProblems();
    void runMakesTheJournalFromTheBatch();
    void cancelledTasksAreNotFinished();
    void retryFailedAndSelected();
    void retryWithChangesMovesToAMirror();
    void skippedTasksAreGivenUpOnWithAReason();
    void earlierUnfinishedRunIsFound();
    void argumentListRunJournalsItsBatch();
    void priorityChangesSurviveAResume();

private:
    RunSettings settings() const;
    // Runs job to its result; false on timeout.
    static bool waitResult(Job *job, int timeoutMs = 60000);
    // n lines {"id":"PREFIXi","fetch":URL} with %1 in url standing for i.
    static QByteArray fetchLines(const char *prefix, int n, const QString &url);
    // Opens batch into session, to record into journal.
    static bool adopt(RunSession &session, const QString &batch, const QString &journal);

    QTemporaryDir m_dir;
};

void tst_RunSession::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QDir(Journal::defaultDirectory()).removeRecursively();
    QVERIFY(m_dir.isValid());
}

RunSettings tst_RunSession::settings() const
{
    return Test::quickRetrySettings();
}

bool tst_RunSession::adopt(RunSession &session, const QString &batch, const QString &journal)
{
    Result<OpenedRun> opened = RunSession::open(batch);
    if (!opened)
        return false;
    session.setJournalPath(journal);
    session.adopt(std::move(*opened));
    return true;
}

QByteArray tst_RunSession::fetchLines(const char *prefix, int n, const QString &url)
{
    QByteArray data;
    for (int i = 0; i < n; ++i)
        data += QStringLiteral("{\"id\":\"%1%2\",\"fetch\":\"%3\"}\n")
                        .arg(QLatin1String(prefix))
                        .arg(i)
                        .arg(url.arg(i))
                        .toUtf8();
    return data;
}

bool tst_RunSession::waitResult(Job *job, int timeoutMs)
{
    if (job->isFinished())
        return true;
    QSignalSpy result(job, &Job::result);
    return result.wait(timeoutMs);
}

void tst_RunSession::openRefusesWhatCannotBeUsed_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing") << m_dir.filePath(QStringLiteral("missing.jsonl"))
                             << QStringLiteral("no such file");
    QDir(m_dir.path()).mkdir(QStringLiteral("folder.jsonl"));
    QTest::newRow("folder") << m_dir.filePath(QStringLiteral("folder.jsonl"))
                            << QStringLiteral("it is a folder");
    QTest::newRow("damaged journal")
            << writeTestFile(m_dir, QStringLiteral("damaged.journal"),
                             QByteArray("SQLite format 3\0", 16) + QByteArray(600, 'x'))
            << QStringLiteral("damaged.journal");
}

void tst_RunSession::openRefusesWhatCannotBeUsed()
{
    QFETCH(QString, path);
    QFETCH(QString, expected);
    const Result<OpenedRun> opened = RunSession::open(path);
    QVERIFY(!opened);
    QVERIFY2(opened.error().contains(expected), qPrintable(opened.error()));
}

void tst_RunSession::openKeepsABatchsProblems()
{
    const QString path = writeTestFile(m_dir, QStringLiteral("problems.jsonl"),
                                       R"({"id":"a","compute":{"op":"sum_to","n":3}})"
                                       "\n{\"id\":\"b\",\n");
    const Result<OpenedRun> opened = RunSession::open(path);
    QVERIFY2(opened, qPrintable(opened.error()));
    QVERIFY(!opened->isJournal());
    QCOMPARE(opened->store->size(), 1);
    QCOMPARE(opened->batch->errorCount, qint64(1));
    QCOMPARE(opened->batch->errors.first().line, 2);
    QVERIFY(opened->batchData.startsWith("{\"id\":\"a\""));
}

void tst_RunSession::runMakesTheJournalFromTheBatch()
{
    const QByteArray data = sumLines(QStringLiteral("t"), 20);
    const QString batch = writeTestFile(m_dir, QStringLiteral("twenty.jsonl"), data);
    const QString journal = m_dir.filePath(QStringLiteral("twenty.journal"));
    RunSession session;
    QVERIFY(adopt(session, batch, journal));
    QCOMPARE(session.nextRunKind(), RunSession::RunKind::Run);
    QSignalSpy started(&session, &RunSession::jobStarted);
    const Result<Job *> job = session.run(settings());
    QVERIFY2(job, qPrintable(job.error()));
    QCOMPARE(started.count(), 1);
    QCOMPARE(session.journalPath(), journal);
    QVERIFY(waitResult(*job));
    QCOMPARE((*job)->error(), int(Job::NoError));
    QCOMPARE((*job)->processedAmount(Job::Unit::Items), qint64(20));
    QCOMPARE((*job)->totalAmount(Job::Unit::Items), qint64(20));

    // The journal holds the batch as it was read and every result.
    const Result<OpenedRun> reopened = RunSession::open(journal);
    QVERIFY2(reopened, qPrintable(reopened.error()));
    QVERIFY(reopened->isJournal());
    QCOMPARE(reopened->batchPath, QFileInfo(batch).absoluteFilePath());
    QCOMPARE(reopened->finishedRows.size(), 20);
    for (int row = 0; row < 20; ++row) {
        const TaskState st = reopened->store->state(row);
        QCOMPARE(st.status, TaskStatus::Succeeded);
        QCOMPARE(st.result, QByteArray::number(row * (row + 1) / 2));
    }
    Journal j;
    QString error;
    QVERIFY(j.open(journal, &error));
    QCOMPARE(j.batchData(&error), data);
    QCOMPARE(j.openTasks(), qint64(0));
    QCOMPARE(journalRunKinds(journal), QStringList{QStringLiteral("run")});
}

// The rule both front ends follow: a task cancelled by the user has not finished, so a
// resume (in this session, or from the journal in another) runs it.
void tst_RunSession::cancelledTasksAreNotFinished()
{
    QByteArray data = sumLines(QStringLiteral("quick-"), 4);
    for (int i = 0; i < 10; ++i)
        data += QStringLiteral(R"({"id":"slow-%1","fetch":{"delay_ms":60000}})").arg(i).toUtf8()
                + '\n';
    const QString batch = writeTestFile(m_dir, QStringLiteral("cancel.jsonl"), data);
    const QString journal = m_dir.filePath(QStringLiteral("cancel.journal"));
    {
        RunSession session;
        QVERIFY(adopt(session, batch, journal));
        QSignalSpy progress(&session, &RunSession::progress);
        const Result<Job *> job = session.run(settings());
        QVERIFY(job);
        QTRY_COMPARE_WITH_TIMEOUT(session.store()->counts()[TaskStatus::Succeeded], qint64(4),
                                  30000);
        QSignalSpy stopping(*job, &Job::stopping);
        QVERIFY((*job)->kill());
        QCOMPARE(stopping.count(), 1);
        QVERIFY(!(*job)->kill()); // once
        QVERIFY(waitResult(*job));
        QCOMPARE((*job)->error(), int(Job::KilledError));
        QCOMPARE(session.store()->counts()[TaskStatus::Cancelled], qint64(10));
        QCOMPARE(session.unfinishedTasks(), qint64(10));
        QCOMPARE(session.nextRunKind(), RunSession::RunKind::Resume);
    }

    // From the journal, as `brigade run --resume` and the window's Continue Run open it.
    RunSession session;
    Result<OpenedRun> opened = RunSession::open(journal);
    QVERIFY2(opened, qPrintable(opened.error()));
    QCOMPARE(opened->store->counts()[TaskStatus::Cancelled], qint64(10));
    session.adopt(std::move(*opened));
    QCOMPARE(session.unfinishedTasks(), qint64(10));
    // Every cancelled task starts again, with a fresh attempt; the quick ones keep their
    // results.
    const Result<Job *> job = session.resume(settings());
    QVERIFY(job);
    QCOMPARE(session.earlierResults().size(), 4); // the quick ones: not run again
    QTRY_COMPARE_WITH_TIMEOUT(session.store()->counts()[TaskStatus::Running], qint64(10), 30000);
    for (int i = 0; i < 10; ++i) {
        const TaskState st
                = session.store()->state(session.store()->rowOf(QStringLiteral("slow-%1").arg(i)));
        QCOMPARE(st.attempts, quint16(1));
    }
    QCOMPARE(session.store()->counts()[TaskStatus::Succeeded], qint64(4));
    (*job)->kill();
    QVERIFY(waitResult(*job));
    const QStringList kinds{QStringLiteral("run"), QStringLiteral("resume")};
    QCOMPARE(journalRunKinds(journal), kinds);
}

void tst_RunSession::retryFailedAndSelected()
{
    const QString input = m_dir.filePath(QStringLiteral("later.txt"));
    QFile::remove(input);
    QByteArray data
            = QStringLiteral("{\"id\":\"file\",\"fetch\":\"file://%1\"}").arg(input).toUtf8()
              + '\n';
    data += sumLines(QStringLiteral("s"), 5);
    const QString batch = writeTestFile(m_dir, QStringLiteral("retry.jsonl"), data);
    const QString journal = m_dir.filePath(QStringLiteral("retry.journal"));
    RunSession session;
    QVERIFY(adopt(session, batch, journal));
    Result<Job *> job = session.run(settings());
    QVERIFY(job);
    QVERIFY(waitResult(*job));
    QCOMPARE((*job)->error(), int(Job::PartialError));
    QVERIFY2((*job)->errorText().contains(QLatin1String("1 failed")),
             qPrintable((*job)->errorText()));
    const int fileRow = session.store()->rowOf(QStringLiteral("file"));
    QCOMPARE(session.store()->state(fileRow).status, TaskStatus::Failed);

    // The input is there now: Retry Failed runs that task alone, with a fresh attempt.
    QVERIFY(writeTestFile(m_dir, QStringLiteral("later.txt"), "hello").size() > 0);
    QSignalSpy finished(&session, &RunSession::tasksFinished);
    job = session.retryFailed(settings());
    QVERIFY(job);
    QVERIFY(waitResult(*job));
    QCOMPARE((*job)->error(), int(Job::NoError));
    QCOMPARE(session.store()->state(fileRow).status, TaskStatus::Succeeded);
    QCOMPARE(session.store()->state(fileRow).attempts, quint16(1));
    QVector<int> rerun;
    for (const QList<QVariant> &args : std::as_const(finished))
        rerun += args.first().value<QVector<int>>();
    QCOMPARE(rerun, QVector<int>{fileRow});

    // Retry Selected: only finished tasks of the choice run again.
    QVERIFY(!session.retrySelected({}, settings()));
    finished.clear();
    const int s3 = session.store()->rowOf(QStringLiteral("s3"));
    job = session.retrySelected({s3}, settings());
    QVERIFY(job);
    QVERIFY(waitResult(*job));
    rerun.clear();
    for (const QList<QVariant> &args : std::as_const(finished))
        rerun += args.first().value<QVector<int>>();
    QCOMPARE(rerun, QVector<int>{s3});

    // The journal agrees: every task succeeded, one run per kind.
    const Result<OpenedRun> reopened = RunSession::open(journal);
    QVERIFY(reopened);
    QCOMPARE(reopened->store->counts()[TaskStatus::Succeeded], qint64(6));
    const QStringList kinds{QStringLiteral("run"), QStringLiteral("retry-failed"),
                            QStringLiteral("retry")};
    QCOMPARE(journalRunKinds(journal), kinds);
}

void tst_RunSession::retryWithChangesMovesToAMirror()
{
    // Four fetches from a host where nothing listens fail; retried with the test server as
    // their host (a mirror) and a header, they succeed. The journal keeps the change, and a
    // later retry of the journal runs the changed specs.
    TestHttpServer server;
    QVERIFY(server.listen());
    QByteArray data = fetchLines("m", 4, QStringLiteral("http://127.0.0.1:1/maybe?key=k%1"));
    data += sumLines(QStringLiteral("s"), 2);
    const QString batch = writeTestFile(m_dir, QStringLiteral("mirror.jsonl"), data);
    const QString journal = m_dir.filePath(QStringLiteral("mirror.journal"));
    RunSettings s = settings();
    s.maxAttempts = 1;
    RunSession session;
    QVERIFY(adopt(session, batch, journal));
    Result<Job *> job = session.run(s);
    QVERIFY(job);
    QVERIFY(waitResult(*job));
    const QVector<int> failed = session.store()->rowsWithStatus(TaskStatus::Failed);
    QCOMPARE(failed.size(), 4);

    // A change that cannot be made is refused before anything runs.
    SpecChange bad;
    bad.host = "mirror/path";
    const Result<Job *> refused = session.retryChanged(failed, bad, s);
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(QLatin1String("not a host")), qPrintable(refused.error()));

    // The mirror fails at first (HTTP 500): the tasks fail again, on the mirror.
    SpecChange change;
    change.host = "127.0.0.1:" + QByteArray::number(server.port());
    change.headers = {{"X-Brigade-Test", "mirror"}};
    change.timeoutMs = 20000;
    server.setFailing(true);
    job = session.retryChanged(failed, change, s);
    QVERIFY2(job, qPrintable(job.error()));
    QVERIFY(waitResult(*job));
    QCOMPARE(session.store()->counts()[TaskStatus::Failed], qint64(4));
    QCOMPARE(server.hits("/maybe?key=k0"), 1);
    QVERIFY(server.lastRequestHead().contains("X-Brigade-Test: mirror"));
    // Their failure group is the mirror's now.
    QTRY_VERIFY(!session.failures().groups.isEmpty() && session.failures().groups[0].tasks() == 4);
    QVERIFY2(session.failures().groups[0].cause.label().contains(
                     QStringLiteral("127.0.0.1:%1").arg(server.port())),
             qPrintable(session.failures().groups[0].cause.label()));
    const int m0 = session.store()->rowOf(QStringLiteral("m0"));
    QVERIFY(session.store()->isChanged(m0));
    QCOMPARE(session.store()->currentShape(m0)->fetch.url, server.url("/maybe?key=k0"));
    // The batch's spec is what it was.
    QCOMPARE(session.store()->spec(m0).shape->fetch.url,
             QByteArray("http://127.0.0.1:1/maybe?key=k0"));
    session.adopt(OpenedRun()); // the journal closed

    // The journal has the change, each spec before and after, and a run of its kind.
    {
        Journal j;
        QString error;
        QVERIFY2(j.open(journal, &error), qPrintable(error));
        const QList<JournalEdit> edits = j.edits(&error);
        QCOMPARE(edits.size(), 1);
        QCOMPARE(edits[0].rows, failed);
        QVERIFY(edits[0].change.contains("\"host\":\"127.0.0.1:"));
        const QList<QByteArray> lines = edits[0].specs.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QVERIFY2(lines[0].contains("\"before\":{") && lines[0].contains("\"after\":{"),
                 lines[0].constData());
        QVERIFY2(lines[0].contains("http://127.0.0.1:1/maybe?key=k"), lines[0].constData());
        QVERIFY2(lines[0].contains(server.baseUrl() + "/maybe?key=k"), lines[0].constData());
        QVERIFY2(lines[0].contains("X-Brigade-Test"), lines[0].constData());
    }
    QVERIFY(journalRunKinds(journal).contains(QStringLiteral("retry-changed")));

    // Reopened, the tasks run with the changed specs: a plain retry-failed reaches the mirror.
    server.setFailing(false);
    RunSession again;
    Result<OpenedRun> opened = RunSession::open(journal);
    QVERIFY2(opened, qPrintable(opened.error()));
    QCOMPARE(opened->store->currentShape(m0)->fetch.url, server.url("/maybe?key=k0"));
    again.adopt(std::move(*opened));
    job = again.retryFailed(s);
    QVERIFY(job);
    QVERIFY(waitResult(*job));
    QCOMPARE((*job)->error(), int(Job::NoError));
    QCOMPARE(again.store()->counts()[TaskStatus::Succeeded], qint64(6));
    QCOMPARE(server.hits("/maybe?key=k0"), 2);
}

void tst_RunSession::skippedTasksAreGivenUpOnWithAReason()
{
    // Three tasks whose input is missing fail; skipped with a reason, they are finished and
    // not failures, in the session and in the journal.
    QByteArray data
            = fetchLines("gone", 3, QStringLiteral("file://%1/gone%2").arg(m_dir.path(), "%1"));
    data += sumLines(QStringLiteral("s"), 3);
    const QString batch = writeTestFile(m_dir, QStringLiteral("skip.jsonl"), data);
    const QString journal = m_dir.filePath(QStringLiteral("skip.journal"));
    RunSettings s = settings();
    s.maxAttempts = 1;
    RunSession session;
    QVERIFY(adopt(session, batch, journal));
    QVERIFY(session.skipTasks({0}, QStringLiteral("why"))
                    .error()
                    .contains(QLatin1String("nothing has run yet")));
    Result<Job *> job = session.run(s);
    QVERIFY(job);
    QVERIFY(waitResult(*job));
    const QVector<int> failed = session.store()->rowsWithStatus(TaskStatus::Failed);
    QCOMPARE(failed.size(), 3);
    QCOMPARE(session.skipTasks(failed, QStringLiteral("  ")).error(),
             QStringLiteral("a skip needs a reason"));

    QSignalSpy skipped(&session, &RunSession::tasksSkipped);
    QSignalSpy failures(&session, &RunSession::failuresChanged);
    QVERIFY(session.skipTasks(failed.mid(0, 2), QStringLiteral("input gone for good")));
    QVERIFY(skipped.wait(10000));
    QCOMPARE(skipped.last().first().value<QVector<int>>(), failed.mid(0, 2));
    StatusCounts c = session.store()->counts();
    QCOMPARE(c[TaskStatus::Skipped], qint64(2));
    QCOMPARE(c[TaskStatus::Failed], qint64(1));
    QCOMPARE(session.store()->state(failed[0]).message, QStringLiteral("input gone for good"));
    QCOMPARE(session.unfinishedTasks(), qint64(0));
    QTRY_COMPARE(session.failures().failedTasks, qint64(1)); // skipped is not a failure
    session.adopt(OpenedRun());

    // The journal has them skipped, with the reason, and a "skip" in its history.
    Result<OpenedRun> opened = RunSession::open(journal);
    QVERIFY2(opened, qPrintable(opened.error()));
    c = opened->store->counts();
    QCOMPARE(c[TaskStatus::Skipped], qint64(2));
    QCOMPARE(c[TaskStatus::Failed], qint64(1));
    QCOMPARE(opened->store->state(failed[1]).message, QStringLiteral("input gone for good"));
    QCOMPARE(opened->failures->summary().failedTasks, qint64(1));
    QVERIFY(journalRunKinds(journal).contains(QStringLiteral("skip")));

    // A journal just opened skips too (nothing run on it yet), and a retry of the failed
    // then has nothing to run.
    RunSession again;
    again.adopt(std::move(*opened));
    QSignalSpy skippedAgain(&again, &RunSession::tasksSkipped);
    QVERIFY(again.skipTasks({failed[2], 3}, QStringLiteral("not needed")));
    QVERIFY(skippedAgain.wait(10000));
    // The succeeded task (row 3) is left alone.
    QCOMPARE(skippedAgain.last().first().value<QVector<int>>(), QVector<int>{failed[2]});
    QCOMPARE(again.store()->counts()[TaskStatus::Skipped], qint64(3));
    QCOMPARE(again.nextRunKind(), RunSession::RunKind::RunAgain);
    again.adopt(OpenedRun());
    opened = RunSession::open(journal);
    QVERIFY(opened);
    QCOMPARE(opened->store->counts()[TaskStatus::Skipped], qint64(3));
    QCOMPARE(opened->store->counts()[TaskStatus::Succeeded], qint64(3));
}

void tst_RunSession::earlierUnfinishedRunIsFound()
{
    QByteArray data;
    for (int i = 0; i < 3; ++i)
        data += QStringLiteral(R"({"id":"slow-%1","fetch":{"delay_ms":60000}})").arg(i).toUtf8()
                + '\n';
    const QString batch = writeTestFile(m_dir, QStringLiteral("earlier.jsonl"), data);
    QString journal;
    {
        RunSession session;
        Result<OpenedRun> opened = RunSession::open(batch);
        QVERIFY(opened);
        QVERIFY(opened->earlierJournal.isEmpty());
        session.adopt(std::move(*opened));
        const Result<Job *> job = session.run(settings()); // into the default directory
        QVERIFY(job);
        journal = session.journalPath();
        QVERIFY(journal.startsWith(Journal::defaultDirectory()));
        QTRY_COMPARE_WITH_TIMEOUT(session.store()->counts()[TaskStatus::Running], qint64(3), 30000);
        (*job)->kill();
        QVERIFY(waitResult(*job));
    }
    const Result<OpenedRun> again = RunSession::open(batch);
    QVERIFY(again);
    QCOMPARE(again->earlierJournal, journal);
    QCOMPARE(again->earlierOpenTasks, qint64(3));
    // Not for another batch of the same name.
    writeTestFile(m_dir, QStringLiteral("earlier.jsonl"), data + "\n");
    const Result<OpenedRun> other = RunSession::open(batch);
    QVERIFY(other);
    QVERIFY(other->earlierJournal.isEmpty());
}

// brigade run LIST -- PROG: the list is read without making its batch; the first run's
// journal holds that batch, made then, and a later open of the same list finds the run.
void tst_RunSession::argumentListRunJournalsItsBatch()
{
    const QByteArray items = "one\ntwo words\ncaf\xc3\xa9\n";
    const QString list = writeTestFile(m_dir, QStringLiteral("items.txt"), items);
    const QStringList command{QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                              QStringLiteral("sleep 60"), QStringLiteral("{}")};
    const QString cwd = m_dir.path();
    QString journal;
    {
        RunSession session;
        Result<OpenedRun> opened = RunSession::openCommandLine(list, command, cwd);
        QVERIFY2(opened, qPrintable(opened.error()));
        QVERIFY(opened->batchData.isEmpty());
        QVERIFY(opened->batchBytes.isMade());
        QVERIFY(opened->earlierJournal.isEmpty());
        QCOMPARE(opened->store->size(), 3);
        QCOMPARE(opened->store->spec(1).input.toString(), QStringLiteral("two words"));
        session.adopt(std::move(*opened));
        const Result<Job *> job = session.run(settings());
        QVERIFY(job);
        journal = session.journalPath();
        QTRY_VERIFY_WITH_TIMEOUT(session.store()->counts()[TaskStatus::Running] > 0, 30000);
        (*job)->kill();
        QVERIFY(waitResult(*job));
    }
    {
        Journal j;
        QString error;
        QVERIFY2(j.open(journal, &error), qPrintable(error));
        QCOMPARE(j.batchData(&error), CommandLineBatch::make(items, command, cwd));
    }
    const Result<OpenedRun> resumed = RunSession::open(journal);
    QVERIFY(resumed);
    QCOMPARE(resumed->store->size(), 3);
    QCOMPARE(resumed->store->spec(2).input.toString(), QString::fromUtf8("caf\xc3\xa9"));
    const Result<OpenedRun> again = RunSession::openCommandLine(list, command, cwd);
    QVERIFY(again);
    QCOMPARE(again->earlierJournal, journal);
    QCOMPARE(again->earlierOpenTasks, qint64(3));
    // Not for the same list with another command.
    const Result<OpenedRun> other
            = RunSession::openCommandLine(list, command.mid(0, 3) << QStringLiteral("x{}"), cwd);
    QVERIFY(other);
    QVERIFY(other->earlierJournal.isEmpty());
    // A list that cannot be read.
    const Result<OpenedRun> missing
            = RunSession::openCommandLine(m_dir.filePath(QStringLiteral("none.txt")), command, cwd);
    QVERIFY(!missing);
    QVERIFY2(missing.error().contains(QLatin1String("no such file")), qPrintable(missing.error()));
}

// Raise and Lower Priority are journaled: a resume starts the raised tasks first and the
// lowered ones last, as the interrupted run would have.
void tst_RunSession::priorityChangesSurviveAResume()
{
    // One slot: "hold" keeps it while q0..q5 wait.
    QByteArray data = R"({"id":"hold","fetch":{"delay_ms":60000}})"
                      "\n";
    for (int i = 0; i < 6; ++i)
        data += QStringLiteral(R"({"id":"q%1","fetch":{"delay_ms":20}})").arg(i).toUtf8() + '\n';
    const QString batch = writeTestFile(m_dir, QStringLiteral("priority.jsonl"), data);
    const QString journal = m_dir.filePath(QStringLiteral("priority.journal"));
    RunSettings s = settings();
    s.workers = 1;
    s.concurrency = 1;
    {
        RunSession session;
        QVERIFY(adopt(session, batch, journal));
        const Result<Job *> job = session.run(s);
        QVERIFY(job);
        const std::shared_ptr<TaskStore> store = session.store();
        QTRY_COMPARE_WITH_TIMEOUT(store->counts()[TaskStatus::Running], qint64(1), 30000);
        const int q0 = store->rowOf(QStringLiteral("q0"));
        const int q5 = store->rowOf(QStringLiteral("q5"));
        session.changePriority({q5}, 10);
        session.changePriority({q5}, 10); // twice: +20
        session.changePriority({q0}, -10);
        QTRY_COMPARE(store->currentShape(q5)->priority, 20);
        QTRY_COMPARE(store->currentShape(q0)->priority, -10);
        QVERIFY(store->isChanged(q5));
        QVERIFY(!store->isChanged(store->rowOf(QStringLiteral("q3"))));
        (*job)->kill();
        QVERIFY(waitResult(*job));
    }

    RunSession session;
    Result<OpenedRun> opened = RunSession::open(journal);
    QVERIFY2(opened, qPrintable(opened.error()));
    session.adopt(std::move(*opened));
    const std::shared_ptr<TaskStore> store = session.store();
    QCOMPARE(store->currentShape(store->rowOf(QStringLiteral("q5")))->priority, 20);
    QCOMPARE(store->currentShape(store->rowOf(QStringLiteral("q0")))->priority, -10);
    QCOMPARE(store->currentShape(store->rowOf(QStringLiteral("q2")))->priority, 0);
    // The held task is given up on, so the resume runs the six quick ones, one at a time.
    QSignalSpy skipped(&session, &RunSession::tasksSkipped);
    QVERIFY(session.skipTasks({store->rowOf(QStringLiteral("hold"))},
                              QStringLiteral("not needed")));
    QVERIFY(skipped.wait(30000));
    QVector<int> order;
    connect(&session, &RunSession::tasksFinished, this,
            [&order](const QVector<int> &rows) { order += rows; });
    const Result<Job *> job = session.resume(s);
    QVERIFY2(job, qPrintable(job.error()));
    QVERIFY(waitResult(*job));
    QCOMPARE(order.size(), 6);
    QCOMPARE(order.first(), store->rowOf(QStringLiteral("q5")));
    QCOMPARE(order.last(), store->rowOf(QStringLiteral("q0")));
}

QTEST_GUILESS_MAIN(tst_RunSession)
#include "tst_runsession.moc"
