// A resume of an edited, reordered batch against the journal of its earlier run, with real
// workers and a local server that counts what is fetched: finished identical tasks keep
// their results wherever their line went, changed and new ones run, and the new journal
// holds every task.
#include "TestFiles.h"
#include "TestHttpServer.h"
#include "TestRunSettings.h"
#include "journal/Journal.h"
#include "session/RunSession.h"

#include <QDir>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;
using namespace Brigade::Test;

class tst_ResumePlan : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void editedBatchRunsOnlyWhatChanged();
    void editedUrlListComparesEachTasksUrl();
    void refusesWhatIsNotAJournal();

private:
    RunSettings settings() const;
    static bool waitResult(Job *job);
    // Runs batch to its end, recorded in journal; *states: its tasks' states by id.
    bool runRecorded(const QString &batch, const QString &journal,
                     QHash<QString, TaskState> *states);
    static QHash<QString, TaskState> statesById(const TaskStore &store);

    QTemporaryDir m_dir;
    TestHttpServer m_server;
};

void tst_ResumePlan::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QDir(Journal::defaultDirectory()).removeRecursively();
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
}

RunSettings tst_ResumePlan::settings() const
{
    return Test::quickRetrySettings();
}

bool tst_ResumePlan::waitResult(Job *job)
{
    if (job->isFinished())
        return true;
    QSignalSpy result(job, &Job::result);
    return result.wait(60000);
}

bool tst_ResumePlan::runRecorded(const QString &batch, const QString &journal,
                                 QHash<QString, TaskState> *states)
{
    RunSession session;
    Result<OpenedRun> opened = RunSession::open(batch);
    if (!opened) {
        qWarning("%s", qPrintable(opened.error()));
        return false;
    }
    session.setJournalPath(journal);
    session.adopt(std::move(*opened));
    const Result<Job *> job = session.run(settings());
    if (!job) {
        qWarning("%s", qPrintable(job.error()));
        return false;
    }
    if (!waitResult(*job))
        return false;
    *states = statesById(*session.store());
    return true;
}

QHash<QString, TaskState> tst_ResumePlan::statesById(const TaskStore &store)
{
    QHash<QString, TaskState> states;
    for (int row = 0; row < store.size(); ++row)
        states.insert(store.spec(row).id, store.state(row));
    return states;
}

