// BatchParser's merge of its parallel chunks: the chunks write their tasks straight into
// the batch's list, and the merge closes the gaps that blank lines, comments, errors and
// duplicates leave. Every task must come out once, in line order, with its own id, line
// and shape; ids must outlive the batch.
#include "batch/BatchParser.h"

#include <QTest>

#include <set>

using namespace Brigade;

class TestBatchMerge : public QObject
{
    Q_OBJECT

private slots:
    void gapsInEveryChunk();
    void idsOutliveTheBatch();
    void urlListGaps();
};

namespace {

// Several chunks' worth (chunks are at least 256 KB).
constexpr int Lines = 120000;

} // namespace

void TestBatchMerge::gapsInEveryChunk()
{
    QByteArray data = "{\"defaults\":{\"max_attempts\":3}}\n";
    QList<int> expectedLines;
    QStringList expectedIds;
    for (int line = 2; line <= Lines; ++line) {
        if (line % 97 == 0) {
            data += "   \n"; // blank: no task
        } else if (line % 101 == 0) {
            data += "{\"fetch\":42}\n"; // an error: no task
        } else if (line % 103 == 0) {
            data += "{\"id\":\"n2\",\"compute\":{\"op\":\"sum_to\",\"n\":0}}\n"; // duplicate
        } else if (line % 7 == 0) {
            data += "{\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n"; // its line is its id
            expectedLines << line;
            expectedIds << QString::number(line);
        } else {
            data += "{\"id\": \"n" + QByteArray::number(line)
                    + "\", \"compute\": {\"op\": \"sum_to\", \"n\": " + QByteArray::number(line % 3)
                    + "}}\n";
            expectedLines << line;
            expectedIds << QStringLiteral("n%1").arg(line);
        }
    }
    QVERIFY(data.size() > 8 * 256 * 1024);
    BatchParser::Options options;
    options.maxErrors = 1000000;
    const Batch batch = BatchParser::parseData(data, QStringLiteral("b.jsonl"), options);
    QCOMPARE(batch.tasks.size(), expectedLines.size());
    for (qsizetype i = 0; i < batch.tasks.size(); ++i) {
        const TaskSpec &task = batch.tasks[i];
        QCOMPARE(task.line, expectedLines[i]);
        QCOMPARE(task.id, expectedIds[i]);
        QVERIFY(task.shape);
        QCOMPARE(task.shape->maxAttempts, quint16(3));
        QVERIFY(task.input.isNull());
    }
    // Three shapes (n = 0, 1, 2; the lines without an id have n = 1 too), one object each
    // batch-wide.
    std::set<const TaskShape *> shapes;
    for (const TaskSpec &task : batch.tasks)
        shapes.insert(task.shape.get());
    QCOMPARE(shapes.size(), size_t(3));
    // Every task is counted once in the summary, duplicates dropped.
    QCOMPARE(batch.computeOps.value(QStringLiteral("sum_to")), qint64(batch.tasks.size()));
    qint64 errors = 0;
    for (int line = 2; line <= Lines; ++line) {
        if (line % 97 != 0 && (line % 101 == 0 || line % 103 == 0))
            ++errors;
    }
    QCOMPARE(batch.errorCount, errors);
    QCOMPARE(batch.errors.first().line, 101);
    QVERIFY(batch.errors.first().message.startsWith(QStringLiteral("expected \"fetch\"")));
}

void TestBatchMerge::idsOutliveTheBatch()
{
    QByteArray data = "{\"defaults\":{\"compute\":{\"op\":\"sum_to\",\"n\":0}}}\n";
    for (int i = 0; i < Lines; ++i)
        data += (i % 2 ? "{\"id\":\"t" + QByteArray::number(i) + "\"}\n" : QByteArray("{}\n"));
    QList<QString> ids;
    {
        const Batch batch = BatchParser::parseData(data, QStringLiteral("b.jsonl"));
        QCOMPARE(batch.errorCount, 0);
        QCOMPARE(batch.tasks.size(), Lines);
        for (const TaskSpec &task : batch.tasks)
            ids << task.id;
    }
    for (int i = 0; i < Lines; ++i)
        QCOMPARE(ids[i], i % 2 ? QStringLiteral("t%1").arg(i) : QString::number(i + 2));
    ids[1].append(QStringLiteral("-changed"));
    QCOMPARE(ids[1], QStringLiteral("t1-changed"));
    QCOMPARE(ids[3], QStringLiteral("t3"));
}

void TestBatchMerge::urlListGaps()
{
    // A URL list: a shape per task, never interned; comments and a bad line leave gaps.
    QByteArray data;
    QList<int> lines;
    for (int line = 1; line <= Lines; ++line) {
        if (line % 500 == 0) {
            data += "# comment\n";
        } else if (line == 77777) {
            data += "not a url\n";
        } else {
            data += "https://example.com/p/" + QByteArray::number(line) + "\n";
            lines << line;
        }
    }
    const Batch batch = BatchParser::parseData(data, QStringLiteral("urls.txt"));
    QCOMPARE(batch.errorCount, 1);
    QCOMPARE(batch.tasks.size(), lines.size());
    for (qsizetype i = 0; i < batch.tasks.size(); ++i) {
        QCOMPARE(batch.tasks[i].line, lines[i]);
        QCOMPARE(batch.tasks[i].id, QString::number(lines[i]));
        QCOMPARE(batch.tasks[i].url(), "https://example.com/p/" + QByteArray::number(lines[i]));
    }
}

QTEST_GUILESS_MAIN(TestBatchMerge)
#include "tst_batchmerge.moc"
