// The pieces of a MapReduce job without workers: the count table, the partial result
// format, the map scanners and their line boundaries, the reducer, the map ops.
#include "MapReduceReference.h"
#include "TestFiles.h"
#include "compute/ComputeRegistry.h"
#include "mapreduce/ChunkMapper.h"
#include "mapreduce/ChunkParams.h"
#include "mapreduce/CountTable.h"
#include "mapreduce/PartialBuilder.h"
#include "mapreduce/PartialResult.h"
#include "mapreduce/Reducer.h"

#include <QFile>
#include <QHash>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace Brigade;
using namespace Brigade::Test;

namespace {

QHash<QByteArray, quint64> toHash(const CountTable &table)
{
    QHash<QByteArray, quint64> out;
    for (qint64 i = 0; i < table.size(); ++i)
        out.insert(table.key(i).toByteArray(), table.count(i));
    return out;
}

// What a whole job would find, chunk by chunk through the real mmap path.
struct Mapped
{
    QHash<QByteArray, quint64> totals;
    quint64 lines = 0;
    quint64 badLines = 0;
    QList<quint64> badLineNumbers; // from the chunks' examples, made global
    QString error;
};

Mapped mapFile(const QString &path, MapFormat format, qint64 chunkBytes)
{
    Mapped m;
    struct stat st = {};
    const QByteArray local = QFile::encodeName(path);
    if (::stat(local.constData(), &st) != 0) {
        m.error = QStringLiteral("stat failed");
        return m;
    }
    const qint64 size = st.st_size;
    const qint64 mtime = qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    Reducer reducer(size);
    std::atomic_bool cancel{false};
    for (qint64 offset = 0; offset < size; offset += chunkBytes) {
        const ChunkParams params{local, offset, qMin(chunkBytes, size - offset), size, mtime};
        QByteArray partial;
        if (!ChunkMapper::map(params, format, cancel, &partial, &m.error))
            return m;
        ChunkStats stats;
        if (!reducer.merge(partial, params.length, &stats)) {
            m.error = QStringLiteral("malformed partial");
            return m;
        }
        for (const BadLine &b : stats.examples)
            m.badLineNumbers.append(m.lines + b.line + 1);
        m.lines += stats.lines;
        m.badLines += stats.badLines;
    }
    m.totals = toHash(reducer.table());
    return m;
}

QByteArray scanBytes(const QByteArray &data, MapFormat format, qint64 offset = 0,
                     qint64 length = -1)
{
    QByteArray padded = data + QByteArray(ChunkMapper::Padding, '\0');
    std::atomic_bool cancel{false};
    QByteArray partial;
    if (!ChunkMapper::scan(padded.constData(), data.size(), offset,
                           length < 0 ? data.size() - offset : length, format, cancel, &partial))
        return {};
    return partial;
}

QHash<QByteArray, quint64> decode(const QByteArray &partial, ChunkStats *stats = nullptr)
{
    Reducer reducer;
    ChunkStats s;
    if (!reducer.merge(partial, 0, &s))
        return {{"<malformed>", 0}};
    if (stats)
        *stats = s;
    return toHash(reducer.table());
}

} // namespace

class TestMapOps : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void countTableAgainstQHash();
    void countTableTopTiesInByteOrder();
    void countTableSaturates();
    void countTableReserveKeepsContents();
    void partialRoundTrip();
    void partialRefusesGarbage();
    void partialBuilderFallsBackWhenUnsorted();
    void ngramLines_data();
    void ngramLines();
    void textWords();
    void chunkOwnsLinesStartingInIt();
    void chunksAgainstReference_data();
    void chunksAgainstReference();
    void emptyFile();
    void changedFileIsRefused();
    void cancelStopsTheScan();
    void opsRefuseBatchUse();
    void opRunsOverParams();

private:
    QString writeFile(const QString &name, const QByteArray &data)
    {
        return Test::writeTestFile(m_dir, name, data);
    }
    QTemporaryDir m_dir;
};

