// MapReduce jobs end to end: the batch line, MapReduceJob with real brigade-worker
// processes against a plain single-threaded count, and the CLI.
#include "MapReduceReference.h"
#include "TestFiles.h"
#include "batch/BatchParser.h"
#include "core/TaskStore.h"
#include "mapreduce/CountTable.h"
#include "mapreduce/MapReduceJob.h"
#include "run/Engine.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace Brigade;
using namespace Brigade::Test;

namespace {

RunSettings testSettings()
{
    RunSettings s;
    s.workers = 2;
    s.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    s.seed = 1;
    return s;
}

QHash<QByteArray, quint64> toHash(const CountTable &table)
{
    QHash<QByteArray, quint64> out;
    for (qint64 i = 0; i < table.size(); ++i)
        out.insert(table.key(i).toByteArray(), table.count(i));
    return out;
}

} // namespace

class TestMapReduce : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();

    void batchLine();
    void batchLineErrors_data();
    void batchLineErrors();
    void jobIsAloneInItsBatch();

    void matchesReference_data();
    void matchesReference();
    void badLinesAcrossInputs();
    void emptyInputs();
    void unreadableInputRefusesToStart();
    void fileChangingDuringTheRunFails();
    void partialsLeaveTheStoreOnceMerged();
    void largePartialResults();
    void resultTooLargeForAFrameFailsTheChunk();
    void cancel();
    void cliPrintsAndWritesTotals();
    void cliRefusesMissingInput();
    void cliOnFinishAndBell();

private:
    QString writeFile(const QString &name, const QByteArray &data)
    {
        return Test::writeTestFile(m_dir, name, data);
    }
    // Runs spec to the end and returns its result (status Failed with "timeout" if it hung).
    MapReduceResult run(const MapReduceSpec &spec, QList<MapReduceProgress> *progress = nullptr);
    QTemporaryDir m_dir;
};

void TestMapReduce::initTestCase()
{
    QVERIFY(m_dir.isValid());
    qRegisterMetaType<MapReduceProgress>();
    qRegisterMetaType<MapReduceResult>();
}

MapReduceResult TestMapReduce::run(const MapReduceSpec &spec, QList<MapReduceProgress> *progress)
{
    MapReduceJob job(spec, testSettings());
    QSignalSpy finished(&job, &Job::result);
    if (progress)
        connect(&job, &MapReduceJob::progressChanged, this,
                [progress](const MapReduceProgress &p) { progress->append(p); });
    job.start();
    if (!finished.wait(120000)) {
        MapReduceResult r;
        r.status = MapReduceResult::Status::Failed;
        r.errors << QStringLiteral("timeout");
        return r;
    }
    if (job.error() == Job::StartError) {
        MapReduceResult r = job.mapReduceResult();
        r.errors.prepend(QStringLiteral("start: ") + job.errorText());
        return r;
    }
    return job.mapReduceResult();
}

void TestMapReduce::batchLine()
{
    const QString dataPath = writeFile(QStringLiteral("in.tsv"), "a\t1\t1\t1\n");
    const QByteArray batch
            = R"({"id":"w5","max_attempts":2,"mapreduce":{"input":["in.tsv","file://)"
              + QUrl::fromLocalFile(dataPath).path().toUtf8()
              + R"(","sub/../in.tsv"],"format":"ngram","top":3,"keys":["Aardvark","caf\u00e9"],"chunk_bytes":4096}})";
    const Batch b = BatchParser::parseData(batch, m_dir.filePath(QStringLiteral("job.jsonl")));
    QVERIFY2(!b.hasErrors(), qPrintable(b.errors.value(0).toString()));
    QVERIFY(b.tasks.isEmpty());
    QVERIFY(b.mapReduce.has_value());
    const MapReduceSpec &spec = *b.mapReduce;
    // Relative paths are relative to the batch file; file:// URLs are local paths.
    QCOMPARE(spec.inputs, (QStringList{dataPath, dataPath, dataPath}));
    QCOMPARE(spec.format, MapFormat::Ngram);
    QCOMPARE(spec.top, 3);
    QCOMPARE(spec.keys, (QList<QByteArray>{"Aardvark", "caf\xc3\xa9"}));
    QCOMPARE(spec.chunkBytes, 4096);
    QCOMPARE(spec.id, QStringLiteral("w5"));
    QCOMPARE(spec.maxAttempts, quint16(2));
    QCOMPARE(spec.line, 1);

    const Batch text = BatchParser::parseData(
            "\n{\"mapreduce\":{\"input\":\"/data/x.txt\",\"format\":\"text\"}}\n", "b.jsonl");
    QVERIFY(!text.hasErrors());
    QCOMPARE(text.mapReduce->format, MapFormat::Text);
    QCOMPARE(text.mapReduce->top, MapReduceSpec::DefaultTop);
    QCOMPARE(text.mapReduce->chunkBytes, 0);
    QCOMPARE(text.mapReduce->line, 2);
}

