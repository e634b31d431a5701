// A long streamed run retires its finished tasks (RunSession::setRetireFinished): through a
// real TaskFeed over a pipe, real workers and a real journal, the store holds a bounded
// number of rows while the counts, what the front end saw and the journal stay complete; a
// resume after a streamed run runs exactly what had not finished; a failing task still
// retries after its neighbours left memory.
#include "EngineHarness.h"
#include "SumBatch.h"
#include "TestPipe.h"
#include "TestRunSettings.h"
#include "core/TaskStore.h"
#include "job/Job.h"
#include "run/Engine.h"
#include "session/RunSession.h"
#include "session/TaskFeed.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

using namespace Brigade;

namespace {

RunSettings testSettings(int workers, int concurrency)
{
    RunSettings s = Test::workerSettings(workers, concurrency);
    s.retry.baseDelayMs = 1;
    s.retry.maxDelayMs = 5;
    return s;
}

// A pipe whose write end the test holds (or a writer thread of its own).
// sum_to n: 0 + 1 + ... + n, the result a task of noopLines() has.
QByteArray sumTo(int n)
{
    return QByteArray::number(qint64(n) * (n + 1) / 2);
}

QByteArray noopLines(int from, int count)
{
    QByteArray out;
    for (int i = from; i < from + count; ++i)
        out += "{\"id\":\"n" + QByteArray::number(i)
               + "\",\"compute\":{\"op\":\"sum_to\",\"n\":" + QByteArray::number(i % 100) + "}}\n";
    return out;
}

// A session that retires, journaled into journalPath, fed from pipe.
FeedSource retiringFeed(RunSession &session, const Test::TestPipe &pipe, const QTemporaryDir &dir,
                        const QString &journalPath)
{
    session.setJournalPath(journalPath);
    session.setRetireFinished(true);
    session.adopt(RunSession::openFeed(dir.filePath(QStringLiteral("stdin.jsonl"))));
    FeedSource source;
    source.fd = pipe.fds[0];
    source.name = QStringLiteral("<stdin>");
    return source;
}

constexpr int Block = TaskStates::BlockSize;

// How much of [p, p + bytes) is in RAM, in KB (whole pages inside the range only).
qint64 residentKb(const void *p, size_t bytes)
{
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
    const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(page - 1);
    if (end <= begin)
        return 0;
    std::vector<unsigned char> in((end - begin) / page);
    if (mincore(reinterpret_cast<void *>(begin), end - begin, in.data()) != 0)
        return -1;
    const auto pages = std::count_if(in.begin(), in.end(), [](unsigned char c) { return c & 1; });
    return qint64(pages) * qint64(page) / 1024;
}

} // namespace

class tst_StreamRetire : public QObject
{
    Q_OBJECT
private slots:
    void storeFreesWholeBlocks();
    void batchRowsGiveBackTheirSpecs();
    void specMemoryGoesBackWindowByWindow();
    void runWaitsForItsFinishedToRetire();
    void manyStreamedTasksStayBounded();
    void resumeAfterStreamedRunRunsTheUnfinished();
    void retriesAfterNeighboursRetired();
};