void TestMapOps::countTableAgainstQHash()
{
    CountTable table;
    QHash<QByteArray, quint64> expected;
    QRandomGenerator rng(7);
    for (int i = 0; i < 200000; ++i) {
        // Lengths 0..40 cover each hashing branch; the small range makes many repeats.
        const int len = int(rng.bounded(41));
        QByteArray key(len, Qt::Uninitialized);
        for (char &c : key)
            c = char('a' + rng.bounded(3));
        const quint64 n = rng.bounded(1000);
        table.add(key.constData(), size_t(key.size()), n);
        expected[key] += n;
    }
    QCOMPARE(table.size(), expected.size());
    QCOMPARE(toHash(table), expected);
    for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
        const qint64 i = table.find(it.key());
        QVERIFY(i >= 0);
        QCOMPARE(table.count(i), it.value());
    }
    QCOMPARE(table.find("not there"), qint64(-1));
    QCOMPARE(CountTable().find("x"), qint64(-1));
}

void TestMapOps::countTableTopTiesInByteOrder()
{
    CountTable table;
    const QList<QPair<QByteArray, quint64>> adds
            = {{"b", 5}, {"a", 5}, {"\xc3\xa9", 5}, {"B", 5}, {"z", 9}, {"ab", 1}, {"a", 0}};
    for (const auto &[key, n] : adds)
        table.add(key.constData(), size_t(key.size()), n);
    QList<QByteArray> top;
    for (quint32 i : table.top(4))
        top.append(table.key(i).toByteArray());
    // Ties in byte order: "B" (0x42) < "a" < "b" < "\xc3\xa9".
    QCOMPARE(top, (QList<QByteArray>{"z", "B", "a", "b"}));
    QList<QByteArray> all;
    for (quint32 i : table.sortedOrder())
        all.append(table.key(i).toByteArray());
    QCOMPARE(all, (QList<QByteArray>{"z", "B", "a", "b", "\xc3\xa9", "ab"}));
    QCOMPARE(table.top(100).size(), size_t(6));
    QVERIFY(table.top(0).empty());
    QCOMPARE(table.total(), quint64(30));
}

void TestMapOps::countTableSaturates()
{
    CountTable table;
    table.add("k", 1, ~quint64(0) - 1);
    QVERIFY(!table.overflowed());
    table.add("k", 1, 5);
    QVERIFY(table.overflowed());
    QCOMPARE(table.count(0), ~quint64(0));
}

void TestMapOps::countTableReserveKeepsContents()
{
    CountTable table;
    for (int i = 0; i < 1000; ++i) {
        const QByteArray k = QByteArray::number(i);
        table.add(k.constData(), size_t(k.size()), quint64(i));
    }
    table.reserve(100000, 1000000);
    for (int i = 1000; i < 3000; ++i) {
        const QByteArray k = QByteArray::number(i);
        table.add(k.constData(), size_t(k.size()), quint64(i));
    }
    QCOMPARE(table.size(), 3000);
    for (int i = 0; i < 3000; ++i)
        QCOMPARE(table.count(table.find(QByteArray::number(i))), quint64(i));
}

void TestMapOps::partialRoundTrip()
{
    CountTable table;
    table.add("alpha", 5, 1);
    table.add("\xe6\x97\xa5", 3, ~quint64(0));
    table.add("", 0, 7);
    ChunkStats stats;
    stats.lines = 42;
    stats.badLines = 12;
    for (int i = 0; i < 12; ++i)
        stats.examples.append(BadLine{quint64(i * 3), BadLineReason::MatchCount});
    const QByteArray partial = PartialResult::encode(table, stats);
    ChunkStats back;
    const QHash<QByteArray, quint64> totals = decode(partial, &back);
    QCOMPARE(totals, toHash(table));
    QCOMPARE(back.lines, quint64(42));
    QCOMPARE(back.badLines, quint64(12));
    QCOMPARE(back.examples.size(), ChunkStats::MaxExamples); // only the first few travel
    QCOMPARE(back.examples[9].line, quint64(27));
    QCOMPARE(back.examples[9].reason, BadLineReason::MatchCount);
}