void tst_ResumePlan::editedBatchRunsOnlyWhatChanged()
{
    const QByteArray base = m_server.baseUrl();
    auto fetch = [&](const char *id, const QByteArray &path, const char *more = "") {
        return QByteArray("{\"id\":\"") + id + "\",\"fetch\":\"" + base + path + "\"" + more
               + "}\n";
    };
    const QString batch = writeTestFile(
            m_dir, QStringLiteral("edited.jsonl"),
            fetch("a", "/delay?ms=0&bytes=10&seed=1") + fetch("b", "/delay?ms=0&bytes=10&seed=2")
                    + fetch("c", "/delay?ms=0&bytes=10&seed=3")
                    + fetch("d", "/delay?ms=0&bytes=10&seed=4")
                    + fetch("f", "/status?code=404", ",\"max_attempts\":1"));
    const QString firstJournal = m_dir.filePath(QStringLiteral("first.journal"));
    QHash<QString, TaskState> before;
    QVERIFY(runRecorded(batch, firstJournal, &before));
    QCOMPARE(m_server.requestCount(), 5);
    QCOMPARE(before.value(QStringLiteral("f")).status, TaskStatus::Failed);

    // Edited: reordered and respaced, c's URL changed, b gone, e new, f as it was (but for
    // its attempts, which are run policy).
    QByteArray edited = fetch("d", "/delay?ms=0&bytes=10&seed=4");
    edited += "  {  \"fetch\" : \"" + base + "/delay?ms=0&bytes=10&seed=1\", \"id\" : \"a\" }\n";
    edited += fetch("c", "/delay?ms=0&bytes=10&seed=99");
    edited += fetch("f", "/status?code=404", ",\"max_attempts\":2");
    edited += fetch("e", "/delay?ms=0&bytes=10&seed=5");
    writeTestFile(m_dir, QStringLiteral("edited.jsonl"), edited);

    // Explained without writing anything.
    {
        const Result<OpenedRun> dry
                = RunSession::openEdited(batch, firstJournal, ResumePlan::Mode::Resume, {});
        QVERIFY2(dry, qPrintable(dry.error()));
        QVERIFY(!dry->isJournal());
        const ResumePlan &plan = *dry->resumePlan;
        QCOMPARE(plan.count(ResumePlan::Decision::Kept), qint64(2));
        QCOMPARE(plan.count(ResumePlan::Decision::KeptFailed), qint64(1));
        QCOMPARE(plan.count(ResumePlan::Decision::Changed), qint64(1));
        QCOMPARE(plan.count(ResumePlan::Decision::New), qint64(1));
        QCOMPARE(plan.removed(), qint64(1));
        QCOMPARE(plan.toRun(), qint64(2));
        QCOMPARE(plan.summary(),
                 QStringLiteral("kept 3 (1 failed), changed 1, new 1, failed before 0, "
                                "unfinished 0, removed 1: 2 tasks run"));
        QVERIFY2(plan.explain(0, *dry->store)
                         .startsWith(QStringLiteral("d: kept (finished identical at ")),
                 qPrintable(plan.explain(0, *dry->store)));
        QCOMPARE(plan.explain(2, *dry->store), QStringLiteral("c: runs: fetch changed"));
        QCOMPARE(plan.explain(4, *dry->store), QStringLiteral("e: runs: new"));
        QVERIFY(plan.explain(3, *dry->store)
                        .startsWith(QStringLiteral("f: kept (failed identical")));
        QCOMPARE(plan.tasks().at(0).earlierRow, 3);
        QCOMPARE(plan.tasks().at(1).earlierRow, 0);
    }
    QCOMPARE(m_server.requestCount(), 5);

    const QString secondJournal = m_dir.filePath(QStringLiteral("second.journal"));
    {
        Result<OpenedRun> opened
                = RunSession::openEdited(batch, firstJournal, ResumePlan::Mode::Resume);
        QVERIFY2(opened, qPrintable(opened.error()));
        const Status made = RunSession::makeEditedJournal(&*opened, secondJournal);
        QVERIFY2(made, qPrintable(made.error()));
        QCOMPARE(opened->journalPath, secondJournal);
        RunSession session;
        session.adopt(std::move(*opened));
        QCOMPARE(session.unfinishedTasks(), qint64(2));
        const Result<Job *> job = session.resume(settings());
        QVERIFY2(job, qPrintable(job.error()));
        QVERIFY(waitResult(*job));
        // Only the changed and the new task ran.
        QCOMPARE(m_server.requestCount(), 7);
        const QHash<QString, TaskState> after = statesById(*session.store());
        QCOMPARE(after.size(), 5);
        for (const QString &kept : {QStringLiteral("a"), QStringLiteral("d")}) {
            QCOMPARE(after.value(kept).status, TaskStatus::Succeeded);
            QCOMPARE(after.value(kept).result, before.value(kept).result);
            QCOMPARE(after.value(kept).attempts, quint16(1));
        }
        QCOMPARE(after.value(QStringLiteral("c")).status, TaskStatus::Succeeded);
        QCOMPARE(after.value(QStringLiteral("e")).status, TaskStatus::Succeeded);
        QCOMPARE(after.value(QStringLiteral("f")).status, TaskStatus::Failed);
        QCOMPARE(session.earlierResults(), (QVector<int>{0, 1, 3}));
    }
    // The new journal alone holds every task, finished.
    {
        const Result<OpenedRun> reopened = RunSession::open(secondJournal);
        QVERIFY2(reopened, qPrintable(reopened.error()));
        QCOMPARE(reopened->store->size(), 5);
        QCOMPARE(reopened->finishedRows.size(), 5);
        QCOMPARE(reopened->store->spec(4).id, QStringLiteral("e"));
        QCOMPARE(reopened->store->state(1).result, before.value(QStringLiteral("a")).result);
    }
    // Retrying the failed against it: the failed identical task runs, nothing else.
    {
        const Result<OpenedRun> retry
                = RunSession::openEdited(batch, secondJournal, ResumePlan::Mode::RetryFailed, {});
        QVERIFY2(retry, qPrintable(retry.error()));
        const ResumePlan &plan = *retry->resumePlan;
        QCOMPARE(plan.count(ResumePlan::Decision::Kept), qint64(4));
        QCOMPARE(plan.count(ResumePlan::Decision::FailedBefore), qint64(1));
        QCOMPARE(plan.toRun(), qint64(1));
        QVERIFY(plan.explain(3, *retry->store)
                        .startsWith(QStringLiteral("f: runs: failed before")));
    }
    // The first journal is left as it was.
    {
        const Result<OpenedRun> first = RunSession::open(firstJournal);
        QVERIFY2(first, qPrintable(first.error()));
        QCOMPARE(first->store->size(), 5);
        QCOMPARE(first->store->spec(1).id, QStringLiteral("b"));
    }
}