void tst_StreamRetire::storeFreesWholeBlocks()
{
    // Rows retire one by one; a block goes once all of its rows did, and counts stay exact.
    TaskStore store;
    QVector<TaskSpec> specs(2 * Block + 10);
    for (int i = 0; i < specs.size(); ++i)
        specs[i].id = QStringLiteral("t%1").arg(i);
    QVector<int> firstBlock;
    store.write([&](TaskStates &states, TaskStore &s) {
        s.appendLocked(specs);
        for (int row = 0; row < s.size(); ++row)
            states[row].status = row % 3 == 0 ? TaskStatus::Failed : TaskStatus::Succeeded;
        states[2 * Block + 1].status = TaskStatus::Running;
    });
    for (int row = 0; row < Block - 1; ++row)
        firstBlock << row;
    const StatusCounts before = store.counts();
    QCOMPARE(store.heldRows(), 3 * Block);

    QVector<int> freed;
    store.write([&](TaskStates &, TaskStore &s) { freed = s.retireLocked(firstBlock); });
    QVERIFY(freed.isEmpty()); // one row of the block is still there
    QCOMPARE(store.retiredRows(), Block - 1);
    QVERIFY(store.isRetired(0));
    QVERIFY(!store.isRetired(Block - 1));
    QCOMPARE(store.spec(5).id, QStringLiteral("t5")); // a block's specs go with it
    // Retired rows are not offered for anything (a retry of the failed, say).
    QVERIFY(!store.rowsWithStatus(TaskStatus::Failed).contains(3));
    QVERIFY(store.rowsWithStatus(TaskStatus::Failed).contains(Block + 2));

    // The last row, twice, and a row not finished: the block goes once, the running row stays.
    store.write([&](TaskStates &, TaskStore &s) {
        freed = s.retireLocked({Block - 1, Block - 1, 2 * Block + 1});
    });
    QCOMPARE(freed, QVector<int>{0});
    QCOMPARE(store.retiredRows(), Block);
    QCOMPARE(store.heldRows(), 2 * Block);
    QVERIFY(store.isRetired(Block - 1));
    QVERIFY(!store.isRetired(2 * Block + 1));
    QVERIFY(store.spec(5).id.isEmpty());
    QVERIFY(isTerminal(store.state(5).status)); // what a walk over every row passes by
    QVERIFY(store.counts().n == before.n);
    QCOMPARE(store.counts()[TaskStatus::Running], 1);
    // Rows after the freed block read as before.
    QCOMPARE(store.spec(Block + 7).id, QStringLiteral("t%1").arg(Block + 7));
    QCOMPARE(store.state(2 * Block + 1).status, TaskStatus::Running);
}

void tst_StreamRetire::batchRowsGiveBackTheirSpecs()
{
    // A batch's rows (the store's own list, not chunks added later) retire as a stream's do:
    // a whole block's specs go, the rest stay, and the store is destroyed cleanly after.
    QVector<TaskSpec> specs(2 * Block + 10);
    auto shape = std::make_shared<const TaskShape>();
    for (int i = 0; i < specs.size(); ++i) {
        specs[i].id = QStringLiteral("t%1").arg(i);
        specs[i].shape = shape;
    }
    QVector<int> rows;
    for (int row = 0; row < specs.size(); ++row)
        rows << row;
    {
        TaskStore store(specs); // shared with the test's copy: that must stay whole
        store.write([&](TaskStates &states, TaskStore &s) {
            for (int row = 0; row < s.size(); ++row)
                states[row].status = TaskStatus::Succeeded;
            s.retireLocked(rows);
        });
        QCOMPARE(store.retiredRows(), specs.size());
        QCOMPARE(specs[5].id, QStringLiteral("t5"));
        QCOMPARE(shape.use_count(), qint64(specs.size()) * 2 + 1);
    }
    {
        TaskStore store(std::exchange(specs, {}));
        QCOMPARE(shape.use_count(), qint64(2 * Block + 10) + 1);
        store.write([&](TaskStates &states, TaskStore &s) {
            for (int row = 0; row < s.size(); ++row)
                states[row].status = TaskStatus::Succeeded;
            s.retireLocked(rows.mid(0, Block + 3));
        });
        // The first block's specs went (their shapes with them); the second's stay.
        QVERIFY(store.spec(5).id.isEmpty());
        QVERIFY(!store.spec(5).shape);
        QCOMPARE(store.spec(Block + 7).id, QStringLiteral("t%1").arg(Block + 7));
        QCOMPARE(shape.use_count(), qint64(Block + 10) + 1);
        QCOMPARE(store.counts()[TaskStatus::Succeeded], 2 * Block + 10);
    }
    QCOMPARE(shape.use_count(), 1); // the kept specs were destroyed with the store
}

