// Some tasks of a batch written as a batch of their own: their lines as written, after the
// defaults line, parsed back to the same tasks.
#include "batch/BatchParser.h"
#include "batch/BatchSubset.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;

class tst_BatchSubset : public QObject
{
    Q_OBJECT
private slots:
    void copiesTheTasksWithTheirDefaults();
    void withoutDefaults();
    void errorsSayWhy();

private:
    QString write(const QString &name, const QByteArray &text);
    QTemporaryDir m_dir;
};

QString tst_BatchSubset::write(const QString &name, const QByteArray &text)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write(text);
    return path;
}

void tst_BatchSubset::copiesTheTasksWithTheirDefaults()
{
    const QString batch
            = write(QStringLiteral("b.jsonl"),
                    "\n{\"defaults\":{\"max_attempts\":5,\"fetch\":{\"delay_ms\":1}}}\n"
                    "{\"id\":\"a\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n"
                    "{\"id\":\"b\",\"compute\":{\"op\":\"sum_to\",\"n\":2}}\n"
                    "\n"
                    "{\"id\":\"c\",\"fetch\":null,\"compute\":{\"op\":\"sum_to\",\"n\":3}}");
    const Batch all = BatchParser::parseFile(batch);
    QVERIFY(!all.hasErrors());
    QCOMPARE(all.tasks.size(), 3);
    const QString out = m_dir.filePath(QStringLiteral("subset.jsonl"));
    // c then a, with a twice: each once, in file order.
    const Result<qint64> n = BatchSubset::write(
            batch, {all.tasks[2].line, all.tasks[0].line, all.tasks[0].line}, out);
    QVERIFY2(n.ok(), qPrintable(n.error()));
    QCOMPARE(*n, qint64(2));
    const Batch subset = BatchParser::parseFile(out);
    QVERIFY(!subset.hasErrors());
    QCOMPARE(subset.tasks.size(), 2);
    QCOMPARE(subset.tasks[0].id, QStringLiteral("a"));
    QCOMPARE(subset.tasks[1].id, QStringLiteral("c"));
    // The defaults still apply: a keeps the default fetch and attempts, c undoes the fetch.
    QCOMPARE(subset.tasks[0].shape->maxAttempts, quint16(5));
    QCOMPARE(subset.tasks[0].shape->fetch.kind, FetchKind::Delay);
    QCOMPARE(subset.tasks[1].shape->fetch.kind, FetchKind::None);
}

void tst_BatchSubset::withoutDefaults()
{
    const QString batch
            = write(QStringLiteral("urls.txt"),
                    "http://127.0.0.1:1/a\nhttp://127.0.0.1:1/b\nhttp://127.0.0.1:1/c\n");
    const QString out = m_dir.filePath(QStringLiteral("urls-subset.txt"));
    const Result<qint64> n = BatchSubset::write(batch, {2}, out);
    QVERIFY2(n.ok(), qPrintable(n.error()));
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("http://127.0.0.1:1/b\n"));
}

void tst_BatchSubset::errorsSayWhy()
{
    const QString out = m_dir.filePath(QStringLiteral("x.jsonl"));
    Result<qint64> n = BatchSubset::write(m_dir.filePath(QStringLiteral("gone.jsonl")), {1}, out);
    QVERIFY(!n.ok());
    QVERIFY2(n.error().startsWith(QStringLiteral("cannot read the batch")), qPrintable(n.error()));
    const QString batch = write(QStringLiteral("short.jsonl"),
                                "{\"id\":\"a\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n");
    n = BatchSubset::write(batch, {1, 7}, out);
    QVERIFY(!n.ok());
    QVERIFY(n.error().contains(QStringLiteral("no longer has every line")));
    QVERIFY(!QFile::exists(out)); // nothing half-written
    n = BatchSubset::write(batch, {1}, m_dir.filePath(QStringLiteral("no/dir/x.jsonl")));
    QVERIFY(!n.ok());
    QVERIFY(n.error().startsWith(QStringLiteral("cannot write")));
}

QTEST_GUILESS_MAIN(tst_BatchSubset)
#include "tst_batchsubset.moc"
