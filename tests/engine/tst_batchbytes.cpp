// BatchBytes: the journal's copy of a batch, held or read back from the batch file and
// checked against what was parsed; and a real run whose journal reads its batch back.
#include "EngineHarness.h"
#include "TestFiles.h"
#include "TestRunSettings.h"
#include "journal/BatchBytes.h"
#include "journal/Journal.h"
#include "session/RunSession.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace Brigade;
using namespace Brigade::Test;

class tst_BatchBytes : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void heldBytesComeInPieces();
    void readBackGivesTheParsedBytes();
    void aChangedFileIsRefused_data();
    void aChangedFileIsRefused();
    void madeBytesAreMadeOnceWhenFirstWanted();
    void sameAsComparesEachForm();
    void runJournalsTheBatchReadBack();
    void runWithAChangedBatchGoesOnUnjournaledAndSaysWhy();

private:
    static QByteArray linesOf(int n);
    // Opens batch to be read back, writes editedTo over it (unless null), and runs it into
    // journal; true when the run ended without an error.
    bool runReadBack(RunSession &session, const QString &batch, const QString &journal,
                     const QByteArray &editedTo = QByteArray());
    QTemporaryDir m_dir;
};

void tst_BatchBytes::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

QByteArray tst_BatchBytes::linesOf(int n)
{
    QByteArray data;
    for (int i = 0; i < n; ++i)
        data += QByteArrayLiteral("{\"id\":\"t") + QByteArray::number(i)
                + QByteArrayLiteral("\",\"compute\":{\"op\":\"sum_to\",\"n\":")
                + QByteArray::number(i) + QByteArrayLiteral("}}\n");
    return data;
}

void tst_BatchBytes::heldBytesComeInPieces()
{
    QByteArray data(BatchBytes::PieceBytes + 10, 'x');
    data[BatchBytes::PieceBytes] = 'y';
    const BatchBytes held(data);
    QVERIFY(!held.isReadBack());
    QCOMPARE(held.size(), data.size());
    QCOMPARE(held.pieceCount(), 2);
    QCOMPARE(held.piece(0)->size(), BatchBytes::PieceBytes);
    QCOMPARE(*held.piece(1), QByteArray("y") + QByteArray(9, 'x'));
    const BatchBytes empty{QByteArray()};
    QCOMPARE(empty.pieceCount(), 1); // an empty batch is still one (empty) piece
    QVERIFY(empty.piece(0)->isEmpty());
}

void tst_BatchBytes::readBackGivesTheParsedBytes()
{
    // Over two pieces, so the second is read from the middle of the file.
    QByteArray data;
    while (data.size() <= BatchBytes::PieceBytes)
        data += linesOf(20000);
    const QString path = writeTestFile(m_dir, QStringLiteral("big.jsonl"), data);
    const BatchBytes back = BatchBytes::readBack(path, data);
    QVERIFY(back.isReadBack());
    QCOMPARE(back.size(), data.size());
    QCOMPARE(back.pieceCount(), 2);
    QByteArray joined;
    for (int i = 0; i < back.pieceCount(); ++i) {
        const Result<QByteArray> piece = back.piece(i);
        QVERIFY2(piece, qPrintable(piece.error()));
        joined += *piece;
    }
    QCOMPARE(joined, data);
    // Lines appended after it was read are not part of what ran, and do not disturb it.
    QFile f(path);
    QVERIFY(f.open(QIODevice::Append));
    f.write(linesOf(3));
    f.close();
    QCOMPARE(*back.piece(1), data.mid(BatchBytes::PieceBytes));
}

void tst_BatchBytes::aChangedFileIsRefused_data()
{
    QTest::addColumn<QByteArray>("now"); // empty: the file is gone
    const QByteArray parsed = linesOf(50);
    QByteArray edited = parsed;
    edited[edited.indexOf("sum_to") + 1] = 'U'; // same size, one byte changed
    QTest::newRow("one byte changed") << edited;
    QTest::newRow("shortened") << parsed.left(parsed.size() - 5);
    QTest::newRow("removed") << QByteArray();
}

void tst_BatchBytes::aChangedFileIsRefused()
{
    QFETCH(QByteArray, now);
    const QByteArray parsed = linesOf(50);
    const QString path = writeTestFile(m_dir, QStringLiteral("changed.jsonl"), parsed);
    const BatchBytes back = BatchBytes::readBack(path, parsed);
    QVERIFY(back.piece(0));
    if (now.isEmpty())
        QVERIFY(QFile::remove(path));
    else
        writeTestFile(m_dir, QStringLiteral("changed.jsonl"), now);
    const Result<QByteArray> piece = back.piece(0);
    QVERIFY(!piece);
    QVERIFY2(piece.error().contains(path), qPrintable(piece.error()));
}

