// What brigade run does at the end on request: --on-finish's command split as a POSIX shell
// splits words (without running one), and the counts in its environment.
#include "terminal/FinishHook.h"

#include <QTest>

using namespace Brigade;

class tst_FinishHook : public QObject
{
    Q_OBJECT
private slots:
    void splitCommand_data();
    void splitCommand();
    void unclosedQuotes();
    void environment();
};

void tst_FinishHook::splitCommand_data()
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

void tst_FinishHook::splitCommand()
{
    QFETCH(QString, text);
    QFETCH(QStringList, words);
    const Result<QStringList> split = FinishHook::splitCommand(text);
    QVERIFY2(split, qPrintable(split.error()));
    QCOMPARE(*split, words);
}

void tst_FinishHook::unclosedQuotes()
{
    QCOMPARE(FinishHook::splitCommand(QStringLiteral("sh -c 'x")).error(),
             QStringLiteral("a single quote is not closed in \"sh -c 'x\""));
    QVERIFY(!FinishHook::splitCommand(QStringLiteral("echo \"x")));
}

void tst_FinishHook::environment()
{
    RunStats stats;
    stats.total = 10;
    stats.succeeded = 6;
    stats.failed = 2;
    stats.cancelled = 1;
    stats.skipped = 1;
    stats.elapsedMs = 1234;
    const QProcessEnvironment env
            = FinishHook::environment(stats, QStringLiteral("/tmp/x.journal"), 1);
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

QTEST_GUILESS_MAIN(tst_FinishHook)
#include "tst_finishhook.moc"
