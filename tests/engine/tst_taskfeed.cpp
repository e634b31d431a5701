// A run fed while it goes (RunSession::runFeed over a real pipe, real workers): tasks join
// as lines arrive, the engine never holds more than the feed's limit of unstarted tasks,
// reading stops while it is full (the pipe fills) and goes on as tasks start, a bad line is
// reported with its place, and the journal holds every task taken.
#include "TestPipe.h"
#include "TestRunSettings.h"
#include "batch/BatchParser.h"
#include "journal/Journal.h"
#include "run/Engine.h"
#include "run/FeedGate.h"
#include "session/RunSession.h"
#include "session/TaskFeed.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

using namespace Brigade;

namespace {

// A pipe whose write end the test holds.
// A session ready to run fed from pipe, without a journal, and the pipe as its stdin.
FeedSource unjournaledFeed(RunSession &session, const Test::TestPipe &pipe)
{
    session.setJournalling(false);
    session.adopt(RunSession::openFeed(QStringLiteral("stdin.jsonl")));
    FeedSource source;
    source.fd = pipe.fds[0];
    source.name = QStringLiteral("<stdin>");
    return source;
}

// A run fed from pipe, one worker, that skips bad lines.
bool runSkippingBadLines(RunSession &session, const Test::TestPipe &pipe)
{
    FeedSource source = unjournaledFeed(session, pipe);
    source.skipInvalid = true;
    return bool(session.runFeed(source, Test::workerSettings(1, 8)));
}

QByteArray noopLines(int from, int count)
{
    QByteArray out;
    for (int i = from; i < from + count; ++i)
        out += "{\"id\":\"n" + QByteArray::number(i)
               + "\",\"compute\":{\"op\":\"sum_to\",\"n\":" + QByteArray::number(i % 100) + "}}\n";
    return out;
}

} // namespace

class tst_TaskFeed : public QObject
{
    Q_OBJECT
private slots:
    void tasksRunAsLinesArrive();
    void fullEngineStopsReading();
    void readingGoesOnAsTasksStart();
    void badLineReportedOthersRun();
    void badLineStopsWithoutSkipInvalid();
    void lineNumberIdsAreIdsToo();
    void journalHoldsTheStreamedTasks();
};

void tst_TaskFeed::tasksRunAsLinesArrive()
{
    Test::TestPipe pipe;
    RunSession session;
    FeedSource source = unjournaledFeed(session, pipe);
    QSignalSpy finished(&session, &RunSession::finished);
    QSignalSpy ended(&session, &RunSession::feedEnded);
    QVERIFY(session.runFeed(source, Test::workerSettings(2, 64)));
    // A first line, written in two pieces: it runs while the input is still open.
    QVERIFY(pipe.writeAll("{\"id\":\"first\",\"compute\":{\"op\":\"su"));
    QVERIFY(pipe.writeAll("m_to\",\"n\":10}}\n"));
    QTRY_COMPARE_WITH_TIMEOUT(session.store()->counts()[TaskStatus::Succeeded], 1, 30000);
    QCOMPARE(session.store()->state(0).result, QByteArray("55"));
    QVERIFY(session.isRunning());
    QCOMPARE(finished.size(), 0);
    // More, after the first finished: the same run takes them.
    QVERIFY(pipe.writeAll(noopLines(0, 500)));
    QTRY_COMPARE_WITH_TIMEOUT(session.store()->counts()[TaskStatus::Succeeded], 501, 30000);
    QCOMPARE(finished.size(), 0);
    // The end of the input ends the run.
    pipe.closeWrite();
    QVERIFY(finished.wait(30000));
    QCOMPARE(ended.size(), 1);
    QCOMPARE(ended.first().at(0).toLongLong(), 501);
    QCOMPARE(ended.first().at(1).toLongLong(), 0);
    const RunStats stats = finished.first().at(0).value<RunStats>();
    QCOMPARE(stats.total, 501);
    QCOMPARE(stats.succeeded, 501);
    QCOMPARE(session.store()->spec(500).id, QStringLiteral("n499"));
}

