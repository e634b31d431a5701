// brigade journals: the real brigade binary leaves journals in a data folder of the test's
// own (XDG_DATA_HOME), lists them with their counts and prunes the old ones; the listing's
// lines fit 80 and 160 columns.
#include "BrigadeRun.h"
#include "TestFiles.h"
#include "journal/Journal.h"
#include "terminal/JournalsCommand.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;

class tst_JournalsCommand : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void listsAndPrunes();
    void unfinishedRunIsNamedOnTheNextRun();

private:
    using Result = Test::BrigadeRun;
    Result brigade(const QStringList &args);
    QProcessEnvironment environment() const;
    QString writeBatch(const QString &name, const QByteArray &content);
    QTemporaryDir m_dir;
    QString m_journals;
};

void tst_JournalsCommand::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // This process reads the same folder the child writes.
    qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("data")).toLocal8Bit());
    m_journals = Journal::defaultDirectory();
    QVERIFY2(m_journals.startsWith(m_dir.path()), qPrintable(m_journals));
}

tst_JournalsCommand::Result tst_JournalsCommand::brigade(const QStringList &args)
{
    return Test::runBrigade(args, environment());
}

QProcessEnvironment tst_JournalsCommand::environment() const
{
    QProcessEnvironment env = Test::headlessEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
    return env;
}

QString tst_JournalsCommand::writeBatch(const QString &name, const QByteArray &content)
{
    return Test::writeTestFile(m_dir, name, content);
}

void tst_JournalsCommand::listsAndPrunes()
{
    Result r = brigade({QStringLiteral("journals")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith(QLatin1String("no journals in ")), qPrintable(r.out));

    const QString batch = writeBatch(
            QStringLiteral("mixed.jsonl"),
            "{\"id\":\"ok1\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n"
            "{\"id\":\"ok2\",\"compute\":{\"op\":\"sum_to\",\"n\":4}}\n"
            "{\"id\":\"gone\",\"fetch\":\"file:///nonexistent/brigade-test-missing\"}\n");
    const QString other = writeBatch(QStringLiteral("other.jsonl"),
                                     "{\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n");
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(brigade({QStringLiteral("run"), batch, QStringLiteral("--max-attempts"),
                          QStringLiteral("1")})
                         .exitCode,
                 1);
    }
    QCOMPARE(brigade({QStringLiteral("run"), other}).exitCode, 0);
    QCOMPARE(QDir(m_journals).entryList({QStringLiteral("*.journal")}).size(), 4);

    r = brigade({QStringLiteral("journals")});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 4 + 1); // heading, a journal each, the total
    QVERIFY2(lines.first().contains(QLatin1String("failed")), qPrintable(r.out));
    int mixed = 0;
    for (const QString &line : lines.mid(1, 4)) {
        const QStringList words = line.simplified().split(QLatin1Char(' '));
        // date, time, ok, failed, state..., size, unit, batch, journal
        if (line.contains(QLatin1String("mixed.jsonl"))) {
            ++mixed;
            QCOMPARE(words.value(2), QStringLiteral("2"));
            QCOMPARE(words.value(3), QStringLiteral("1"));
            QCOMPARE(words.value(4), QStringLiteral("finished"));
        } else {
            QVERIFY2(line.contains(QLatin1String("other.jsonl")), qPrintable(line));
            QCOMPARE(words.value(2), QStringLiteral("1"));
            QCOMPARE(words.value(3), QStringLiteral("0"));
        }
    }
    QCOMPARE(mixed, 3);
    QVERIFY2(lines.last().startsWith(QLatin1String("4 journals in ")), qPrintable(lines.last()));

    // The listing fits the terminal: every line within 80 columns, and at 160 the journals'
    // names are whole.
    for (const QString &line : JournalsCommand::lines(m_journals, 80).mid(0, 5))
        QVERIFY2(line.size() <= 80, qPrintable(line));
    for (const QString &line : JournalsCommand::lines(m_journals, 160).mid(1, 4))
        QVERIFY2(line.endsWith(QLatin1String(".journal")), qPrintable(line));

    // Bad usage.
    QCOMPARE(brigade({QStringLiteral("journals"), QStringLiteral("--keep"), QStringLiteral("1")})
                     .exitCode,
             2);
    r = brigade({QStringLiteral("journals"), QStringLiteral("--prune"), QStringLiteral("--keep"),
                 QStringLiteral("x")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QLatin1String("--keep expects a whole number")), qPrintable(r.err));

    // Nothing is older than a day yet.
    r = brigade({QStringLiteral("journals"), QStringLiteral("--prune"),
                 QStringLiteral("--older-than"), QStringLiteral("1")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QLatin1String("removed 0 journals of 4")), qPrintable(r.out));
    // --prune alone keeps the newest of each batch.
    r = brigade({QStringLiteral("journals"), QStringLiteral("--prune")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QLatin1String("removed 2 journals of 4")), qPrintable(r.out));
    const QStringList left = QDir(m_journals).entryList({QStringLiteral("*.journal")});
    QCOMPARE(left.size(), 2);
    QCOMPARE(QDir(m_journals).entryList({QStringLiteral("*-wal")}).size(), 0);
}

void tst_JournalsCommand::unfinishedRunIsNamedOnTheNextRun()
{
    // A run cancelled midway leaves an open journal; the next run of the same batch says so
    // and how to continue it, and brigade journals shows it open.
    QStringList lines;
    for (int i = 0; i < 4; ++i)
        lines << QStringLiteral(R"({"id":"w%1","fetch":{"delay_ms":60000}})").arg(i);
    const QString batch = writeBatch(QStringLiteral("slow.jsonl"), lines.join(u'\n').toUtf8());
    QProcess p;
    p.setProcessEnvironment(environment());
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            {QStringLiteral("run"), batch, QStringLiteral("--progress"), QStringLiteral("plain")});
    QVERIFY(p.waitForStarted());
    // The journal records the open tasks when the run starts.
    QTRY_VERIFY_WITH_TIMEOUT(
            !QDir(m_journals).entryList({QStringLiteral("slow-*.journal")}).isEmpty(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(
            brigade({QStringLiteral("journals")}).out.contains(QLatin1String("4 open")), 20000);
    p.kill();
    QVERIFY(p.waitForFinished(20000));
    const Result again
            = brigade({QStringLiteral("run"), batch, QStringLiteral("--workers"),
                       QStringLiteral("1"), QStringLiteral("--timeout-ms"), QStringLiteral("1"),
                       QStringLiteral("--max-attempts"), QStringLiteral("1")});
    QVERIFY2(again.err.contains(QLatin1String("an earlier run of this batch stopped with 4 of 4 "
                                              "tasks unfinished")),
             qPrintable(again.err));
    QVERIFY2(again.err.contains(QLatin1String("brigade run --resume ")), qPrintable(again.err));
}

QTEST_GUILESS_MAIN(tst_JournalsCommand)
#include "tst_journalscommand.moc"
