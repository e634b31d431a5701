// The run journal on its own: create, append, restore, refuse what is not a journal.
#include "batch/BatchParser.h"
#include "journal/Journal.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;

class tst_Journal : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip();
    void processOutcomesRoundTrip();
    void extremeValuesRoundTrip();
    void repeatedFieldsRoundTrip();
    void resultsGoThroughAWriteAheadLog();
    void resetMakesTasksRunAgain();
    void ownerOnly();
    void foreignFilesAreRefused_data();
    void foreignFilesAreRefused();
    void truncatedJournalIsCalledDamaged();
    void corruptSegmentIsReported();
    void defaultPathsNeverCollide();
    void finishTimesAndWorkerHosts();
    void olderJournalWithoutTimesOrHosts();
    void logStaysSmallWhateverThePageSize_data();
    void logStaysSmallWhateverThePageSize();

private:
    static std::shared_ptr<TaskStore> storeFor(const QByteArray &batch);
    QTemporaryDir m_dir;
};

static const QByteArray Batch3 = "{\"id\":\"a\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n"
                                 "{\"id\":\"b\",\"compute\":{\"op\":\"sum_to\",\"n\":2}}\n"
                                 "{\"id\":\"c\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n";

std::shared_ptr<TaskStore> tst_Journal::storeFor(const QByteArray &batch)
{
    return std::make_shared<TaskStore>(
            BatchParser::parseData(batch, QStringLiteral("t.jsonl")).tasks);
}

static void finish(TaskStore &store, int row, TaskStatus status, const QByteArray &result,
                   QList<AttemptRecord> history = {})
{
    store.write([&](TaskStates &states, TaskStore &s) {
        states[row].status = status;
        states[row].attempts = quint16(history.size() + 1);
        states[row].result = result;
        states[row].worker = 1;
        states[row].fetchUs = 1234;
        states[row].message = status == TaskStatus::Failed ? QStringLiteral("HTTP 503") : QString();
        s.setHistoryLocked(row, history);
    });
}

void tst_Journal::roundTrip()
{
    const QString path = m_dir.filePath(QStringLiteral("rt.journal"));
    auto store = storeFor(Batch3);
    QString error;
    {
        Journal j;
        QVERIFY2(j.create(path, QStringLiteral("/data/t.jsonl"), Batch3, &error),
                 qPrintable(error));
        finish(*store, 2, TaskStatus::Succeeded, "6");
        QVERIFY(j.appendFinished(*store, {2}, &error));
        AttemptRecord lost;
        lost.attempt = 1;
        lost.error = ErrorKind::WorkerLost;
        lost.message = QStringLiteral("worker 0 lost: crashed");
        finish(*store, 0, TaskStatus::Failed, {}, {lost});
        QVERIFY(j.appendFinished(*store, {0, 1}, &error)); // row 1 is not final: skipped
    }
    Journal j;
    QVERIFY2(j.open(path, &error), qPrintable(error));
    QCOMPARE(j.batchPath(), QStringLiteral("/data/t.jsonl"));
    QCOMPARE(j.batchData(&error), Batch3);
    auto restored = storeFor(j.batchData(&error));
    QVector<int> order;
    QVERIFY2(j.restore(*restored, &error, &order), qPrintable(error));
    QCOMPARE(order, (QVector<int>{2, 0}));
    QCOMPARE(restored->state(2).status, TaskStatus::Succeeded);
    QCOMPARE(restored->state(2).result, QByteArray("6"));
    QCOMPARE(restored->state(2).fetchUs, 1234u);
    QCOMPARE(restored->state(1).status, TaskStatus::Queued);
    QCOMPARE(restored->state(0).status, TaskStatus::Failed);
    QCOMPARE(restored->state(0).message, QStringLiteral("HTTP 503"));
    const auto history = restored->attemptHistory(0);
    QCOMPARE(history.size(), 1);
    QCOMPARE(history[0].error, ErrorKind::WorkerLost);
    QCOMPARE(history[0].message, QStringLiteral("worker 0 lost: crashed"));
}