void TestMapOps::partialRefusesGarbage()
{
    CountTable table;
    for (int i = 0; i < 50; ++i) {
        const QByteArray k = "key" + QByteArray::number(i);
        table.add(k.constData(), size_t(k.size()), quint64(i) << 40);
    }
    ChunkStats stats;
    stats.examples.append(BadLine{3, BadLineReason::Year});
    const QByteArray partial = PartialResult::encode(table, stats);
    // Every truncation, and a byte too many, is refused without reading out of bounds.
    for (qsizetype n = 0; n < partial.size(); ++n) {
        Reducer reducer;
        ChunkStats s;
        QVERIFY2(!reducer.merge(QByteArrayView(partial.constData(), n), 0, &s),
                 qPrintable(QString::number(n)));
    }
    Reducer reducer;
    ChunkStats s;
    QVERIFY(!reducer.merge(partial + 'x', 0, &s));
    QVERIFY(!reducer.merge("BMR2" + partial.mid(4), 0, &s));
    QVERIFY(!reducer.merge(QByteArray("{\"json\":1}"), 0, &s));
    // Random bytes after a good header: refused or read, never a crash.
    QRandomGenerator rng(3);
    for (int round = 0; round < 2000; ++round) {
        QByteArray junk = partial.left(40);
        for (int i = 0; i < 64; ++i)
            junk.append(char(rng.bounded(256)));
        Reducer r;
        r.merge(junk, 0, &s);
    }
}

void TestMapOps::partialBuilderFallsBackWhenUnsorted()
{
    PartialBuilder builder(true);
    const QList<QPair<QByteArray, quint64>> adds
            = {{"a", 1}, {"b", 2}, {"c", 3}, {"b", 4}, {"d", 5}, {"a", 6}};
    QHash<QByteArray, quint64> expected;
    for (const auto &[key, n] : adds) {
        builder.add(key.constData(), size_t(key.size()), n);
        expected[key] += n;
    }
    ChunkStats stats;
    QCOMPARE(decode(builder.finish({}), &stats), expected);
    QVERIFY(!stats.sorted);

    PartialBuilder sorted(true);
    sorted.add("a", 1, 1);
    sorted.add("ab", 2, 2);
    sorted.add("b", 1, 3);
    QCOMPARE(decode(sorted.finish({}), &stats),
             (QHash<QByteArray, quint64>{{"a", 1}, {"ab", 2}, {"b", 3}}));
    QVERIFY(stats.sorted);
}

void TestMapOps::ngramLines_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("word"); // empty: no count
    QTest::addColumn<quint64>("count");
    QTest::addColumn<int>("reason"); // 0: not a bad line
    const auto ok
            = [](const char *name, const QByteArray &data, const QByteArray &word, quint64 count) {
                  QTest::newRow(name) << data << word << count << 0;
              };
    const auto bad = [](const char *name, const QByteArray &data, BadLineReason reason) {
        QTest::newRow(name) << data << QByteArray() << quint64(0) << int(reason);
    };
    ok("plain", "w\t1999\t12\t3\n", "w", 12);
    ok("no final newline", "w\t1999\t12\t3", "w", 12);
    ok("crlf", "w\t1999\t12\t3\r\n", "w", 12);
    ok("cr at the end", "w\t1999\t12\t3\r", "w", 12);
    ok("utf-8", "\xe6\x97\xa5\xe6\x9c\xac\t1999\t12\t3\n", "\xe6\x97\xa5\xe6\x9c\xac", 12);
    ok("spaces in the word", "New York\t1999\t7\t3\n", "New York", 7);
    ok("19 digits", "w\t1\t9999999999999999999\t1\n", "w", 9999999999999999999ull);
    ok("zero", "w\t1\t0\t0\n", "w", 0);
    ok("empty line", "\n", {}, 0);
    ok("empty crlf line", "\r\n", {}, 0);
    bad("3 columns", "w\t1999\t12\n", BadLineReason::Columns);
    bad("3 columns at the end", "w\t1999\t12", BadLineReason::Columns);
    bad("5 columns", "w\t1999\t12\t3\t4\n", BadLineReason::Columns);
    bad("1 column", "w\n", BadLineReason::Columns);
    bad("spaces only", "   \n", BadLineReason::Columns);
    bad("empty word", "\t1999\t12\t3\n", BadLineReason::EmptyWord);
    bad("year", "w\t19x9\t12\t3\n", BadLineReason::Year);
    bad("empty year", "w\t\t12\t3\n", BadLineReason::Year);
    bad("negative count", "w\t1999\t-12\t3\n", BadLineReason::MatchCount);
    bad("count with a fraction", "w\t1999\t1.5\t3\n", BadLineReason::MatchCount);
    bad("20 digits", "w\t1999\t99999999999999999999\t3\n", BadLineReason::CountTooLarge);
    bad("volume", "w\t1999\t12\tx\n", BadLineReason::VolumeCount);
    bad("trailing space", "w\t1999\t12\t3 \n", BadLineReason::VolumeCount);
    bad("two CRs", "w\t1999\t12\t3\r\r\n", BadLineReason::VolumeCount);
    bad("NUL", QByteArray("w\t1999\t1\0\t3\n", 12), BadLineReason::MatchCount);
}