void TestMapReduce::batchLineErrors_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("error");
    QTest::newRow("not an object") << QByteArray(R"({"mapreduce":5})")
                                   << R"(b.jsonl:1:2: expected "mapreduce" to be an object)";
    QTest::newRow("no input") << QByteArray(R"({"mapreduce":{"format":"text"}})")
                              << R"(b.jsonl:1:2: expected "input" in "mapreduce")";
    QTest::newRow("no format") << QByteArray(R"({"mapreduce":{"input":"a"}})")
                               << R"(b.jsonl:1:2: expected "format" in "mapreduce")";
    QTest::newRow("bad format") << QByteArray(R"({"mapreduce":{"input":"a","format":"csv"}})")
                                << R"(b.jsonl:1:27: expected "format" to be "ngram")";
    QTest::newRow("input number") << QByteArray(R"({"mapreduce":{"input":5,"format":"text"}})")
                                  << R"(b.jsonl:1:15: expected "input" to be a file path)";
    QTest::newRow("input empty list") << QByteArray(R"({"mapreduce":{"input":[],"format":"text"}})")
                                      << R"(b.jsonl:1:15: expected "input" to be a file path)";
    QTest::newRow("input empty") << QByteArray(R"({"mapreduce":{"input":"","format":"text"}})")
                                 << R"(b.jsonl:1:15: expected "input" to name a file)";
    QTest::newRow("input http") << QByteArray(
            R"({"mapreduce":{"input":"http://x/y","format":"text"}})")
                                << R"(b.jsonl:1:15: MapReduce inputs are local files)";
    QTest::newRow("top") << QByteArray(R"({"mapreduce":{"input":"a","format":"text","top":-1}})")
                         << R"(b.jsonl:1:43: expected "top" to be an integer from 0 to 1000000)";
    QTest::newRow("keys") << QByteArray(R"({"mapreduce":{"input":"a","format":"text","keys":[1]}})")
                          << R"(b.jsonl:1:43: expected "keys" to be an array)";
    QTest::newRow("chunk_bytes")
            << QByteArray(R"({"mapreduce":{"input":"a","format":"text","chunk_bytes":0.5}})")
            << R"(b.jsonl:1:43: expected "chunk_bytes" to be an integer from 1)";
    QTest::newRow("unknown key") << QByteArray(
            R"({"mapreduce":{"input":"a","format":"text","chunks":3}})")
                                 << R"(b.jsonl:1:43: unknown key "chunks" in "mapreduce")";
    QTest::newRow("with compute") << QByteArray(
            R"({"mapreduce":{"input":"a","format":"text"},"compute":{"op":"sum_to","n":1}})")
                                  << R"(b.jsonl:1:44: a "mapreduce" line takes no "compute")";
    QTest::newRow("map op in a task")
            << QByteArray(R"({"compute":{"op":"map_ngram"}})")
            << R"(b.jsonl:1:13: "map_ngram" is the map step of a MapReduce job)";
}