// Commands and program calls: exit codes, signals, commands and output tails, of the final
// attempt and of every failed one, come back from the journal for the details and --output.
void tst_Journal::processOutcomesRoundTrip()
{
    const QString path = m_dir.filePath(QStringLiteral("process.journal"));
    auto store = storeFor(Batch3);
    ProcessOutcome killed;
    killed.signal = 11;
    killed.command = QStringLiteral("convert 'a b.jpg' b.png");
    killed.stderrTail = "Segmentation fault\n";
    AttemptRecord first;
    first.attempt = 1;
    first.error = ErrorKind::Exit;
    first.message = QStringLiteral("killed by SIGSEGV: Segmentation fault");
    first.process = killed;
    ProcessOutcome finalOne;
    finalOne.exitCode = -5; // any int a command could exit with, through a zigzag varint
    finalOne.command = QStringLiteral("convert 'a b.jpg' b.png");
    finalOne.stdoutTail = "partial\n";
    finalOne.stderrTail = QByteArray(ProcessOutcome::MaxTailBytes, 'e');
    QString error;
    {
        Journal j;
        QVERIFY2(j.create(path, QStringLiteral("/data/t.jsonl"), Batch3, &error),
                 qPrintable(error));
        finish(*store, 0, TaskStatus::Failed, {}, {first});
        finish(*store, 1, TaskStatus::Succeeded, "1"); // a built-in op: no process record
        ProcessOutcome ok;
        ok.exitCode = 0;
        ok.command = QStringLiteral("/bin/true");
        store->write([&](TaskStates &, TaskStore &s) { s.setProcessLocked(0, finalOne); });
        finish(*store, 2, TaskStatus::Succeeded, "\"\"");
        store->write([&](TaskStates &, TaskStore &s) { s.setProcessLocked(2, ok); });
        QVERIFY(j.appendFinished(*store, {0, 1, 2}, &error));
    }
    Journal j;
    QVERIFY2(j.open(path, &error), qPrintable(error));
    auto restored = storeFor(Batch3);
    QVERIFY2(j.restore(*restored, &error), qPrintable(error));
    const ProcessOutcome p0 = restored->process(0);
    QCOMPARE(p0.exitCode, -5);
    QCOMPARE(p0.command, finalOne.command);
    QCOMPARE(p0.stdoutTail, finalOne.stdoutTail);
    QCOMPARE(p0.stderrTail, finalOne.stderrTail);
    const QList<AttemptRecord> history = restored->attemptHistory(0);
    QCOMPARE(history.size(), 1);
    QCOMPARE(history[0].error, ErrorKind::Exit);
    QCOMPARE(history[0].process.signal, quint8(11));
    QCOMPARE(history[0].process.exitCode, ProcessOutcome::NoExitCode);
    QCOMPARE(history[0].process.stderrTail, QByteArray("Segmentation fault\n"));
    QVERIFY(restored->process(1).isEmpty());
    QCOMPARE(restored->process(2).exitCode, 0);
    QCOMPARE(restored->process(2).command, QStringLiteral("/bin/true"));
}

