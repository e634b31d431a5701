// The command run when a run ends (brigade run --on-finish, the window's Run Settings): split
// as a POSIX shell splits words (without running one), the counts in its environment, and
// what went wrong said in words.
#include "session/FinishCommand.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;

class tst_FinishCommand : public QObject
{
    Q_OBJECT
private slots:
    void splitCommand_data();
    void splitCommand();
    void unclosedQuotes();
    void environment();
    void jobCountsAsOneTask();
    void runsWithTheCounts();
    void problemsInWords();
};

void tst_FinishCommand::splitCommand_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("words");
    QTest::newRow("plain") << QStringLiteral("  notify-send  done ")
                           << QStringList{QStringLiteral("notify-send"), QStringLiteral("done")};
    QTest::newRow("single quotes keep everything")
            << QStringLiteral("sh -c 'echo \"$BRIGADE_FAILED\" \\\\ > out'")
            << QStringList{QStringLiteral("sh"), QStringLiteral("-c"),
                           QStringLiteral("echo \"$BRIGADE_FAILED\" \\\\ > out")};
    QTest::newRow("double quotes and escapes")
            << QStringLiteral("printf \"a \\\"b\\\" \\$c\" x\\ y")
            << QStringList{QStringLiteral("printf"), QStringLiteral("a \"b\" $c"),
                           QStringLiteral("x y")};
    QTest::newRow("quotes join a word")
            << QStringLiteral("a'b c'\"d\"") << QStringList{QStringLiteral("ab cd")};
    QTest::newRow("empty argument")
            << QStringLiteral("cmd ''") << QStringList{QStringLiteral("cmd"), QString()};
    QTest::newRow("nothing") << QStringLiteral("   ") << QStringList{};
}

void tst_FinishCommand::splitCommand()
{
    QFETCH(QString, text);
    QFETCH(QStringList, words);
    const Result<QStringList> split = FinishCommand::split(text);
    QVERIFY2(split, qPrintable(split.error()));
    QCOMPARE(*split, words);
}

void tst_FinishCommand::unclosedQuotes()
{
    QCOMPARE(FinishCommand::split(QStringLiteral("sh -c 'x")).error(),
             QStringLiteral("a single quote is not closed in \"sh -c 'x\""));
    QVERIFY(!FinishCommand::split(QStringLiteral("echo \"x")));
}

void tst_FinishCommand::environment()
{
    RunStats stats;
    stats.total = 10;
    stats.succeeded = 6;
    stats.failed = 2;
    stats.cancelled = 1;
    stats.skipped = 1;
    stats.elapsedMs = 1234;
    const QProcessEnvironment env
            = FinishCommand::environment(stats, QStringLiteral("/tmp/x.journal"), 1);
    QCOMPARE(env.value(QStringLiteral("BRIGADE_STATUS")), QStringLiteral("1"));
    QCOMPARE(env.value(QStringLiteral("BRIGADE_TOTAL")), QStringLiteral("10"));
    QCOMPARE(env.value(QStringLiteral("BRIGADE_SUCCEEDED")), QStringLiteral("6"));
    QCOMPARE(env.value(QStringLiteral("BRIGADE_FAILED")), QStringLiteral("2"));
    QCOMPARE(env.value(QStringLiteral("BRIGADE_CANCELLED")), QStringLiteral("1"));
    QCOMPARE(env.value(QStringLiteral("BRIGADE_SKIPPED")), QStringLiteral("1"));
    QCOMPARE(env.value(QStringLiteral("BRIGADE_NOT_RUN")), QStringLiteral("0"));
    QCOMPARE(env.value(QStringLiteral("BRIGADE_ELAPSED_MS")), QStringLiteral("1234"));
    QCOMPARE(env.value(QStringLiteral("BRIGADE_JOURNAL")), QStringLiteral("/tmp/x.journal"));
    QVERIFY(env.contains(QStringLiteral("PATH"))); // the rest of the environment stays
}

void tst_FinishCommand::jobCountsAsOneTask()
{
    // A MapReduce job ends as a run of one task would: its exit status by the same rule.
    MapReduceResult result;
    result.elapsedMs = 2500;
    RunStats stats = FinishCommand::jobStats(result);
    QCOMPARE(stats.total, qint64(1));
    QCOMPARE(stats.succeeded, qint64(1));
    QCOMPARE(stats.finished(), qint64(1));
    QCOMPARE(stats.elapsedMs, qint64(2500));
    QCOMPARE(stats.exitStatus(), 0);
    result.status = MapReduceResult::Status::Failed;
    stats = FinishCommand::jobStats(result);
    QCOMPARE(stats.failed, qint64(1));
    QCOMPARE(stats.succeeded, qint64(0));
    QCOMPARE(stats.exitStatus(), 1);
    result.status = MapReduceResult::Status::Cancelled;
    stats = FinishCommand::jobStats(result);
    QCOMPARE(stats.cancelled, qint64(1));
    QCOMPARE(stats.exitStatus(), 1);
    const QProcessEnvironment env = FinishCommand::environment(stats, QString(), 1);
    QCOMPARE(env.value(QStringLiteral("BRIGADE_NOT_RUN")), QStringLiteral("0"));
    QCOMPARE(env.value(QStringLiteral("BRIGADE_CANCELLED")), QStringLiteral("1"));
}

void tst_FinishCommand::runsWithTheCounts()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath(QStringLiteral("out"));
    RunStats stats;
    stats.total = 3;
    stats.succeeded = 2;
    stats.failed = 1;
    FinishCommand command;
    QSignalSpy finished(&command, &FinishCommand::finished);
    const Result<QStringList> words = FinishCommand::split(
            QStringLiteral(
                    "sh -c 'echo \"$BRIGADE_STATUS $BRIGADE_FAILED $BRIGADE_JOURNAL\" > \"$0\"' ")
            + out);
    QVERIFY(words);
    command.start(*words, stats, QStringLiteral("/j"), 1, false);
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().first().toString(), QString());
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("1 1 /j\n"));
}

void tst_FinishCommand::problemsInWords()
{
    FinishCommand failing;
    QSignalSpy failed(&failing, &FinishCommand::finished);
    failing.start({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("exit 3")}, {}, {}, 0,
                  false);
    QVERIFY(failed.wait(20000));
    QCOMPARE(failed.first().first().toString(), QStringLiteral("exited with status 3"));

    FinishCommand missing;
    QSignalSpy notRun(&missing, &FinishCommand::finished);
    missing.start({QStringLiteral("/nonexistent/brigade-hook")}, {}, {}, 0, false);
    QVERIFY(notRun.wait(20000));
    QVERIFY2(notRun.first().first().toString().startsWith(
                     QStringLiteral("cannot run /nonexistent/brigade-hook: ")),
             qPrintable(notRun.first().first().toString()));
    QCOMPARE(notRun.count(), 1);
}

QTEST_GUILESS_MAIN(tst_FinishCommand)
#include "tst_finishcommand.moc"