void TestMapOps::ngramLines()
{
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, word);
    QFETCH(quint64, count);
    QFETCH(int, reason);
    // Alone, and between good lines of other words (the run of the previous word must not
    // swallow it).
    for (const bool alone : {true, false}) {
        if (!alone && !data.endsWith('\n'))
            continue; // the next line would join this one
        const QByteArray text = alone ? data : "a\t1\t1\t1\n" + data + "z\t1\t2\t1\n";
        QHash<QByteArray, quint64> expected;
        if (!word.isEmpty())
            expected[word] += count;
        if (!alone) {
            expected["a"] += 1;
            expected["z"] += 2;
        }
        ChunkStats stats;
        QCOMPARE(decode(scanBytes(text, MapFormat::Ngram), &stats), expected);
        QCOMPARE(stats.badLines, quint64(reason ? 1 : 0));
        if (reason) {
            QCOMPARE(stats.examples.size(), 1);
            QCOMPARE(int(stats.examples[0].reason), reason);
            QCOMPARE(stats.examples[0].line, quint64(alone ? 0 : 1));
        }
        QCOMPARE(stats.lines, quint64(alone ? 1 : 3));
    }
}

void TestMapOps::textWords()
{
    ChunkStats stats;
    const QByteArray text = "the cat\tthe\r\n\n  caf\xc3\xa9 \v\fdog\nthe";
    QCOMPARE(decode(scanBytes(text, MapFormat::Text), &stats),
             (QHash<QByteArray, quint64>{{"the", 3}, {"cat", 1}, {"caf\xc3\xa9", 1}, {"dog", 1}}));
    QCOMPARE(stats.lines, quint64(4));
    QCOMPARE(stats.badLines, quint64(0));
}

void TestMapOps::chunkOwnsLinesStartingInIt()
{
    const QByteArray data = "aa\t1\t1\t1\nbb\t1\t2\t1\ncc\t1\t4\t1\n"; // lines at 0, 9, 18
    const auto keysOf = [&](qint64 offset, qint64 length) {
        QList<QByteArray> keys = decode(scanBytes(data, MapFormat::Ngram, offset, length)).keys();
        std::sort(keys.begin(), keys.end());
        return keys;
    };
    QCOMPARE(keysOf(0, 1), (QList<QByteArray>{"aa"})); // shorter than its line
    QCOMPARE(keysOf(1, 8), (QList<QByteArray>{}));     // no line starts in [1, 9)
    QCOMPARE(keysOf(8, 1), (QList<QByteArray>{}));     // the '\n' alone
    QCOMPARE(keysOf(9, 1), (QList<QByteArray>{"bb"})); // a line starting exactly at offset
    QCOMPARE(keysOf(8, 2), (QList<QByteArray>{"bb"}));
    QCOMPARE(keysOf(10, 8), (QList<QByteArray>{})); // [10, 18): up to the next start
    QCOMPARE(keysOf(10, 9), (QList<QByteArray>{"cc"}));
    QCOMPARE(keysOf(0, 27), (QList<QByteArray>{"aa", "bb", "cc"}));
    QCOMPARE(keysOf(26, 1), (QList<QByteArray>{})); // the final newline
}