// Records are varints and row deltas: values at the edges of their types, negative
// deltas and multi-byte lengths must come back exactly.
void tst_Journal::extremeValuesRoundTrip()
{
    const QString path = m_dir.filePath(QStringLiteral("edges.journal"));
    QByteArray batch;
    for (int i = 0; i < 300; ++i)
        batch += "{\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n";
    auto store = storeFor(batch);
    const QByteArray longResult(70000, 'x'); // a three-byte length
    store->write([&](TaskStates &states, TaskStore &s) {
        TaskState &big = states[299];
        big.status = TaskStatus::Succeeded;
        big.attempts = 65535;
        big.worker = 32767;
        big.httpStatus = 65535;
        big.bytes = Q_INT64_C(5000000000);
        big.queuedUs = 0xffffffffu;
        big.fetchUs = 0x80000000u;
        big.computeUs = 127;
        big.result = longResult;
        AttemptRecord a;
        a.attempt = 65534;
        a.worker = -1;
        a.error = ErrorKind::Timeout;
        a.httpStatus = 128;
        a.computeUs = 0xffffffffu;
        a.message = QStringLiteral("timed out after 1 s \u2014 retrying");
        s.setHistoryLocked(299, {a, a});
        TaskState &small = states[0];
        small.status = TaskStatus::Cancelled;
        small.error = ErrorKind::Cancelled;
        small.worker = -1;
        small.bytes = -1;
        small.message = QStringLiteral("cancelled");
        states[150].status = TaskStatus::Succeeded;
        states[150].result = "0";
    });
    QString error;
    {
        Journal j;
        QVERIFY2(j.create(path, QStringLiteral("e.jsonl"), batch, &error), qPrintable(error));
        QVERIFY(j.appendFinished(*store, {299, 0, 150}, &error)); // deltas +299, -299, +150
    }
    Journal j;
    QVERIFY2(j.open(path, &error), qPrintable(error));
    auto restored = storeFor(batch);
    QVector<int> order;
    QVERIFY2(j.restore(*restored, &error, &order), qPrintable(error));
    QCOMPARE(order, (QVector<int>{299, 0, 150}));
    const TaskState big = restored->state(299);
    QCOMPARE(big.attempts, quint16(65535));
    QCOMPARE(big.worker, qint16(32767));
    QCOMPARE(big.httpStatus, quint16(65535));
    QCOMPARE(big.bytes, Q_INT64_C(5000000000));
    QCOMPARE(big.queuedUs, 0xffffffffu);
    QCOMPARE(big.fetchUs, 0x80000000u);
    QCOMPARE(big.computeUs, 127u);
    QCOMPARE(big.result, longResult);
    const auto history = restored->attemptHistory(299);
    QCOMPARE(history.size(), 2);
    QCOMPARE(history[1].attempt, quint16(65534));
    QCOMPARE(history[1].worker, qint16(-1));
    QCOMPARE(history[1].error, ErrorKind::Timeout);
    QCOMPARE(history[1].httpStatus, quint16(128));
    QCOMPARE(history[1].computeUs, 0xffffffffu);
    QCOMPARE(history[1].message, QStringLiteral("timed out after 1 s \u2014 retrying"));
    const TaskState small = restored->state(0);
    QCOMPARE(small.status, TaskStatus::Cancelled);
    QCOMPARE(small.error, ErrorKind::Cancelled);
    QCOMPARE(small.worker, qint16(-1));
    QCOMPARE(small.bytes, qint64(-1));
    QCOMPARE(small.message, QStringLiteral("cancelled"));
    QCOMPARE(restored->state(150).result, QByteArray("0"));
    QCOMPARE(restored->state(1).status, TaskStatus::Queued);
}

// Records leave out what equals the previous record's: mixes of repeated and changed
// fields, across segments, must all come back as written.
void tst_Journal::repeatedFieldsRoundTrip()
{
    const QString path = m_dir.filePath(QStringLiteral("repeats.journal"));
    const int n = 2000;
    QByteArray batch;
    for (int i = 0; i < n; ++i)
        batch += "{\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n";
    auto store = storeFor(batch);
    QRandomGenerator rng(20261122);
    const QByteArray results[] = {"0", "0", "1", "\"a longer result value\"", QByteArray()};
    const TaskStatus statuses[] = {TaskStatus::Succeeded, TaskStatus::Succeeded, TaskStatus::Failed,
                                   TaskStatus::Cancelled};
    store->write([&](TaskStates &states, TaskStore &s) {
        for (int row = 0; row < n; ++row) {
            TaskState &st = states[row];
            st.status = statuses[rng.bounded(4)];
            st.attempts = quint16(1 + rng.bounded(2));
            st.worker = qint16(rng.bounded(3) - 1);
            st.queuedUs = rng.bounded(3) ? 0 : rng.generate();
            st.computeUs = quint32(rng.bounded(3));
            st.result = results[rng.bounded(5)];
            if (rng.bounded(4) == 0) {
                st.error = ErrorKind::HttpStatus;
                st.httpStatus = 503;
                st.bytes = rng.bounded(100000);
                st.fetchUs = rng.generate();
                st.message = QStringLiteral("HTTP 503 on try %1").arg(row);
            }
            if (st.attempts > 1) {
                AttemptRecord a;
                a.attempt = 1;
                a.worker = st.worker;
                a.error = ErrorKind::Timeout;
                a.message = QStringLiteral("timed out");
                s.setHistoryLocked(row, {a});
            }
        }
    });
    QVector<int> order(n);
    for (int i = 0; i < n; ++i)
        order[i] = (i * 7919) % n; // every row once, in a scrambled order
    QString error;
    {
        Journal j;
        QVERIFY2(j.create(path, QStringLiteral("r.jsonl"), batch, &error), qPrintable(error));
        QVERIFY(j.appendFinished(*store, order.mid(0, 700), &error));
        QVERIFY(j.appendFinished(*store, order.mid(700, 1), &error));
        QVERIFY(j.appendFinished(*store, order.mid(701), &error));
    }
    Journal j;
    QVERIFY2(j.open(path, &error), qPrintable(error));
    auto restored = storeFor(batch);
    QVector<int> restoredOrder;
    QVERIFY2(j.restore(*restored, &error, &restoredOrder), qPrintable(error));
    QCOMPARE(restoredOrder, order);
    for (int row = 0; row < n; ++row) {
        const TaskState a = store->state(row);
        const TaskState b = restored->state(row);
        QCOMPARE(b.status, a.status);
        QCOMPARE(b.attempts, a.attempts);
        QCOMPARE(b.worker, a.worker);
        QCOMPARE(b.queuedUs, a.queuedUs);
        QCOMPARE(b.computeUs, a.computeUs);
        QCOMPARE(b.result, a.result);
        QCOMPARE(b.error, a.error);
        QCOMPARE(b.httpStatus, a.httpStatus);
        QCOMPARE(b.bytes, a.bytes);
        QCOMPARE(b.fetchUs, a.fetchUs);
        QCOMPARE(b.message, a.message);
        QCOMPARE(restored->attemptHistory(row).size(), store->attemptHistory(row).size());
    }
}