void tst_StreamRetire::specMemoryGoesBackWindowByWindow()
{
    // A retired batch's specs give their memory back, but only a whole window at a time:
    // every block over it reset first, so a long run does not pay a system call (and a
    // split huge page) per block.
    constexpr int Blocks = 160; // 36 MB of specs: several whole windows
    constexpr qint64 WindowKb = qint64(TaskStore::GiveBackWindowBytes / 1024);
    QVector<TaskSpec> specs(Blocks * Block);
    for (int i = 0; i < specs.size(); ++i)
        specs[i].line = i + 1; // every page written, so held
    TaskStore store(std::exchange(specs, {}));
    const TaskSpec *list = &store.spec(0);
    const size_t listBytes = size_t(Blocks) * Block * sizeof(TaskSpec);
    const qint64 listKb = qint64(listBytes / 1024);
    if (residentKb(list, listBytes) < 0)
        QSKIP("mincore() does not answer here");
    store.write([&](TaskStates &states, TaskStore &s) {
        for (int row = 0; row < s.size(); ++row)
            states[row].status = TaskStatus::Succeeded;
    });
    auto retireBlocks = [&](int from, int step) {
        QVector<int> rows;
        for (int b = from; b < Blocks; b += step) {
            for (int r = b * Block; r < (b + 1) * Block; ++r)
                rows << r;
        }
        store.write([&](TaskStates &, TaskStore &s) { s.retireLocked(rows); });
    };
    // (Bounds with room: the system may reclaim a few cold pages meanwhile.)
    QVERIFY(residentKb(list, listBytes) >= listKb - WindowKb / 2);

    // Every other block: no window has all of its blocks reset, so nothing goes back yet.
    retireBlocks(0, 2);
    QCOMPARE(store.retiredRows(), Blocks / 2 * Block);
    QVERIFY2(residentKb(list, listBytes) >= listKb - WindowKb / 2,
             qPrintable(QStringLiteral("%1 of %2 KB held")
                                .arg(residentKb(list, listBytes))
                                .arg(listKb)));
    QCOMPARE(list[5].line, 0); // reset all the same
    QCOMPARE(store.spec(Block + 5).line, Block + 6);

    // The rest: every window now goes back whole (all but the list's ragged ends).
    retireBlocks(1, 2);
    QCOMPARE(store.retiredRows(), Blocks * Block);
    QVERIFY2(residentKb(list, listBytes) <= 2 * WindowKb,
             qPrintable(QStringLiteral("%1 of %2 KB held")
                                .arg(residentKb(list, listBytes))
                                .arg(listKb)));
}

void tst_StreamRetire::runWaitsForItsFinishedToRetire()
{
    // A run that retires its finished tasks starts no more while maxFinishedHeld of them wait
    // (a journal or a front end that fell behind), and goes on as they are released.
    constexpr int Tasks = 3 * Block;
    constexpr int Held = 1000;
    Test::EngineHarness h;
    h.settings.retireFinished = true;
    h.settings.maxFinishedHeld = Held;
    QVERIFY(h.load(Test::sumTasks(Tasks, 0)));
    QSignalSpy finished(&h.engine(), &Engine::finished);
    h.start();
    QTRY_COMPARE_WITH_TIMEOUT(h.finishedOrder.size(), Held, 30000);
    QVERIFY(!finished.wait(500)); // it waits
    QCOMPARE(h.finishedOrder.size(), Held);
    QCOMPARE(h.store().counts()[TaskStatus::Running], 0);

    qsizetype released = 0;
    auto release = [&] {
        h.engine().releaseRows(h.finishedOrder.mid(released));
        released = h.finishedOrder.size();
    };
    connect(&h.engine(), &Engine::tasksFinished, this, release, Qt::QueuedConnection);
    release();
    QVERIFY(finished.wait(60000));
    QCOMPARE(h.lastStats.succeeded, Tasks);
    QCOMPARE(h.finishedOrder.size(), Tasks);
    QTRY_COMPARE_WITH_TIMEOUT(h.store().retiredRows(), qint64(Tasks), 30000);
}