void TestMapReduce::batchLineErrors()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, error);
    const Batch b = BatchParser::parseData(line, QStringLiteral("b.jsonl"));
    QVERIFY(b.hasErrors());
    QVERIFY(!b.mapReduce);
    QVERIFY2(b.errors.first().toString().startsWith(error),
             qPrintable(b.errors.first().toString()));
}

void TestMapReduce::jobIsAloneInItsBatch()
{
    const QByteArray job = R"({"mapreduce":{"input":"/a","format":"text"}})";
    Batch b = BatchParser::parseData(job + "\n" + job, QStringLiteral("b.jsonl"));
    QCOMPARE(b.errors.size(), 1);
    QCOMPARE(
            b.errors.first().toString(),
            QStringLiteral(
                    R"(b.jsonl:2:1: only one "mapreduce" job per batch (the first is on line 1))"));
    QVERIFY(!b.mapReduce);
    b = BatchParser::parseData(job + "\n{\"compute\":{\"op\":\"sum_to\",\"n\":1}}",
                               QStringLiteral("b.jsonl"));
    QCOMPARE(b.errors.size(), 1);
    QCOMPARE(
            b.errors.first().toString(),
            QStringLiteral(
                    R"(b.jsonl:1:1: a "mapreduce" job must be alone in its batch, but line 2 is a task)"));
    QVERIFY(!b.mapReduce);
}

void TestMapReduce::matchesReference_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("lines");
    QTest::addColumn<qint64>("chunkBytes");
    QTest::newRow("ngram, 1-byte chunks") << int(MapFormat::Ngram) << 301 << qint64(1);
    QTest::newRow("ngram, 7-byte chunks") << int(MapFormat::Ngram) << 2001 << qint64(7);
    QTest::newRow("ngram, 4093-byte chunks") << int(MapFormat::Ngram) << 20001 << qint64(4093);
    QTest::newRow("ngram, automatic") << int(MapFormat::Ngram) << 20000 << qint64(0);
    QTest::newRow("text, 5-byte chunks") << int(MapFormat::Text) << 1001 << qint64(5);
    QTest::newRow("text, 65537-byte chunks") << int(MapFormat::Text) << 30001 << qint64(65537);
}

void TestMapReduce::matchesReference()
{
    QFETCH(int, format);
    QFETCH(int, lines);
    QFETCH(qint64, chunkBytes);
    const bool ngram = MapFormat(format) == MapFormat::Ngram;
    const QByteArray data = ngram ? MapReduceReference::generateNgram(lines, quint32(lines), true)
                                  : MapReduceReference::generateText(lines, quint32(lines));
    const MapReduceReference ref
            = ngram ? MapReduceReference::ngram(data) : MapReduceReference::text(data);
    MapReduceSpec spec;
    spec.inputs << writeFile(QStringLiteral("ref-%1.txt").arg(QTest::currentDataTag()), data);
    spec.format = MapFormat(format);
    spec.chunkBytes = chunkBytes;
    spec.top = 5;
    spec.keys = {"Aardvark", "no such key", "caf\xc3\xa9"};
    QList<MapReduceProgress> progress;
    const MapReduceResult r = run(spec, &progress);
    QVERIFY2(r.succeeded(), qPrintable(r.errors.join(QLatin1Char('\n'))));
    QCOMPARE(r.lines, ref.lines);
    QCOMPARE(r.badLines, ref.badLines);
    QCOMPARE(r.distinctKeys, qint64(ref.totals.size()));
    QCOMPARE(toHash(*r.table), ref.totals);
    quint64 total = 0;
    for (quint64 v : ref.totals)
        total += v;
    QCOMPARE(r.totalCount, total);
    // Top 5 from the reference, ties in byte order.
    QList<QPair<QByteArray, quint64>> sorted;
    for (auto it = ref.totals.cbegin(); it != ref.totals.cend(); ++it)
        sorted.append({it.key(), it.value()});
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    QCOMPARE(r.top.size(), 5);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(r.top[i].key, sorted[i].first);
        QCOMPARE(r.top[i].total, sorted[i].second);
    }
    QCOMPARE(r.keys.size(), 3);
    QCOMPARE(r.keys[0].found, ref.totals.contains("Aardvark"));
    QCOMPARE(r.keys[0].total, ref.totals.value("Aardvark"));
    QVERIFY(!r.keys[1].found);
    QCOMPARE(r.keys[2].total, ref.totals.value("caf\xc3\xa9"));
    // The first bad lines, numbered through the whole file.
    const int examples = int(qMin<qsizetype>(10, ref.badLineNumbers.size()));
    QCOMPARE(r.badExamples.size(), examples);
    for (int i = 0; i < examples; ++i) {
        QCOMPARE(r.badExamples[i].line, ref.badLineNumbers[i]);
        QCOMPARE(r.badExamples[i].file, spec.inputs.first());
    }
    // Progress counts chunks and bytes up to the whole.
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().chunksDone, progress.last().chunksTotal);
    QCOMPARE(progress.last().bytesDone, qint64(data.size()));
    QCOMPARE(r.chunks, progress.last().chunksTotal);
    for (int i = 1; i < progress.size(); ++i)
        QVERIFY(progress[i].chunksDone >= progress[i - 1].chunksDone);
}