// Built without a log (it is thrown away if creating it fails), but once in place every
// append goes through SQLite's write-ahead log.
void tst_Journal::resultsGoThroughAWriteAheadLog()
{
    const QString path = m_dir.filePath(QStringLiteral("wal.journal"));
    QString error;
    Journal j;
    QVERIFY2(j.create(path, QStringLiteral("t.jsonl"), Batch3, &error), qPrintable(error));
    QVERIFY(!QFile::exists(path + QStringLiteral(".partial")));
    auto store = storeFor(Batch3);
    finish(*store, 1, TaskStatus::Succeeded, "3");
    QVERIFY(j.appendFinished(*store, {1}, &error));
    QVERIFY(QFile::exists(path + QStringLiteral("-wal")));
    {
        auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
}

void tst_Journal::resetMakesTasksRunAgain()
{
    const QString path = m_dir.filePath(QStringLiteral("reset.journal"));
    auto store = storeFor(Batch3);
    QString error;
    Journal j;
    QVERIFY(j.create(path, QStringLiteral("t.jsonl"), Batch3, &error));
    finish(*store, 0, TaskStatus::Failed, {});
    finish(*store, 1, TaskStatus::Succeeded, "3");
    QVERIFY(j.appendFinished(*store, {0, 1}, &error));
    QVERIFY(j.appendReset({0}, &error));
    auto restored = storeFor(Batch3);
    QVector<int> order;
    QVERIFY(j.restore(*restored, &error, &order));
    QCOMPARE(restored->state(0).status, TaskStatus::Queued);
    QCOMPARE(order, QVector<int>{1});
    // It finishes again later: the newer record wins and comes last.
    finish(*store, 0, TaskStatus::Succeeded, "1");
    QVERIFY(j.appendFinished(*store, {0}, &error));
    restored = storeFor(Batch3);
    QVERIFY(j.restore(*restored, &error, &order));
    QCOMPARE(restored->state(0).status, TaskStatus::Succeeded);
    QCOMPARE(order, (QVector<int>{1, 0}));
}

void tst_Journal::ownerOnly()
{
    const QString path = m_dir.filePath(QStringLiteral("perm.journal"));
    Journal j;
    QString error;
    QVERIFY(j.create(path, QStringLiteral("t.jsonl"), Batch3, &error));
    const QFile::Permissions p = QFile::permissions(path);
    QVERIFY(p & QFile::ReadOwner);
    QVERIFY(!(p & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther)));
}

void tst_Journal::foreignFilesAreRefused_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    QTest::newRow("text") << QByteArray("just some text\n")
                          << QStringLiteral("not a Brigade journal");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("not a Brigade journal");
    QByteArray junk(8192, '\0');
    memcpy(junk.data(), "SQLite format 3", 16); // a header, then nonsense
    for (int i = 100; i < junk.size(); ++i)
        junk[i] = char(i * 7);
    QTest::newRow("broken sqlite") << junk << QStringLiteral("not a Brigade journal");
    QTest::newRow("missing") << QByteArray("<missing>") << QStringLiteral("no journal at");
}