void tst_StreamRetire::manyStreamedTasksStayBounded()
{
    constexpr int Tasks = 200000;
    constexpr int MaxQueued = 4096;
    QTemporaryDir dir;
    const QString journalPath = dir.filePath(QStringLiteral("stream.journal"));
    Test::TestPipe pipe;
    RunSession session;
    FeedSource source = retiringFeed(session, pipe, dir, journalPath);
    source.maxQueued = MaxQueued;
    QSignalSpy finished(&session, &RunSession::finished);
    QSignalSpy messages(&session, &RunSession::message);
    // What the front end is shown of a finished task is whole: it retires only after.
    qint64 seen = 0, seenWrong = 0, maxHeld = 0;
    connect(&session, &RunSession::tasksFinished, this, [&](const QVector<int> &rows) {
        const TaskStore &store = *session.store();
        for (int row : rows) {
            ++seen;
            const QString id = store.spec(row).id;
            const TaskState st = store.state(row);
            if (store.isRetired(row) || id != QStringLiteral("n%1").arg(row)
                || st.status != TaskStatus::Succeeded || st.result != sumTo(row % 100))
                ++seenWrong;
        }
    });
    connect(&session, &RunSession::progress, this,
            [&] { maxHeld = qMax(maxHeld, session.store()->heldRows()); });
    QVERIFY(session.runFeed(source, testSettings(2, 256)));
    std::thread writer([&pipe] {
        for (int from = 0; from < Tasks; from += 10000) {
            if (!pipe.writeAll(noopLines(from, 10000)))
                break;
        }
        pipe.closeWrite();
    });
    const bool ended = finished.wait(240000);
    writer.join();
    QVERIFY(ended);
    QVERIFY2(messages.isEmpty(), qPrintable(messages.value(0).value(0).toString()));

    const RunStats stats = finished.first().at(0).value<RunStats>();
    QCOMPARE(stats.total, Tasks);
    QCOMPARE(stats.succeeded, Tasks);
    QCOMPARE(seen, Tasks);
    QCOMPARE(seenWrong, 0);
    const std::shared_ptr<TaskStore> store = session.store();
    QCOMPARE(store->size(), Tasks);
    // Every row retires (the last ones once the run's final update was seen) ...
    QTRY_COMPARE_WITH_TIMEOUT(store->retiredRows(), qint64(Tasks), 30000);
    QCOMPARE(store->counts()[TaskStatus::Succeeded], Tasks);
    QCOMPARE(store->counts().total(), Tasks);
    QVERIFY(store->heldRows() <= Block); // the last, partial block
    // ... and no more than a few blocks were ever held: the queue's limit, the tasks in
    // flight and those finishing, not the 49 blocks of the whole stream.
    qInfo("held at most %lld rows of %d", maxHeld, Tasks);
    QVERIFY2(maxHeld <= 8 * Block, qPrintable(QString::number(maxHeld)));
    QVERIFY(maxHeld > 0);

    // The journal has every task and its result.
    Result<OpenedRun> opened = RunSession::open(journalPath);
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error()));
    QCOMPARE(opened->store->size(), Tasks);
    QCOMPARE(opened->store->counts()[TaskStatus::Succeeded], Tasks);
    for (int row : {0, 4095, 4096, 123456, Tasks - 1}) {
        QCOMPARE(opened->store->spec(row).id, QStringLiteral("n%1").arg(row));
        QCOMPARE(opened->store->state(row).result, sumTo(row % 100));
    }
}

void tst_StreamRetire::resumeAfterStreamedRunRunsTheUnfinished()
{
    constexpr int Fast = 3 * Block;
    constexpr int Slow = 40;
    QTemporaryDir dir;
    const QString journalPath = dir.filePath(QStringLiteral("stream.journal"));
    {
        Test::TestPipe pipe;
        RunSession session;
        FeedSource source = retiringFeed(session, pipe, dir, journalPath);
        QSignalSpy finished(&session, &RunSession::finished);
        QVERIFY(session.runFeed(source, testSettings(2, 256)));
        QVERIFY(pipe.writeAll(noopLines(0, Fast)));
        QTRY_COMPARE_WITH_TIMEOUT(session.store()->retiredRows(), qint64(Fast), 60000);
        // Tasks that will not finish before the run is cancelled.
        QByteArray slow;
        for (int i = 0; i < Slow; ++i)
            slow += "{\"id\":\"slow" + QByteArray::number(i)
                    + "\",\"fetch\":{\"delay_ms\":3000},\"compute\":{\"op\":\"sum_to\",\"n\":4}}\n";
        QVERIFY(pipe.writeAll(slow));
        QTRY_COMPARE_WITH_TIMEOUT(session.store()->counts()[TaskStatus::Running], Slow, 30000);
        session.job()->kill();
        QVERIFY(finished.wait(30000));
        const RunStats stats = finished.first().at(0).value<RunStats>();
        QCOMPARE(stats.total, Fast + Slow);
        QCOMPARE(stats.succeeded, Fast);
        QCOMPARE(stats.cancelled, Slow);
    }
    // The resume runs the slow tasks and nothing else.
    Result<OpenedRun> opened = RunSession::open(journalPath);
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error()));
    RunSession session;
    session.adopt(std::move(*opened));
    QCOMPARE(session.unfinishedTasks(), Slow);
    QSignalSpy finished(&session, &RunSession::finished);
    QVector<int> ran;
    connect(&session, &RunSession::tasksFinished, this,
            [&](const QVector<int> &rows) { ran += rows; });
    QVERIFY(session.resume(testSettings(2, 64)));
    QVERIFY(finished.wait(60000));
    QCOMPARE(ran.size(), Slow);
    std::sort(ran.begin(), ran.end());
    for (int i = 0; i < Slow; ++i) {
        QCOMPARE(ran[i], Fast + i);
        QCOMPARE(session.store()->spec(ran[i]).id, QStringLiteral("slow%1").arg(i));
        QCOMPARE(session.store()->state(ran[i]).result, sumTo(4));
    }
    QCOMPARE(session.store()->counts()[TaskStatus::Succeeded], Fast + Slow);
    QCOMPARE(session.store()->state(17).result, sumTo(17)); // kept from the streamed run
}