void tst_BatchBytes::madeBytesAreMadeOnceWhenFirstWanted()
{
    // A list of arguments' batch is made by the journal's thread as the run starts; the
    // session's copy and the journal's share what is made, made once.
    std::atomic<int> made{0};
    const QByteArray data = linesOf(20000);
    const BatchBytes lazy = BatchBytes::madeBy([&] {
        ++made;
        return data;
    });
    QVERIFY(lazy.isMade());
    QVERIFY(!lazy.isNull());
    QVERIFY(!lazy.isReadBack());
    QCOMPARE(made.load(), 0); // nothing until wanted
    const BatchBytes copy = lazy;
    QByteArray fromThread;
    QThread *thread = QThread::create([&] { fromThread = *copy.piece(0); });
    thread->start();
    const QByteArray here = *lazy.piece(0);
    QVERIFY(thread->wait(30000));
    delete thread;
    QCOMPARE(made.load(), 1);
    QCOMPARE(here, data);
    QCOMPARE(fromThread, data);
    QCOMPARE(copy.size(), data.size());
    QCOMPARE(made.load(), 1);
}

void tst_BatchBytes::sameAsComparesEachForm()
{
    const QByteArray data = linesOf(40);
    QByteArray other = data;
    other[other.size() / 2] = 'X';
    const BatchBytes held(data);
    QVERIFY(held.sameAs(data));
    QVERIFY(!held.sameAs(other));
    QVERIFY(!held.sameAs(data.left(10)));
    const BatchBytes made = BatchBytes::madeBy([data] { return data; });
    QVERIFY(made.sameAs(data));
    QVERIFY(!made.sameAs(other));
    const QString path = writeTestFile(m_dir, QStringLiteral("same.jsonl"), data);
    const BatchBytes back = BatchBytes::readBack(path, data);
    QVERIFY(QFile::remove(path)); // compared by what was parsed, not by the file
    QVERIFY(back.sameAs(data));
    QVERIFY(!back.sameAs(other));
    QVERIFY(!back.sameAs(data.left(data.size() - 1)));
    QVERIFY(BatchBytes().isNull());
    QVERIFY(!BatchBytes(QByteArray("")).isNull());
}

bool tst_BatchBytes::runReadBack(RunSession &session, const QString &batch, const QString &journal,
                                 const QByteArray &editedTo)
{
    OpenOptions options;
    options.readBatchBack = true;
    Result<OpenedRun> opened = RunSession::open(batch, options);
    if (!opened || !opened->batchData.isEmpty() || !opened->batchBytes.isReadBack())
        return false; // no copy is held while the run goes on
    if (!editedTo.isNull())
        writeTestFile(m_dir, QFileInfo(batch).fileName(), editedTo);
    session.setJournalPath(journal);
    session.adopt(std::move(*opened));
    const Result<Job *> job = session.run(workerSettings(2));
    if (!job)
        return false;
    QSignalSpy result(*job, &Job::result);
    return ((*job)->isFinished() || result.wait(60000)) && (*job)->error() == int(Job::NoError);
}

void tst_BatchBytes::runJournalsTheBatchReadBack()
{
    const QByteArray data = linesOf(300);
    const QString batch = writeTestFile(m_dir, QStringLiteral("back.jsonl"), data);
    const QString journal = m_dir.filePath(QStringLiteral("back.journal"));
    RunSession session;
    QSignalSpy messages(&session, &RunSession::message);
    QVERIFY(runReadBack(session, batch, journal));
    QCOMPARE(messages.count(), 0);
    Journal j;
    QString error;
    QVERIFY2(j.open(journal, &error), qPrintable(error));
    QCOMPARE(j.batchData(&error), data);
    const Result<OpenedRun> reopened = RunSession::open(journal);
    QVERIFY2(reopened, qPrintable(reopened.error()));
    QCOMPARE(reopened->finishedRows.size(), 300);
    QCOMPARE(reopened->store->state(299).result, QByteArray::number(299 * 300 / 2));
}

void tst_BatchBytes::runWithAChangedBatchGoesOnUnjournaledAndSaysWhy()
{
    const QByteArray data = linesOf(100);
    const QString batch = writeTestFile(m_dir, QStringLiteral("edited.jsonl"), data);
    const QString journal = m_dir.filePath(QStringLiteral("edited.journal"));
    // Edited between reading and running: the journal would not hold what runs.
    QByteArray edited = data;
    edited.replace("\"t7\"", "\"u7\"");
    QVERIFY(edited != data);
    RunSession session;
    QSignalSpy messages(&session, &RunSession::message);
    QVERIFY(runReadBack(session, batch, journal, edited));
    // Every task still ran; the run said why it has no journal, and left none behind.
    QCOMPARE(session.store()->counts()[TaskStatus::Succeeded], qint64(100));
    QTRY_VERIFY(!messages.isEmpty());
    const QString why = messages.first().first().toString();
    QVERIFY2(why.contains(QLatin1String("changed after it was read")), qPrintable(why));
    QVERIFY(!QFile::exists(journal));
    QVERIFY(!QFile::exists(journal + QStringLiteral(".partial")));
}

QTEST_GUILESS_MAIN(tst_BatchBytes)
#include "tst_batchbytes.moc"