void TestMapReduce::badLinesAcrossInputs()
{
    MapReduceSpec spec;
    spec.format = MapFormat::Ngram;
    spec.chunkBytes = 16;
    spec.inputs << writeFile(QStringLiteral("bad1.tsv"), "a\t1\t1\t1\nbroken\nb\t1\t2\t2\n")
                << writeFile(QStringLiteral("none.tsv"), {})
                << writeFile(QStringLiteral("bad2.tsv"),
                             "\r\nc\t1\t3\t3\r\n\r\nc\t2\tx\t1\r\nd\t1\t4\t1");
    const MapReduceResult r = run(spec);
    QVERIFY2(r.succeeded(), qPrintable(r.errors.join(QLatin1Char('\n'))));
    QCOMPARE(toHash(*r.table),
             (QHash<QByteArray, quint64>{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}}));
    QCOMPARE(r.lines, quint64(8));
    QCOMPARE(r.badLines, quint64(2));
    QCOMPARE(r.badExamples.size(), 2);
    QCOMPARE(r.badExamples[0].toString(),
             spec.inputs[0]
                     + QStringLiteral(":2: expected 4 tab-separated columns (word, year, "
                                      "match_count, volume_count)"));
    QCOMPARE(r.badExamples[1].toString(),
             spec.inputs[2] + QStringLiteral(":4: match_count is not a whole number"));
}

void TestMapReduce::emptyInputs()
{
    MapReduceSpec spec;
    spec.format = MapFormat::Text;
    spec.inputs << writeFile(QStringLiteral("empty1"), {})
                << writeFile(QStringLiteral("empty2"), {});
    spec.keys = {"x"};
    const MapReduceResult r = run(spec);
    QVERIFY(r.succeeded());
    QCOMPARE(r.chunks, 0);
    QCOMPARE(r.distinctKeys, 0);
    QCOMPARE(r.lines, quint64(0));
    QVERIFY(r.top.isEmpty());
    QCOMPARE(r.keys.size(), 1);
    QVERIFY(!r.keys[0].found);
}

void TestMapReduce::unreadableInputRefusesToStart()
{
    MapReduceSpec spec;
    spec.inputs << m_dir.filePath(QStringLiteral("does-not-exist"));
    MapReduceJob job(spec, testSettings());
    QSignalSpy result(&job, &Job::result);
    job.start();
    QCOMPARE(result.count(), 0); // never from inside start()
    QVERIFY(result.wait());
    QCOMPARE(job.error(), int(Job::StartError));
    QCOMPARE(job.errorText(), QStringLiteral("cannot read input %1: No such file or directory")
                                      .arg(spec.inputs.first()));
    QVERIFY(job.engine() == nullptr); // nothing ran
    spec.inputs = QStringList{m_dir.path()};
    MapReduceJob folder(spec, testSettings());
    QSignalSpy folderResult(&folder, &Job::result);
    folder.start();
    QVERIFY(folderResult.wait());
    QCOMPARE(folder.error(), int(Job::StartError));
    const QString error = folder.errorText();
    QVERIFY2(error.contains(QLatin1String("is not a regular file"))
                     || error.contains(QLatin1String("Is a directory")),
             qPrintable(error));
}