void tst_StreamRetire::retriesAfterNeighboursRetired()
{
    constexpr int Before = 2 * Block;
    QTemporaryDir dir;
    const QString journalPath = dir.filePath(QStringLiteral("stream.journal"));
    Test::TestPipe pipe;
    RunSession session;
    FeedSource source = retiringFeed(session, pipe, dir, journalPath);
    QSignalSpy finished(&session, &RunSession::finished);
    int failingRow = -1;
    quint16 attempts = 0;
    qsizetype earlierAttempts = -1;
    connect(&session, &RunSession::tasksFinished, this, [&](const QVector<int> &rows) {
        for (int row : rows) {
            if (session.store()->spec(row).id != QLatin1String("flaky"))
                continue;
            failingRow = row;
            attempts = session.store()->state(row).attempts;
            earlierAttempts = session.store()->attemptHistory(row).size();
        }
    });
    QVERIFY(session.runFeed(source, testSettings(2, 256)));
    QVERIFY(pipe.writeAll(noopLines(0, Before)));
    QTRY_COMPARE_WITH_TIMEOUT(session.store()->retiredRows(), qint64(Before), 60000);
    // Retired tasks are not run again within the run (the journal's retry-failed does
    // that): the counts stay those of the tasks streamed.
    QVERIFY(session.retrySelected({0, 1, Before - 1}, testSettings(2, 256)));
    // A task that fails every attempt, after its neighbours left memory, and more after it.
    QVERIFY(pipe.writeAll("{\"id\":\"flaky\",\"fetch\":{\"delay_ms\":1,\"fail_rate\":1},"
                          "\"max_attempts\":3}\n"));
    QVERIFY(pipe.writeAll(noopLines(Before + 1, Block)));
    pipe.closeWrite();
    QVERIFY(finished.wait(60000));
    const RunStats stats = finished.first().at(0).value<RunStats>();
    QCOMPARE(stats.total, Before + 1 + Block);
    QCOMPARE(stats.failed, 1);
    QCOMPARE(stats.succeeded, Before + Block);
    QCOMPARE(failingRow, Before);
    QCOMPARE(attempts, quint16(3));
    QCOMPARE(earlierAttempts, 2);
    const FailureSummary failures = session.failures();
    QCOMPARE(failures.groups.size(), 1);
    // The journal has its three attempts.
    Result<OpenedRun> opened = RunSession::open(journalPath);
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error()));
    QCOMPARE(opened->store->state(Before).status, TaskStatus::Failed);
    QCOMPARE(opened->store->state(Before).attempts, quint16(3));
    QCOMPARE(opened->store->attemptHistory(Before).size(), 2);
    QCOMPARE(opened->store->counts()[TaskStatus::Succeeded], Before + Block);
}

QTEST_GUILESS_MAIN(tst_StreamRetire)
#include "tst_streamretire.moc"