void tst_TaskFeed::fullEngineStopsReading()
{
    // Tasks that will not finish during the test, one at a time: all the others wait.
    constexpr qint64 limit = 50;
    Test::TestPipe pipe;
    QVERIFY(::fcntl(pipe.fds[1], F_SETFL, O_NONBLOCK) == 0);
    RunSession session;
    FeedSource source = unjournaledFeed(session, pipe);
    source.maxQueued = limit;
    QVERIFY(session.runFeed(source, Test::workerSettings(1, 1)));
    const std::shared_ptr<FeedGate> gate = session.feed()->gate();
    QByteArray line = "{\"fetch\":{\"delay_ms\":[600000,600000]}}\n";
    QByteArray block;
    for (int i = 0; i < 256; ++i)
        block += line;
    // Write until the pipe is full; the feed must stop taking lines well before 64 MB.
    qint64 written = 0;
    bool full = false;
    for (int i = 0; i < 8192 && !full; ++i) {
        const ssize_t n = ::write(pipe.fds[1], block.constData(), size_t(block.size()));
        if (n < 0) {
            QCOMPARE(errno, EAGAIN);
            // The pipe may only be full because the feed has not caught up yet: it is full
            // for good once the engine holds the limit.
            QTRY_COMPARE_WITH_TIMEOUT(gate->held(), limit, 30000);
            const ssize_t again = ::write(pipe.fds[1], block.constData(), size_t(block.size()));
            full = again < 0 && errno == EAGAIN;
            if (again > 0)
                written += again;
            continue;
        }
        written += n;
        QCoreApplication::processEvents();
    }
    QVERIFY2(full, "the writer never blocked");
    const qint64 lines = written / line.size();
    QVERIFY2(session.store()->size() < lines, qPrintable(QStringLiteral("%1 of %2 lines taken")
                                                                 .arg(session.store()->size())
                                                                 .arg(lines)));
    QCOMPARE(gate->peakHeld(), limit);
    // The worker takes one task once it is up (late under a sanitizer); the feed then reads
    // one more line, and the engine holds the limit again.
    QTRY_COMPARE_WITH_TIMEOUT(session.store()->counts()[TaskStatus::Running], 1, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(session.store()->counts()[TaskStatus::Queued], limit, 30000);
    QCOMPARE(gate->peakHeld(), limit);
    QSignalSpy finished(&session, &RunSession::finished);
    QVERIFY(session.job()->kill());
    QVERIFY(finished.wait(30000));
}

void tst_TaskFeed::readingGoesOnAsTasksStart()
{
    constexpr qint64 limit = 100;
    constexpr int total = 20000;
    Test::TestPipe pipe;
    RunSession session;
    FeedSource source = unjournaledFeed(session, pipe);
    source.maxQueued = limit;
    QSignalSpy finished(&session, &RunSession::finished);
    QVERIFY(session.runFeed(source, Test::workerSettings(2, 16)));
    // A producer that writes everything at once: it blocks on the full pipe until the
    // engine has room, again and again.
    const QByteArray lines = noopLines(0, total);
    bool wrote = false;
    QThread *producer = QThread::create([&] {
        wrote = pipe.writeAll(lines);
        pipe.closeWrite();
    });
    producer->start();
    QVERIFY(finished.wait(120000));
    QVERIFY(producer->wait(10000));
    delete producer;
    QVERIFY(wrote);
    const RunStats stats = finished.first().at(0).value<RunStats>();
    QCOMPARE(stats.total, total);
    QCOMPARE(stats.succeeded, total);
    QVERIFY(session.feed()->gate()->peakHeld() <= limit);
}

void tst_TaskFeed::badLineReportedOthersRun()
{
    Test::TestPipe pipe;
    RunSession session;
    QVERIFY(runSkippingBadLines(session, pipe));
    // Signals come queued: spies made now miss nothing.
    QSignalSpy rejected(&session, &RunSession::feedLineRejected);
    QSignalSpy finished(&session, &RunSession::finished);
    QVERIFY(pipe.writeAll(noopLines(0, 2)));
    QVERIFY(pipe.writeAll("{\"id\":\"bad\",\"compute\":{\"op\":\"no_such_op\"}}\n"));
    QTRY_COMPARE_WITH_TIMEOUT(rejected.size(), 1, 30000);
    const BatchError error = rejected.first().at(0).value<BatchError>();
    QCOMPARE(error.file, QStringLiteral("<stdin>"));
    QCOMPARE(error.line, 3);
    QVERIFY2(error.column > 1, qPrintable(error.toString()));
    QVERIFY(error.toString().startsWith(QStringLiteral("<stdin>:3:")));
    // A duplicate id is refused too, pointing at its "id".
    QVERIFY(pipe.writeAll("{\"id\":\"n0\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n"));
    QTRY_COMPARE_WITH_TIMEOUT(rejected.size(), 2, 30000);
    QCOMPARE(rejected.at(1).at(0).value<BatchError>().toString(),
             QStringLiteral("<stdin>:4:2: duplicate id \"n0\" (an earlier task has it)"));
    QVERIFY(pipe.writeAll(noopLines(2, 3)));
    pipe.closeWrite();
    QVERIFY(finished.wait(30000));
    const RunStats stats = finished.first().at(0).value<RunStats>();
    QCOMPARE(stats.total, 5);
    QCOMPARE(stats.succeeded, 5);
}

void tst_TaskFeed::badLineStopsWithoutSkipInvalid()
{
    Test::TestPipe pipe;
    RunSession session;
    FeedSource source = unjournaledFeed(session, pipe);
    QSignalSpy ended(&session, &RunSession::feedEnded);
    QSignalSpy finished(&session, &RunSession::finished);
    QVERIFY(session.runFeed(source, Test::workerSettings(1, 8)));
    // Written at once: the line after the bad one is in the same read, and still not run.
    QVERIFY(pipe.writeAll(noopLines(0, 2) + "{\"id\":\n" + noopLines(2, 1)));
    QVERIFY(finished.wait(30000));
    QCOMPARE(ended.size(), 1);
    QCOMPARE(ended.first().at(0).toLongLong(), 2);
    QCOMPARE(ended.first().at(1).toLongLong(), 1);
    QCOMPARE(finished.first().at(0).value<RunStats>().succeeded, 2);
}

void tst_TaskFeed::lineNumberIdsAreIdsToo()
{
    // A task without an id has its line's number, which a written id may not take (nor
    // the other way round), as in a batch file.
    Test::TestPipe pipe;
    RunSession session;
    QVERIFY(runSkippingBadLines(session, pipe));
    // Signals come queued: spies made now miss nothing.
    QSignalSpy rejected(&session, &RunSession::feedLineRejected);
    QSignalSpy finished(&session, &RunSession::finished);
    QVERIFY(pipe.writeAll("{\"defaults\":{\"compute\":{\"op\":\"sum_to\",\"n\":1}}}\n"
                          "{\"id\":\"4\"}\n"    // line 2: the id line 4 would have
                          "{}\n"                // line 3: id "3"
                          "{}\n"                // line 4: id "4", taken
                          "{\"id\":\"3\"}\n"    // line 5: taken by line 3
                          "{\"id\":\"03\"}\n"   // line 6: another id
                          "{\"id\":\"7\"}\n")); // line 7: its own number
    pipe.closeWrite();
    QVERIFY(finished.wait(30000));
    QCOMPARE(rejected.size(), 2);
    QCOMPARE(rejected.at(0).at(0).value<BatchError>().toString(),
             QStringLiteral("<stdin>:4:1: duplicate id \"4\" (an earlier task has it)"));
    QCOMPARE(rejected.at(1).at(0).value<BatchError>().toString(),
             QStringLiteral("<stdin>:5:2: duplicate id \"3\" (an earlier task has it)"));
    QCOMPARE(finished.first().at(0).value<RunStats>().succeeded, 4);
}

void tst_TaskFeed::journalHoldsTheStreamedTasks()
{
    QTemporaryDir dir;
    const QString journalPath = dir.filePath(QStringLiteral("fed.journal"));
    Test::TestPipe pipe;
    {
        RunSession session;
        session.setJournalPath(journalPath);
        session.adopt(RunSession::openFeed(dir.filePath(QStringLiteral("stdin.jsonl"))));
        FeedSource source;
        source.fd = pipe.fds[0];
        source.name = QStringLiteral("<stdin>");
        source.skipInvalid = true;
        QSignalSpy finished(&session, &RunSession::finished);
        QSignalSpy messages(&session, &RunSession::message);
        QVERIFY(session.runFeed(source, Test::workerSettings(1, 8)));
        QVERIFY(pipe.writeAll("{\"defaults\":{\"compute\":{\"op\":\"sum_to\",\"n\":3}}}\n"));
        QVERIFY(pipe.writeAll("{\"id\":\"a\"}\n{\"id\":\"b\",\"fetch\":7}\n"));
        QTRY_COMPARE_WITH_TIMEOUT(session.store()->size(), 1, 30000);
        QVERIFY(pipe.writeAll("\n{}\n{\"id\":\"c\"}\n"));
        pipe.closeWrite();
        QVERIFY(finished.wait(30000));
        QCOMPARE(session.store()->size(), 3);
        QVERIFY2(messages.isEmpty(), qPrintable(messages.value(0).value(0).toString()));
    }
    // The journal's batch is the input, the bad line's place kept: parsed again it makes the
    // same tasks in the same rows, ids from line numbers included.
    Journal journal;
    QString error;
    QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
    const QByteArray data = journal.batchData(&error);
    QVERIFY(error.isEmpty());
    QCOMPARE(data,
             QByteArray("{\"defaults\":{\"compute\":{\"op\":\"sum_to\",\"n\":3}}}\n{\"id\":\"a\"}"
                        "\n\n\n{}\n{\"id\":\"c\"}\n"));
    const Batch batch = BatchParser::parseData(data, journal.batchPath());
    QCOMPARE(batch.errorCount, 0);
    QCOMPARE(batch.tasks.size(), 3);
    QCOMPARE(batch.tasks[0].id, QStringLiteral("a"));
    QCOMPARE(batch.tasks[1].id, QStringLiteral("5"));
    QCOMPARE(batch.tasks[2].id, QStringLiteral("c"));
    Result<OpenedRun> opened = RunSession::open(journalPath);
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error()));
    QCOMPARE(opened->store->counts()[TaskStatus::Succeeded], 3);
}

QTEST_GUILESS_MAIN(tst_TaskFeed)
#include "tst_taskfeed.moc"