void tst_ResumePlan::editedUrlListComparesEachTasksUrl()
{
    // A URL list's tasks share one shape that holds their URLs: each task is still
    // compared by its own URL, so a line whose URL changed runs again.
    const QByteArray base = m_server.baseUrl();
    const QString list = writeTestFile(m_dir, QStringLiteral("edited.txt"),
                                       base + "/delay?ms=0&bytes=10&seed=1\n" + base
                                               + "/delay?ms=0&bytes=10&seed=2\n" + base
                                               + "/delay?ms=0&bytes=10&seed=3\n");
    const QString journal = m_dir.filePath(QStringLiteral("list.journal"));
    const int requestsBefore = m_server.requestCount();
    QHash<QString, TaskState> states;
    QVERIFY(runRecorded(list, journal, &states));
    QCOMPARE(states.size(), 3);
    QCOMPARE(m_server.requestCount(), requestsBefore + 3);
    // The second line's URL changed; a fourth line is new.
    writeTestFile(m_dir, QStringLiteral("edited.txt"),
                  base + "/delay?ms=0&bytes=10&seed=1\n" + base + "/delay?ms=0&bytes=10&seed=22\n"
                          + base + "/delay?ms=0&bytes=10&seed=3\n" + base
                          + "/delay?ms=0&bytes=10&seed=4\n");
    const Result<OpenedRun> dry
            = RunSession::openEdited(list, journal, ResumePlan::Mode::Resume, {});
    QVERIFY2(dry, qPrintable(dry.error()));
    const ResumePlan &plan = *dry->resumePlan;
    QCOMPARE(plan.count(ResumePlan::Decision::Kept), qint64(2));
    QCOMPARE(plan.count(ResumePlan::Decision::Changed), qint64(1));
    QCOMPARE(plan.count(ResumePlan::Decision::New), qint64(1));
    QCOMPARE(plan.explain(1, *dry->store), QStringLiteral("2: runs: fetch changed"));
    QCOMPARE(dry->store->spec(1).url(), base + "/delay?ms=0&bytes=10&seed=22");
}

void tst_ResumePlan::refusesWhatIsNotAJournal()
{
    const QString batch = writeTestFile(m_dir, QStringLiteral("plain.jsonl"),
                                        R"({"id":"a","compute":{"op":"sum_to","n":3}})"
                                        "\n");
    const Result<OpenedRun> opened = RunSession::openEdited(batch, batch, ResumePlan::Mode::Resume);
    QVERIFY(!opened);
    QVERIFY2(opened.error().contains(QStringLiteral("is not a Brigade journal")),
             qPrintable(opened.error()));
}

QTEST_GUILESS_MAIN(tst_ResumePlan)
#include "tst_resumeplan.moc"