void TestMapReduce::fileChangingDuringTheRunFails()
{
    const QString path = writeFile(QStringLiteral("growing.tsv"),
                                   MapReduceReference::generateNgram(20000, 3, false));
    MapReduceSpec spec;
    spec.inputs << path;
    spec.format = MapFormat::Ngram;
    spec.chunkBytes = 4096;
    MapReduceJob job(spec, testSettings());
    QSignalSpy finished(&job, &Job::result);
    bool appended = false;
    // As soon as the first chunk is in, the file grows: chunks still to come are refused,
    // and the final look at the file sees it anyway.
    connect(&job, &MapReduceJob::progressChanged, this, [&](const MapReduceProgress &p) {
        if (appended || p.chunksDone == 0)
            return;
        appended = true;
        QFile f(path);
        QVERIFY(f.open(QIODevice::Append));
        f.write("late\t2000\t1\t1\n");
    });
    job.start();
    QVERIFY(finished.wait(60000));
    QVERIFY(appended);
    const MapReduceResult r = job.mapReduceResult();
    QCOMPARE(r.status, MapReduceResult::Status::Failed);
    QCOMPARE(job.error(), int(Job::FailedError));
    QVERIFY(!r.table);
    const QString all = r.errors.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(path + QStringLiteral(" changed during the run: it was ")),
             qPrintable(all));
}

void TestMapReduce::partialsLeaveTheStoreOnceMerged()
{
    MapReduceSpec spec;
    spec.inputs << writeFile(QStringLiteral("drop.tsv"),
                             MapReduceReference::generateNgram(20000, 4, false));
    spec.format = MapFormat::Ngram;
    spec.chunkBytes = 8192;
    MapReduceJob job(spec, testSettings());
    QSignalSpy finished(&job, &Job::result);
    job.start();
    // Connected after the job's own slot: by the time this runs, the job has taken the
    // results of these rows out of the store.
    int checked = 0;
    qsizetype held = 0;
    connect(job.engine(), &Engine::tasksFinished, this, [&](const QVector<int> &rows) {
        for (int row : rows) {
            const TaskState st = job.engine()->store()->state(row);
            QCOMPARE(st.status, TaskStatus::Succeeded);
            ++checked;
            held += st.result.size();
        }
    });
    QVERIFY(finished.wait(60000));
    QVERIFY(job.mapReduceResult().succeeded());
    QCOMPARE(job.error(), int(Job::NoError));
    QVERIFY(checked > 10);
    QCOMPARE(held, 0);
}

void TestMapReduce::largePartialResults()
{
    // One chunk with 700,000 distinct words: a result of several MiB in one frame.
    QByteArray data;
    data.reserve(8 << 20);
    for (int i = 0; i < 700000; ++i) {
        data += "word";
        data += QByteArray::number(i);
        data += (i % 10 == 9) ? '\n' : ' ';
    }
    data += "word1\n";
    MapReduceSpec spec;
    spec.inputs << writeFile(QStringLiteral("large.txt"), data);
    spec.format = MapFormat::Text;
    spec.chunkBytes = MapReduceSpec::MaxChunkBytes;
    spec.keys = {"word1", "word699999"};
    const MapReduceResult r = run(spec);
    QVERIFY2(r.succeeded(), qPrintable(r.errors.join(QLatin1Char('\n'))));
    QCOMPARE(r.chunks, 1);
    QCOMPARE(r.distinctKeys, 700000);
    QCOMPARE(r.keys[0].total, quint64(2));
    QCOMPARE(r.keys[1].total, quint64(1));
    QCOMPARE(r.top.first().key, QByteArray("word1"));
}