void TestMapOps::chunksAgainstReference_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("format");
    QTest::addColumn<qint64>("chunkBytes");
    const QByteArray messy = MapReduceReference::generateNgram(3001, 11, true);
    const QByteArray clean = MapReduceReference::generateNgram(2000, 12, false);
    const QByteArray shuffled = MapReduceReference::generateNgram(2000, 13, true, false);
    const QByteArray text = MapReduceReference::generateText(1501, 14);
    // Sizes smaller than a line, primes, and one chunk for the whole file.
    for (const qint64 size : {qint64(1), qint64(2), qint64(7), qint64(29), qint64(1000),
                              qint64(4093), qint64(1) << 30}) {
        QTest::addRow("messy ngram, chunk %lld", size) << messy << int(MapFormat::Ngram) << size;
        QTest::addRow("text, chunk %lld", size) << text << int(MapFormat::Text) << size;
    }
    QTest::addRow("clean ngram") << clean << int(MapFormat::Ngram) << qint64(997);
    QTest::addRow("unsorted ngram") << shuffled << int(MapFormat::Ngram) << qint64(5000);
    QTest::addRow("unsorted ngram, small chunks")
            << shuffled << int(MapFormat::Ngram) << qint64(13);
}

void TestMapOps::chunksAgainstReference()
{
    QFETCH(QByteArray, data);
    QFETCH(int, format);
    QFETCH(qint64, chunkBytes);
    const QString path = writeFile(QStringLiteral("data.txt"), data);
    const Mapped m = mapFile(path, MapFormat(format), chunkBytes);
    QVERIFY2(m.error.isEmpty(), qPrintable(m.error));
    const MapReduceReference ref = MapFormat(format) == MapFormat::Ngram
                                           ? MapReduceReference::ngram(data)
                                           : MapReduceReference::text(data);
    QCOMPARE(m.lines, ref.lines);
    QCOMPARE(m.badLines, ref.badLines);
    QCOMPARE(m.totals.size(), ref.totals.size());
    QCOMPARE(m.totals, ref.totals);
    // Examples are the first few per chunk: each is a bad line of the reference.
    for (quint64 line : m.badLineNumbers)
        QVERIFY2(ref.badLineNumbers.contains(line), qPrintable(QString::number(line)));
    if (MapFormat(format) == MapFormat::Ngram)
        QVERIFY(ref.badLines == 0 || !m.badLineNumbers.isEmpty());
}

void TestMapOps::emptyFile()
{
    const QString path = writeFile(QStringLiteral("empty.txt"), {});
    const Mapped m = mapFile(path, MapFormat::Ngram, 10);
    QVERIFY(m.error.isEmpty());
    QCOMPARE(m.lines, quint64(0));
    QVERIFY(m.totals.isEmpty());
    // A zero-length chunk of it still gives a well-formed result.
    std::atomic_bool cancel{false};
    QByteArray partial;
    QString error;
    QVERIFY(ChunkMapper::map(ChunkParams{QFile::encodeName(path), 0, 0, 0,
                                         [&] {
                                             struct stat st = {};
                                             ::stat(QFile::encodeName(path).constData(), &st);
                                             return qint64(st.st_mtim.tv_sec) * 1000000000
                                                    + st.st_mtim.tv_nsec;
                                         }()},
                             MapFormat::Text, cancel, &partial, &error));
    QVERIFY(decode(partial).isEmpty());
}