void tst_Journal::foreignFilesAreRefused()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    const QString path = m_dir.filePath(QStringLiteral("foreign-%1").arg(QTest::currentDataTag()));
    if (content != "<missing>") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    Journal j;
    QString error;
    QVERIFY(!j.open(path, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    // The database layer's words for a query it could not prepare do not reach the user.
    QVERIFY2(!error.contains(QLatin1String("Parameter count")), qPrintable(error));
    if (expected.startsWith(QLatin1String("not a")))
        QVERIFY2(error.contains(QLatin1String("run the batch file again")), qPrintable(error));
}

void tst_Journal::truncatedJournalIsCalledDamaged()
{
    const QString path = m_dir.filePath(QStringLiteral("truncated.journal"));
    {
        Journal j;
        QString error;
        QVERIFY(j.create(path, QStringLiteral("t.jsonl"), Batch3, &error));
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    const QByteArray head = f.read(100); // the SQLite header alone, no pages
    f.close();
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(head);
    f.close();
    QFile::remove(path + QStringLiteral("-wal"));
    QFile::remove(path + QStringLiteral("-shm"));
    Journal j;
    QString error;
    QVERIFY(!j.open(path, &error));
    QVERIFY2(error.contains(QLatin1String("damaged")), qPrintable(error));
    QVERIFY2(!error.contains(QLatin1String("Parameter count")), qPrintable(error));
}

void tst_Journal::corruptSegmentIsReported()
{
    const QString path = m_dir.filePath(QStringLiteral("corrupt.journal"));
    auto store = storeFor(Batch3);
    QString error;
    {
        Journal j;
        QVERIFY(j.create(path, QStringLiteral("t.jsonl"), Batch3, &error));
        finish(*store, 0, TaskStatus::Succeeded, "1");
        QVERIFY(j.appendFinished(*store, {0}, &error));
    }
    {
        auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("poke"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("UPDATE segments SET data = X'FFFFFFFF0000'")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("poke"));
    Journal j;
    QVERIFY(j.open(path, &error));
    auto restored = storeFor(Batch3);
    QVERIFY(!j.restore(*restored, &error));
    QVERIFY2(error.contains(QLatin1String("corrupt")), qPrintable(error));
}

void tst_Journal::finishTimesAndWorkerHosts()
{
    const QString path = m_dir.filePath(QStringLiteral("times.journal"));
    auto store = storeFor(Batch3);
    QString error;
    Journal j;
    QVERIFY(j.create(path, QStringLiteral("t.jsonl"), Batch3, &error));
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    finish(*store, 0, TaskStatus::Failed, {});
    QVERIFY(j.appendFinished(*store, {0}, &error));
    QVERIFY(j.recordWorkerHost(1, QStringLiteral("node-a"), &error));
    QVERIFY(j.recordWorkerHost(1, QStringLiteral("node-b"), &error)); // the slot's later worker
    QVERIFY(j.recordWorkerHost(2, QStringLiteral("node-c"), &error));
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    Journal reopened;
    QVERIFY(reopened.open(path, &error));
    auto restored = storeFor(Batch3);
    QVector<qint64> at;
    QVERIFY(reopened.restore(*restored, &error, nullptr, &at));
    QCOMPARE(at.size(), 3);
    QVERIFY(at[0] >= before && at[0] <= after);
    QCOMPARE(at[1], -1); // not final
    const QHash<int, QString> hosts = reopened.workerHosts();
    QCOMPARE(hosts.value(1), QStringLiteral("node-b"));
    QCOMPARE(hosts.value(2), QStringLiteral("node-c"));
    QCOMPARE(hosts.size(), 2);
}

void tst_Journal::olderJournalWithoutTimesOrHosts()
{
    // A journal of a Brigade before finish times and worker hosts: read and written as it is.
    const QString path = m_dir.filePath(QStringLiteral("older.journal"));
    auto store = storeFor(Batch3);
    QString error;
    {
        Journal j;
        QVERIFY(j.create(path, QStringLiteral("t.jsonl"), Batch3, &error));
    }
    {
        auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("older"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("ALTER TABLE segments DROP COLUMN at_ms")));
        QVERIFY(q.exec(QStringLiteral("DROP TABLE workers")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("older"));
    Journal j;
    QVERIFY2(j.open(path, &error), qPrintable(error));
    finish(*store, 2, TaskStatus::Succeeded, "6");
    QVERIFY2(j.appendFinished(*store, {2}, &error), qPrintable(error));
    QVERIFY2(j.recordWorkerHost(1, QStringLiteral("node-a"), &error), qPrintable(error));
    QVERIFY(j.workerHosts().isEmpty());
    auto restored = storeFor(Batch3);
    QVector<qint64> at;
    QVERIFY2(j.restore(*restored, &error, nullptr, &at), qPrintable(error));
    QCOMPARE(restored->state(2).status, TaskStatus::Succeeded);
    QCOMPARE(at, (QVector<qint64>{-1, -1, -1}));
}

void tst_Journal::logStaysSmallWhateverThePageSize_data()
{
    QTest::addColumn<int>("pageBytes");
    QTest::newRow("new journal") << Journal::PageBytes;
    QTest::newRow("older journal, 4 KB pages") << 4096;
}

void tst_Journal::logStaysSmallWhateverThePageSize()
{
    // New journals use large pages; older ones keep theirs. Either way the write-ahead log
    // is folded back every few MB: 12 MB of appended lines never make a 12 MB log.
    QFETCH(int, pageBytes);
    const QString path = m_dir.filePath(QStringLiteral("log-%1.journal").arg(pageBytes));
    QString error;
    {
        Journal j;
        QVERIFY2(j.create(path, QStringLiteral("t.jsonl"), Batch3, &error), qPrintable(error));
    }
    {
        auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("pages"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        if (pageBytes != Journal::PageBytes) {
            // As an older Brigade made it.
            QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode=DELETE")));
            QVERIFY(q.exec(QStringLiteral("PRAGMA page_size=%1").arg(pageBytes)));
            QVERIFY(q.exec(QStringLiteral("VACUUM")));
        }
        QVERIFY(q.exec(QStringLiteral("PRAGMA page_size")) && q.next());
        QCOMPARE(q.value(0).toInt(), pageBytes);
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("pages"));

    Journal j;
    QVERIFY2(j.open(path, &error), qPrintable(error));
    QByteArray lines;
    for (int i = 0; lines.size() < 256 * 1024; ++i)
        lines += "{\"id\":\"x" + QByteArray::number(i) + "\",\"compute\":{\"op\":\"sum_to\"}}\n";
    qint64 largestLog = 0;
    for (int i = 0; i < 48; ++i) {
        QVERIFY2(j.appendBatchData(lines, &error), qPrintable(error));
        largestLog = qMax(largestLog, QFileInfo(path + QStringLiteral("-wal")).size());
    }
    QVERIFY2(largestLog < Journal::CheckpointBytes + 2 * lines.size() + 4 * pageBytes,
             qPrintable(QStringLiteral("a log of %1 bytes").arg(largestLog)));
    const QByteArray all = j.batchData(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(all.size(), Batch3.size() + 48 * lines.size());
    QVERIFY(all.startsWith(Batch3));
    QVERIFY(all.endsWith(lines));
}

QTEST_GUILESS_MAIN(tst_Journal)
// Two runs of one batch within a second get two journals, never one replacing the other;
// both are found as journals of that batch.
void tst_Journal::defaultPathsNeverCollide()
{
    QStandardPaths::setTestModeEnabled(true);
    QDir(Journal::defaultDirectory()).removeRecursively();
    const QString batch = m_dir.filePath(QStringLiteral("twice.jsonl"));
    QString error;
    const QString first = Journal::defaultPathFor(batch);
    {
        Journal j;
        QVERIFY2(j.create(first, batch, Batch3, &error), qPrintable(error));
    }
    const QString second = Journal::defaultPathFor(batch);
    QVERIFY(second != first);
    {
        Journal j;
        QVERIFY2(j.create(second, batch, Batch3, &error), qPrintable(error));
    }
    QVERIFY(QFileInfo::exists(first));
    const QStringList found = Journal::journalsNamedFor(batch);
    QCOMPARE(found.size(), 2);
    QVERIFY(found.contains(first));
    QVERIFY(found.contains(second));
    QVERIFY(Journal::journalsNamedFor(m_dir.filePath(QStringLiteral("other.jsonl"))).isEmpty());
    QDir(Journal::defaultDirectory()).removeRecursively();
}

#include "tst_journal.moc"