void TestMapReduce::resultTooLargeForAFrameFailsTheChunk()
{
    // 7,000,000 distinct 8-byte words in one chunk: a result of about 70 MB, more than a
    // frame may hold (64 MiB). The chunk fails with a clear message; the protocol survives.
    QByteArray data(7000000 * 9, Qt::Uninitialized);
    char *p = data.data();
    for (int i = 0; i < 7000000; ++i) {
        std::snprintf(p, 10, "w%07d", i);
        p[8] = (i % 16 == 15) ? '\n' : ' ';
        p += 9;
    }
    MapReduceSpec spec;
    spec.inputs << writeFile(QStringLiteral("huge.txt"), data);
    data = QByteArray();
    spec.format = MapFormat::Text;
    spec.chunkBytes = MapReduceSpec::MaxChunkBytes;
    const MapReduceResult r = run(spec);
    QFile::remove(spec.inputs.first());
    QCOMPARE(r.status, MapReduceResult::Status::Failed);
    QVERIFY2(r.errors.join(QLatin1Char('\n'))
                     .contains(QLatin1String("the result is too large to send")),
             qPrintable(r.errors.join(QLatin1Char('\n'))));
}

void TestMapReduce::cancel()
{
    MapReduceSpec spec;
    spec.inputs << writeFile(QStringLiteral("cancel.tsv"),
                             MapReduceReference::generateNgram(50000, 5, false));
    spec.format = MapFormat::Ngram;
    spec.chunkBytes = 1024;
    MapReduceJob job(spec, testSettings());
    QSignalSpy finished(&job, &Job::result);
    QSignalSpy processed(&job, &Job::processedAmountChanged);
    connect(&job, &MapReduceJob::progressChanged, &job, [&](const MapReduceProgress &p) {
        if (p.chunksDone > 0)
            QVERIFY(job.kill() || job.isKilled());
    });
    job.start();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.count(), 1);
    const MapReduceResult r = job.mapReduceResult();
    QCOMPARE(r.status, MapReduceResult::Status::Cancelled);
    QCOMPARE(job.error(), int(Job::KilledError));
    QVERIFY(!job.isRunning());
    // Amounts are emitted only when they change.
    qint64 last = -1;
    for (const QList<QVariant> &args : std::as_const(processed)) {
        if (args.at(1).value<Job::Unit>() != Job::Unit::Bytes)
            continue;
        QVERIFY(args.at(2).toLongLong() != last);
        last = args.at(2).toLongLong();
    }
}