void TestMapOps::changedFileIsRefused()
{
    const QString path = writeFile(QStringLiteral("changing.txt"), "a\t1\t1\t1\n");
    struct stat st = {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    const qint64 mtime = qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    std::atomic_bool cancel{false};
    QByteArray partial;
    QString error;
    QVERIFY(!ChunkMapper::map(ChunkParams{QFile::encodeName(path), 0, 4, 4, mtime},
                              MapFormat::Ngram, cancel, &partial, &error));
    QVERIFY2(error.contains(QLatin1String("changed during the run: it was 4 bytes, now 8")),
             qPrintable(error));
    QVERIFY(!ChunkMapper::map(ChunkParams{QFile::encodeName(path), 0, 8, 8, mtime - 1},
                              MapFormat::Ngram, cancel, &partial, &error));
    QVERIFY2(error.contains(QLatin1String("changed during the run (it was modified)")),
             qPrintable(error));
    QVERIFY(!ChunkMapper::map(ChunkParams{"/nonexistent/file", 0, 8, 8, mtime}, MapFormat::Ngram,
                              cancel, &partial, &error));
    QVERIFY2(error.startsWith(QLatin1String("cannot open /nonexistent/file")), qPrintable(error));
}

void TestMapOps::cancelStopsTheScan()
{
    const QByteArray data = MapReduceReference::generateText(200000, 5);
    QByteArray padded = data + QByteArray(ChunkMapper::Padding, '\0');
    std::atomic_bool cancel{true};
    QByteArray partial;
    QVERIFY(!ChunkMapper::scan(padded.constData(), data.size(), 0, data.size(), MapFormat::Text,
                               cancel, &partial));
}

void TestMapOps::opsRefuseBatchUse()
{
    const ComputeRegistry &registry = ComputeRegistry::instance();
    for (const char *name : {"map_ngram", "map_words"}) {
        const ComputeOp *op = registry.op(registry.idOf(name));
        QVERIFY(op);
        QByteArray params;
        QString error, key;
        QVERIFY(!op->parseParams(QJsonObject{{QStringLiteral("op"), QLatin1String(name)}}, &params,
                                 &error, &key));
        QVERIFY2(error.contains(QLatin1String("mapreduce")), qPrintable(error));
    }
}

void TestMapOps::opRunsOverParams()
{
    const QByteArray data = "b\t1\t2\t3\nb\t2\t3\t3\nc\t1\t5\t1\n";
    const QString path = writeFile(QStringLiteral("op.tsv"), data);
    struct stat st = {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    const ChunkParams params{QFile::encodeName(path), 0, data.size(), data.size(),
                             qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    ChunkParams back;
    QVERIFY(ChunkParams::decode(params.encode(), &back));
    QCOMPARE(back.path, params.path);
    QCOMPARE(back.mtimeNs, params.mtimeNs);
    QVERIFY(!ChunkParams::decode(params.encode().chopped(1), &back));
    ChunkParams past = params;
    past.offset = data.size();
    past.length = 1; // past the end
    QVERIFY(!ChunkParams::decode(past.encode(), &back));

    const ComputeRegistry &registry = ComputeRegistry::instance();
    std::atomic_bool cancel{false};
    QByteArray result;
    QString error;
    QVERIFY(registry.op(registry.idOf("map_ngram"))
                    ->run(params.encode(), "ignored", cancel, &result, &error));
    QCOMPARE(decode(result), (QHash<QByteArray, quint64>{{"b", 5}, {"c", 5}}));
    QVERIFY(registry.op(registry.idOf("map_words"))
                    ->run(params.encode(), {}, cancel, &result, &error));
    QCOMPARE(decode(result).value("b"), quint64(2));
    QVERIFY(!registry.op(registry.idOf("map_words"))->run("junk", {}, cancel, &result, &error));
    QCOMPARE(error, QStringLiteral("map_words: bad parameters"));
}

QTEST_GUILESS_MAIN(TestMapOps)
#include "tst_mapops.moc"