void TestMapReduce::cliPrintsAndWritesTotals()
{
    const QByteArray data = "Aardvark\t1990\t5\t1\nAardvark\t1991\t7\t2\nb,q\t2000\t12\t1\n"
                            "caf\xc3\xa9\t2000\t3\t1\nzz\t2000\t12\t1\nbad line\n";
    writeFile(QStringLiteral("cli.tsv"), data);
    const QString batch = writeFile(
            QStringLiteral("cli.jsonl"),
            R"({"mapreduce":{"input":"cli.tsv","format":"ngram","top":2,"keys":["Aardvark","nope"]}})");
    for (const QString &out : {QStringLiteral("totals.csv"), QStringLiteral("totals.jsonl")}) {
        const QString outPath = m_dir.filePath(out);
        QProcess p;
        p.start(QStringLiteral(BRIGADE_APP_PATH),
                {QStringLiteral("run"), batch, QStringLiteral("--no-journal"),
                 QStringLiteral("--progress"), QStringLiteral("plain"), QStringLiteral("--workers"),
                 QStringLiteral("2"), QStringLiteral("--output"), outPath});
        QVERIFY(p.waitForFinished(60000));
        const QString stdOut = QString::fromUtf8(p.readAllStandardOutput());
        const QString stdErr = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(stdErr.contains(QLatin1String("mapreduce: chunk 1/1")), qPrintable(stdErr));
        QVERIFY2(stdOut.contains(QLatin1String("4 distinct keys, total 39")), qPrintable(stdOut));
        QVERIFY2(stdOut.contains(QLatin1String("top 2:\n                  12  Aardvark\n"
                                               "                  12  b,q\n")),
                 qPrintable(stdOut));
        QVERIFY2(stdOut.contains(QLatin1String("keys:\n                  12  Aardvark\n"
                                               "                   -  nope (not found)\n")),
                 qPrintable(stdOut));
        QVERIFY2(stdOut.contains(QLatin1String("1 bad line(s), not counted; the first:\n  ")
                                 + m_dir.filePath(QStringLiteral("cli.tsv"))
                                 + QLatin1String(":6: ")),
                 qPrintable(stdOut));
        QFile f(outPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray written = f.readAll();
        if (out.endsWith(QLatin1String(".csv")))
            QCOMPARE(written,
                     QByteArray("key,total\nAardvark,12\n\"b,q\",12\nzz,12\ncaf\xc3\xa9,3\n"));
        else
            QCOMPARE(written, QByteArray("{\"key\":\"Aardvark\",\"total\":12}\n"
                                         "{\"key\":\"b,q\",\"total\":12}\n"
                                         "{\"key\":\"zz\",\"total\":12}\n"
                                         "{\"key\":\"caf\xc3\xa9\",\"total\":3}\n"));
    }
}

void TestMapReduce::cliRefusesMissingInput()
{
    const QString batch = writeFile(QStringLiteral("missing.jsonl"),
                                    R"({"mapreduce":{"input":"nothere.tsv","format":"ngram"}})");
    QProcess p;
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            {QStringLiteral("run"), batch, QStringLiteral("--no-journal")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    const QString stdErr = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(stdErr.contains(QLatin1String("cannot read input ")
                             + m_dir.filePath(QStringLiteral("nothere.tsv"))),
             qPrintable(stdErr));
}

void TestMapReduce::cliOnFinishAndBell()
{
    // A job ends as a run does: the bell rings and --on-finish runs, the job counted as one
    // task; a job that could not start runs neither.
    writeFile(QStringLiteral("finish.tsv"), "a\t2000\t5\t1\nb\t2000\t7\t1\n");
    const QString batch = writeFile(QStringLiteral("finish.jsonl"),
                                    R"({"mapreduce":{"input":"finish.tsv","format":"ngram"}})");
    const QString envFile = m_dir.filePath(QStringLiteral("finish.env"));
    QProcess p;
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            {QStringLiteral("run"), batch, QStringLiteral("--no-journal"),
             QStringLiteral("--progress"), QStringLiteral("none"), QStringLiteral("--bell"),
             QStringLiteral("--on-finish"), QStringLiteral("sh -c 'env > %1'").arg(envFile)});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(p.readAllStandardError().contains('\a'));
    QFile env(envFile);
    QVERIFY(env.open(QIODevice::ReadOnly));
    const QByteArray vars = env.readAll();
    for (const char *line : {"BRIGADE_STATUS=0", "BRIGADE_TOTAL=1", "BRIGADE_SUCCEEDED=1",
                             "BRIGADE_FAILED=0", "BRIGADE_CANCELLED=0", "BRIGADE_JOURNAL="})
        QVERIFY2(vars.contains('\n' + QByteArray(line) + '\n')
                         || vars.startsWith(QByteArray(line) + '\n'),
                 line);
    env.close();
    QFile::remove(envFile);

    const QString missing = writeFile(QStringLiteral("finish-missing.jsonl"),
                                      R"({"mapreduce":{"input":"gone.tsv","format":"ngram"}})");
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            {QStringLiteral("run"), missing, QStringLiteral("--no-journal"),
             QStringLiteral("--bell"), QStringLiteral("--on-finish"),
             QStringLiteral("sh -c 'env > %1'").arg(envFile)});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(!p.readAllStandardError().contains('\a'));
    QVERIFY(!QFile::exists(envFile));
}

QTEST_GUILESS_MAIN(TestMapReduce)
#include "tst_mapreduce.moc"
