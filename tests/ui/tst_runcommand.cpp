// The headless CLI, driven as a user would: the real brigade binary in a QProcess.
#include "BrigadeRun.h"
#include "TestHttpServer.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <csignal>
#include <unistd.h>

class tst_RunCommand : public QObject
{
    Q_OBJECT
private slots:
    void badArguments_data();
    void badArguments();
    void helpAndVersion();
    void badBatchIsRefusedWithLocations();
    void skipInvalidRunsTheRest();
    void runWritesJsonLines();
    void runWritesCsv();
    void failuresExitOne();
    void interruptCancelsAndKeepsFinished();
    void endOfRunSummary();
    void failuresOfAJournal();
    void outputNeverOverwritesAnInput_data();
    void outputNeverOverwritesAnInput();
    void urlListRecordsSayWhichUrl();
    void insecureIsLoud();
    void retryFailedSaysWhatItWrites();
    void secretsStayOutOfJournalAndOutput();
    void retryFailedGroupWithChanges();
    void onFinishAndBell();
    void skipEndsARunClean();

private:
    using Result = Brigade::Test::BrigadeRun;
    // env: the process's environment (default: this one's).
    Result brigade(const QStringList &args, int timeoutMs = 60000,
                   const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
    // The same, with this process's event loop running meanwhile (for a test server here).
    QString writeBatch(const QString &name, const QByteArray &content);
    QTemporaryDir m_dir;
};

tst_RunCommand::Result tst_RunCommand::brigade(const QStringList &args, int timeoutMs,
                                               const QProcessEnvironment &env)
{
    return Brigade::Test::runBrigade(args, env, timeoutMs);
}

QString tst_RunCommand::writeBatch(const QString &name, const QByteArray &content)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(content);
    return path;
}

void tst_RunCommand::badArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    const QString batch
            = writeBatch(QStringLiteral("ok.jsonl"), R"({"compute":{"op":"sum_to","n":1}})");
    QTest::newRow("no batch") << QStringList{QStringLiteral("run")}
                              << QStringLiteral("missing the batch");
    QTest::newRow("workers not a number")
            << QStringList{QStringLiteral("run"), batch, QStringLiteral("--workers"),
                           QStringLiteral("many")}
            << QStringLiteral("--workers expects a whole number");
    QTest::newRow("unknown option")
            << QStringList{QStringLiteral("run"), batch, QStringLiteral("--frobnicate")}
            << QStringLiteral("frobnicate");
    QTest::newRow("bad retry kind")
            << QStringList{QStringLiteral("run"), batch, QStringLiteral("--retry-on"),
                           QStringLiteral("sometimes")}
            << QStringLiteral("unknown failure kind");
    QTest::newRow("missing file") << QStringList{QStringLiteral("run"),
                                                 m_dir.filePath(QStringLiteral("nope.jsonl"))}
                                  << QStringLiteral("no such file");
    QTest::newRow("empty batch") << QStringList{QStringLiteral("run"),
                                                writeBatch(QStringLiteral("empty.jsonl"), "")}
                                 << QStringLiteral("has no tasks (it is empty or blank)");
    QTest::newRow("blank batch") << QStringList{QStringLiteral("run"),
                                                writeBatch(QStringLiteral("blank.jsonl"),
                                                           "\n   \n\t\n")}
                                 << QStringLiteral("has no tasks (it is empty or blank)");
    QTest::newRow("nothing valid, skipped")
            << QStringList{QStringLiteral("run"),
                           writeBatch(QStringLiteral("invalid.jsonl"), "{not json\n[1]\n"),
                           QStringLiteral("--skip-invalid")}
            << QStringLiteral("has no valid task; nothing was run");
    QTest::newRow("unknown command")
            << QStringList{QStringLiteral("frobnicate"), batch}
            << QStringLiteral("unknown command \"frobnicate\" (the commands are run, retry-failed");
    QTest::newRow("reason without skip")
            << QStringList{QStringLiteral("run"), batch, QStringLiteral("--reason"),
                           QStringLiteral("x")}
            << QStringLiteral("--reason goes with skip");
    QTest::newRow("two batches") << QStringList{QStringLiteral("run"), batch, batch}
                                 << QStringLiteral("one batch file at a time");
    QTest::newRow("host connections")
            << QStringList{QStringLiteral("run"), batch, QStringLiteral("--max-host-connections"),
                           QStringLiteral("-1")}
            << QStringLiteral("--max-host-connections expects a whole number from 0 to 100000");
    QTest::newRow("missing cacert")
            << QStringList{QStringLiteral("run"), batch, QStringLiteral("--cacert"),
                           m_dir.filePath(QStringLiteral("none.pem"))}
            << QStringLiteral("--cacert: cannot read");
    QTest::newRow("cacert not PEM")
            << QStringList{QStringLiteral("run"), batch, QStringLiteral("--cacert"), batch}
            << QStringLiteral("holds no PEM certificate");
    QTest::newRow("set-host with run")
            << QStringList{QStringLiteral("run"), batch, QStringLiteral("--set-host"),
                           QStringLiteral("mirror")}
            << QStringLiteral("--set-host goes with retry-failed");
    QTest::newRow("set-header without colon")
            << QStringList{QStringLiteral("retry-failed"), batch, QStringLiteral("--set-header"),
                           QStringLiteral("X-Key")}
            << QStringLiteral("--set-header: a header is written \"Name: value\"");
    QTest::newRow("set-host with a path")
            << QStringList{QStringLiteral("retry-failed"), batch, QStringLiteral("--set-host"),
                           QStringLiteral("mirror/x")}
            << QStringLiteral("retry-failed: \"mirror/x\" is not a host or host:port");
    QTest::newRow("group zero") << QStringList{QStringLiteral("retry-failed"), batch,
                                               QStringLiteral("--group"), QStringLiteral("0")}
                                << QStringLiteral("--group expects a group number");
    QTest::newRow("empty on-finish")
            << QStringList{QStringLiteral("run"), batch, QStringLiteral("--on-finish"),
                           QStringLiteral(" ")}
            << QStringLiteral("--on-finish needs a command");
    QTest::newRow("on-finish quote not closed")
            << QStringList{QStringLiteral("run"), batch, QStringLiteral("--on-finish"),
                           QStringLiteral("sh -c 'echo")}
            << QStringLiteral("--on-finish: a single quote is not closed");
    QTest::newRow("proxy scheme") << QStringList{QStringLiteral("run"), batch,
                                                 QStringLiteral("--proxy"),
                                                 QStringLiteral("ftp://proxy:21")}
                                  << QStringLiteral("--proxy: unsupported proxy scheme \"ftp\"");

    // Files that are not a batch: what they are and what to do, in one message.
    const QString folder = m_dir.filePath(QStringLiteral("a-folder"));
    QDir().mkpath(folder);
    QTest::newRow("a directory") << QStringList{QStringLiteral("run"), folder}
                                 << QStringLiteral("it is a folder, not a batch file");
    QByteArray utf16("\xff\xfe");
    for (char c : QByteArray(R"({"compute":{"op":"sum_to","n":1}})"
                             "\n"))
        utf16 += QByteArray(1, c) + QByteArray(1, '\0');
    QTest::newRow("UTF-16")
            << QStringList{QStringLiteral("run"), writeBatch(QStringLiteral("u16.jsonl"), utf16)}
            << QStringLiteral("u16.jsonl:1:1: the file is UTF-16 (little-endian) text; a batch "
                              "must be UTF-8");
    QTest::newRow("JSON array")
            << QStringList{QStringLiteral("run"),
                           writeBatch(QStringLiteral("array.json"),
                                      "[\n  {\"compute\": {\"op\": \"sum_to\", \"n\": 1}},\n"
                                      "  {\"compute\": {\"op\": \"sum_to\", \"n\": 2}}\n]\n")}
            << QStringLiteral("array.json:1:1: the file is a JSON array; a batch has one JSON "
                              "object per line (JSON Lines), like {\"fetch\":\"https://example.com/"
                              "\"}. Convert it with: jq -c '.[]' array.json > array.jsonl");
    QTest::newRow("pretty JSON")
            << QStringList{QStringLiteral("run"),
                           writeBatch(QStringLiteral("pretty.jsonl"),
                                      "{\n  \"compute\": {\"op\": \"sum_to\", \"n\": 1}\n}\n")}
            << QStringLiteral("pretty.jsonl:1:1: the file is JSON spread over several lines");
    QByteArray junk(8192, '\0');
    memcpy(junk.data(), "SQLite format 3", 16); // a header, then nonsense
    for (int i = 100; i < junk.size(); ++i)
        junk[i] = char(i * 7);
    QTest::newRow("damaged journal")
            << QStringList{QStringLiteral("run"), QStringLiteral("--resume"),
                           writeBatch(QStringLiteral("damaged.journal"), junk)}
            << QStringLiteral("is not a Brigade journal, or it is damaged");
}

void tst_RunCommand::badArguments()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Result r = brigade(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    // A file that is not a batch as a whole: one message, not a wall of them.
    const QByteArray tag = QTest::currentDataTag();
    if (tag == "UTF-16" || tag == "JSON array" || tag == "pretty JSON") {
        QCOMPARE(r.err.count(QLatin1String(":1:1: ")), 1);
        QVERIFY2(!r.err.contains(QLatin1String(":2:")), qPrintable(r.err));
    }
    // None of the layers underneath leaks through.
    for (const char *leak : {"Unknown error", "Parameter count", "NUL byte"})
        QVERIFY2(!r.err.contains(QLatin1String(leak)), qPrintable(r.err));
}

void tst_RunCommand::helpAndVersion()
{
    Result r = brigade({QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains(QLatin1String("--concurrency")));
    QVERIFY(r.out.contains(QLatin1String("brigade COMMAND --help")));
    const QString general = r.out;
    // Each command has its own: usage, the options it takes, and its exit statuses.
    struct Expect
    {
        QStringList args;
        QString usage;
        QStringList has, hasNot;
    };
    const QList<Expect> commands{
            {{"run", "--help"},
             "Usage: brigade run BATCH [options]",
             {"--resume", "--workers", "--skip-invalid", "Exit status:", "130"},
             {"brigade export JOURNAL"}},
            {{"retry-failed", "--help"},
             "Usage: brigade retry-failed JOURNAL [BATCH] [--explain[=all|N]] [options]",
             {"--workers", "--output", "Exit status:"},
             {"--resume", "--skip-invalid"}},
            {{"export", "x.journal", "--help"},
             "Usage: brigade export JOURNAL -o FILE",
             {"--output", "Exit status:"},
             {"--workers", "--resume"}},
            {{"failures", "--help"},
             "Usage: brigade failures JOURNAL",
             {"Exit status:"},
             {"--workers", "--output"}},
    };
    for (const Expect &e : commands) {
        r = brigade(e.args);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith(e.usage), qPrintable(r.out));
        QVERIFY(r.out != general);
        for (const QString &word : e.has)
            QVERIFY2(r.out.contains(word), qPrintable(word + QLatin1String(" missing:\n") + r.out));
        for (const QString &word : e.hasNot)
            QVERIFY2(!r.out.contains(word), qPrintable(word + QLatin1String(" shown:\n") + r.out));
        // Laid out for an 80-column terminal.
        for (const QString &line : r.out.split(QLatin1Char('\n')))
            QVERIFY2(line.size() <= 80, qPrintable(line));
    }
    r = brigade({QStringLiteral("--version")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.startsWith(QLatin1String("brigade ")));
}

void tst_RunCommand::badBatchIsRefusedWithLocations()
{
    const QString path = writeBatch(QStringLiteral("bad.jsonl"),
                                    "{\"id\":\"a\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n"
                                    "{\"id\":\"b\",\"compute\":{\"op\":\"nope\"}}\n"
                                    "{\"id\":\"a\"}\n"
                                    "{not json\n");
    const Result r = brigade({QStringLiteral("run"), path});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(path + QLatin1String(":2:")), qPrintable(r.err));
    QVERIFY2(r.err.contains(path + QLatin1String(":3:")), qPrintable(r.err));
    QVERIFY2(r.err.contains(path + QLatin1String(":4:")), qPrintable(r.err));
    QVERIFY(r.err.contains(QLatin1String("nothing was run")));
}

void tst_RunCommand::skipInvalidRunsTheRest()
{
    const QString path = writeBatch(QStringLiteral("mixed.jsonl"),
                                    "{\"id\":\"a\",\"compute\":{\"op\":\"sum_to\",\"n\":4}}\n"
                                    "{\"id\":\"b\",\"compute\":{\"op\":\"nope\"}}\n");
    const QString out = m_dir.filePath(QStringLiteral("mixed.out.jsonl"));
    const Result r = brigade({QStringLiteral("run"), path, QStringLiteral("--skip-invalid"),
                              QStringLiteral("-o"), out});
    QCOMPARE(r.exitCode, 0);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    QCOMPARE(QJsonDocument::fromJson(lines[0]).object().value(QLatin1String("result")).toInt(), 10);
}

void tst_RunCommand::runWritesJsonLines()
{
    QByteArray batch;
    for (int i = 0; i < 2000; ++i)
        batch += "{\"id\":\"t" + QByteArray::number(i)
                 + "\",\"compute\":{\"op\":\"sum_to\",\"n\":" + QByteArray::number(i) + "}}\n";
    const QString path = writeBatch(QStringLiteral("sums.jsonl"), batch);
    const QString out = m_dir.filePath(QStringLiteral("sums.out.jsonl"));
    const Result r = brigade({QStringLiteral("run"), path, QStringLiteral("--output"), out,
                              QStringLiteral("--workers"), QStringLiteral("2")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.contains(QLatin1String("wrote 2,000 records")), qPrintable(r.err));
    QVERIFY(r.err.contains(QLatin1String("done:"))); // plain progress: not a terminal
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QSet<QString> ids;
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 2000);
    for (const QByteArray &line : lines) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        const QString id = o.value(QLatin1String("id")).toString();
        const qint64 i = id.mid(1).toLongLong();
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("succeeded"));
        QCOMPARE(o.value(QLatin1String("result")).toInteger(), i * (i + 1) / 2);
        QCOMPARE(o.value(QLatin1String("attempts")).toInt(), 1);
        QVERIFY(o.value(QLatin1String("error")).isNull());
        QVERIFY(o.contains(QLatin1String("duration_ms")));
        QVERIFY(o.value(QLatin1String("worker")).toInt() >= 0);
        ids.insert(id);
    }
    QCOMPARE(ids.size(), 2000);
}

void tst_RunCommand::runWritesCsv()
{
    const QString path
            = writeBatch(QStringLiteral("csv.jsonl"),
                         "{\"id\":\"w,1\",\"compute\":{\"op\":\"wordcount\",\"top\":2}}\n");
    const QString out = m_dir.filePath(QStringLiteral("out.csv"));
    const Result r = brigade({QStringLiteral("run"), path, QStringLiteral("-o"), out});
    QCOMPARE(r.exitCode, 0);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0], QByteArray("id,url,status,attempts,result,error,http_status,bytes,worker,"
                                  "duration_ms,exit_code,command,stderr"));
    QVERIFY2(lines[1].startsWith("\"w,1\",,succeeded,1,\"[[\"\"w,1\"\",1]]\""),
             lines[1].constData());
}

void tst_RunCommand::failuresExitOne()
{
    const QString path
            = writeBatch(QStringLiteral("fail.jsonl"),
                         "{\"id\":\"ok\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n"
                         "{\"id\":\"missing\",\"fetch\":\"file:///nonexistent/brigade-test\"}\n");
    const QString out = m_dir.filePath(QStringLiteral("fail.out.jsonl"));
    const Result r = brigade({QStringLiteral("run"), path, QStringLiteral("-o"), out});
    QCOMPARE(r.exitCode, 1);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray all = f.readAll();
    QVERIFY(all.contains("\"status\":\"failed\""));
    QVERIFY(all.contains("cannot read"));
    // A fetch task's record says what it fetched; a compute-only task's has no url.
    QVERIFY(all.contains("{\"id\":\"missing\",\"url\":\"file:///nonexistent/brigade-test\","));
    QVERIFY(all.contains("{\"id\":\"ok\",\"status\""));
}

void tst_RunCommand::interruptCancelsAndKeepsFinished()
{
    QByteArray batch;
    for (int i = 0; i < 50; ++i)
        batch += "{\"id\":\"quick" + QByteArray::number(i)
                 + "\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n";
    for (int i = 0; i < 50; ++i)
        batch += "{\"id\":\"slow" + QByteArray::number(i) + "\",\"fetch\":{\"delay_ms\":60000}}\n";
    const QString path = writeBatch(QStringLiteral("int.jsonl"), batch);
    const QString out = m_dir.filePath(QStringLiteral("int.out.jsonl"));
    QProcess p;
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            {QStringLiteral("run"), path, QStringLiteral("-o"), out});
    QVERIFY(p.waitForStarted());
    // Wait until the quick ones are written, then Ctrl-C.
    QTRY_VERIFY_WITH_TIMEOUT(QFile(out).size() > 0 && QFile(out).size() >= 50 * 60, 20000);
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 1);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray all = f.readAll();
    QCOMPARE(all.count("\"status\":\"succeeded\""), 50);
    QCOMPARE(all.count("\"status\":\"cancelled\""), 50);
}

// Failures of three causes: five missing files (one group, whatever the path), two tasks
// whose compute rejects its input, one more missing file under another directory.
static QByteArray threeCauses()
{
    QByteArray batch;
    for (int i = 0; i < 5; ++i)
        batch += "{\"id\":\"missing-" + QByteArray::number(i)
                 + "\",\"fetch\":\"file:///nonexistent/brigade-test/" + QByteArray::number(i)
                 + ".txt\"}\n";
    batch += "{\"id\":\"flaky-1\",\"fetch\":{\"delay_ms\":1,\"fail_rate\":1}}\n";
    batch += "{\"id\":\"flaky-2\",\"fetch\":{\"delay_ms\":2,\"fail_rate\":1}}\n";
    batch += "{\"id\":\"ok\",\"compute\":{\"op\":\"sum_to\",\"n\":2}}\n";
    return batch;
}

void tst_RunCommand::endOfRunSummary()
{
    const QString path = writeBatch(QStringLiteral("causes.jsonl"), threeCauses());
    const QString journal = m_dir.filePath(QStringLiteral("causes.journal"));
    const QString out = m_dir.filePath(QStringLiteral("causes.out.jsonl"));
    const Result r = brigade({QStringLiteral("run"), path, QStringLiteral("--journal"), journal,
                              QStringLiteral("-o"), out, QStringLiteral("--max-attempts"),
                              QStringLiteral("1")});
    QCOMPARE(r.exitCode, 1);
    // On stdout: the counts, the causes with the biggest first and an example each, where
    // things are, and the command that retries the failures.
    QVERIFY2(r.out.contains(QLatin1String("8 tasks in ")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("1 succeeded, 7 failed")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("7 failed tasks by cause (2 groups)")),
             qPrintable(r.out));
    const QStringList lines = r.out.split(QLatin1Char('\n'));
    const qsizetype five = lines.indexOf(QRegularExpression(QStringLiteral("^  5  .*<path>.*")));
    QVERIFY2(five > 0, qPrintable(r.out));
    QVERIFY2(lines.value(five + 1).contains(QLatin1String("e.g. missing-")), qPrintable(r.out));
    const qsizetype two = lines.indexOf(QRegularExpression(QStringLiteral("^  2  .*")));
    QVERIFY2(two > five, qPrintable(r.out));
    QVERIFY2(lines.value(two + 1).contains(QLatin1String("e.g. flaky-")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("journal: %1").arg(journal)), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("results: %1 (8 records)").arg(out)), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("brigade retry-failed %1 -o %2").arg(journal, out)),
             qPrintable(r.out));
    for (const QString &line : lines)
        QVERIFY2(line.size() < 80 || line.contains(journal), qPrintable(line));
}

void tst_RunCommand::failuresOfAJournal()
{
    const QString path = writeBatch(QStringLiteral("listed.jsonl"), threeCauses());
    const QString journal = m_dir.filePath(QStringLiteral("listed.journal"));
    Result r = brigade({QStringLiteral("run"), path, QStringLiteral("--journal"), journal,
                        QStringLiteral("--max-attempts"), QStringLiteral("1"),
                        QStringLiteral("--progress"), QStringLiteral("none")});
    QCOMPARE(r.exitCode, 1);
    r = brigade({QStringLiteral("failures"), journal});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QLatin1String("8 tasks, 7 failed")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("(2 groups)")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("failed attempts, 20")), qPrintable(r.out)); // times
    QVERIFY2(r.out.contains(QLatin1String("on ")), qPrintable(r.out));                 // hosts
    QVERIFY2(r.out.contains(QStringLiteral("brigade retry-failed %1").arg(journal)),
             qPrintable(r.out));
    // Not a journal, or none: exit 2 and why.
    r = brigade({QStringLiteral("failures"), path});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QLatin1String("not a run journal")), qPrintable(r.err));
    r = brigade({QStringLiteral("failures")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QLatin1String("failures expects one journal file")), qPrintable(r.err));
}

void tst_RunCommand::outputNeverOverwritesAnInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("what");
    const QByteArray content = "{\"id\":\"a\",\"compute\":{\"op\":\"sum_to\",\"n\":2}}\n";
    const QString batch = writeBatch(QStringLiteral("same.jsonl"), content);
    const QString journal = m_dir.filePath(QStringLiteral("same.journal"));
    // A journal to resume and export from, made by a run.
    const Result made = brigade({QStringLiteral("run"), batch, QStringLiteral("--journal"), journal,
                                 QStringLiteral("--progress"), QStringLiteral("none")});
    QCOMPARE(made.exitCode, 0);
    const QString viaLink = m_dir.filePath(QStringLiteral("link.jsonl"));
    QVERIFY(QFile::link(batch, viaLink));
    const QString hardLink = m_dir.filePath(QStringLiteral("hard.jsonl"));
    QVERIFY(::link(QFile::encodeName(batch).constData(), QFile::encodeName(hardLink).constData())
            == 0);
    const QString otherName = m_dir.filePath(QStringLiteral("sub/../same.jsonl"));
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("sub")));
    const QString run = QStringLiteral("run");
    const QString o = QStringLiteral("-o");
    QTest::newRow("the batch") << QStringList{run, batch, o, batch} << batch
                               << QStringLiteral("is the batch");
    QTest::newRow("the batch by another name")
            << QStringList{run, batch, o, otherName} << batch << QStringLiteral("is the batch");
    QTest::newRow("a symbolic link to the batch")
            << QStringList{run, batch, o, viaLink} << batch << QStringLiteral("is the batch");
    QTest::newRow("a hard link to the batch")
            << QStringList{run, batch, o, hardLink} << batch << QStringLiteral("is the batch");
    const QString fresh = m_dir.filePath(QStringLiteral("fresh.journal"));
    QTest::newRow("the journal to be made")
            << QStringList{run, batch, QStringLiteral("--journal"), fresh, o, fresh} << fresh
            << QStringLiteral("is the journal");
    QTest::newRow("export over the journal")
            << QStringList{QStringLiteral("export"), journal, o, journal} << journal
            << QStringLiteral("is the journal");
    const QString list = writeBatch(QStringLiteral("list.txt"), "a\nb\n");
    QTest::newRow("the list of a command")
            << QStringList{run, list, o, list, QStringLiteral("--"), QStringLiteral("echo")} << list
            << QStringLiteral("is the list of inputs");
    QTest::newRow("resume over the batch")
            << QStringList{run, QStringLiteral("--resume"), journal, o, batch} << batch
            << QStringLiteral("is the batch the journal was made from");
}

void tst_RunCommand::outputNeverOverwritesAnInput()
{
    QFETCH(QStringList, args);
    QFETCH(QString, input);
    QFETCH(QString, what);
    QFile before(input);
    const bool existed = before.open(QIODevice::ReadOnly);
    const QByteArray content = existed ? before.readAll() : QByteArray();
    before.close();
    const Result r = brigade(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(what) && r.err.contains(QLatin1String("would overwrite")),
             qPrintable(r.err));
    QFile after(input);
    QCOMPARE(after.exists(), existed);
    if (existed) {
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), content);
    }
}

void tst_RunCommand::urlListRecordsSayWhichUrl()
{
    // A URL list's ids are line numbers: each record names its URL. A file has no HTTP
    // status, and its result says no more than http_status does.
    const QString data = writeBatch(QStringLiteral("data.txt"), "twelve bytes");
    quint16 port = 0;
    {
        QTcpServer probe; // a port nothing listens on: refused at once
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const QByteArray refused = "http://127.0.0.1:" + QByteArray::number(port) + "/x";
    const QString list = writeBatch(QStringLiteral("urls.txt"),
                                    "# two URLs\n" + QUrl::fromLocalFile(data).toEncoded() + "\n"
                                            + refused + "\n");
    for (const QString &name : {QStringLiteral("urls.out.jsonl"), QStringLiteral("urls.out.csv")}) {
        const QString out = m_dir.filePath(name);
        const Result r = brigade({QStringLiteral("run"), list, QStringLiteral("-o"), out,
                                  QStringLiteral("--max-attempts"), QStringLiteral("1")});
        QCOMPARE(r.exitCode, 1);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
        if (name.endsWith(QLatin1String(".csv"))) {
            QCOMPARE(lines.size(), 3);
            const QByteArray fileLine = lines.value(lines[1].startsWith("2,") ? 1 : 2);
            QVERIFY2(fileLine.startsWith("2," + QUrl::fromLocalFile(data).toEncoded()
                                         + ",succeeded,1,\"{\"\"bytes\"\":12}\",,,12,"),
                     fileLine.constData());
            continue;
        }
        QCOMPARE(lines.size(), 2);
        QHash<QString, QJsonObject> byId;
        for (const QByteArray &line : lines) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            byId.insert(o.value(QLatin1String("id")).toString(), o);
        }
        const QJsonObject file = byId.value(QStringLiteral("2"));
        QCOMPARE(file.value(QLatin1String("url")).toString(),
                 QString::fromUtf8(QUrl::fromLocalFile(data).toEncoded()));
        QCOMPARE(file.value(QLatin1String("status")).toString(), QStringLiteral("succeeded"));
        QVERIFY(file.value(QLatin1String("http_status")).isNull());
        QCOMPARE(file.value(QLatin1String("result")).toObject(),
                 QJsonObject({{QStringLiteral("bytes"), 12}}));
        const QJsonObject http = byId.value(QStringLiteral("3"));
        QCOMPARE(http.value(QLatin1String("url")).toString(), QString::fromUtf8(refused));
        QCOMPARE(http.value(QLatin1String("status")).toString(), QStringLiteral("failed"));
        QVERIFY2(http.value(QLatin1String("error")).toString().contains(QLatin1String("refused")),
                 qPrintable(http.value(QLatin1String("error")).toString()));
    }
}

void tst_RunCommand::secretsStayOutOfJournalAndOutput()
{
    // Credentials come from the environment when the batch loads; the journal copies the
    // batch (names of variables only) and the records say nothing of headers.
    quint16 port = 0;
    {
        QTcpServer probe; // refused at once: the attempt fails, its message is recorded
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const QString url = QStringLiteral("http://127.0.0.1:%1/private").arg(port);
    const QString batch = writeBatch(
            QStringLiteral("secret.jsonl"),
            QStringLiteral(R"({"id":"s","fetch":{"url":"%1","auth":{"user":"ann","password_env":)"
                           R"("BRIGADE_TEST_PW"},"headers":{"Authorization":{"env":)"
                           R"("BRIGADE_TEST_TOKEN"},"Cookie":{"env":"BRIGADE_TEST_COOKIE"}}}})")
                    .arg(url)
                    .toUtf8());
    const QString journal = m_dir.filePath(QStringLiteral("secret.journal"));
    const QString out = m_dir.filePath(QStringLiteral("secret.out.jsonl"));
    const QString exported = m_dir.filePath(QStringLiteral("secret.export.csv"));
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("BRIGADE_TEST_PW"), QStringLiteral("pw-4711-secret"));
    env.insert(QStringLiteral("BRIGADE_TEST_TOKEN"), QStringLiteral("Bearer tok-4711-secret"));
    env.insert(QStringLiteral("BRIGADE_TEST_COOKIE"), QStringLiteral("session=ck-4711-secret"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            {QStringLiteral("run"), batch, QStringLiteral("--journal"), journal,
             QStringLiteral("-o"), out, QStringLiteral("--max-attempts"), QStringLiteral("1")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    // Without a display: brigade decides by the command line and the display which front end
    // opens, and export and retry-failed are headless only without one.
    QProcessEnvironment headless = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
        headless.remove(QLatin1String(name));
    QCOMPARE(brigade({QStringLiteral("export"), journal, QStringLiteral("-o"), exported}, 60000,
                     headless)
                     .exitCode,
             0);
    const QByteArray said = p.readAll() + p.readAllStandardError();
    for (const QString &path : {journal, out, exported}) {
        QFile f(path);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(path));
        const QByteArray bytes = f.readAll();
        QVERIFY2(bytes.contains(QByteArrayLiteral("refused")) || path == journal,
                 bytes.constData()); // the failure is there, and only the failure
        QVERIFY2(!bytes.contains("4711-secret"), qPrintable(path));
        if (path == journal) // its copy of the batch names the variables
            QVERIFY(bytes.contains("BRIGADE_TEST_TOKEN"));
    }
    QVERIFY(!said.contains("4711-secret"));

    // Retried where the variables are not set, the task is still the journal's row 1, and
    // its fetch says what is missing.
    const QString again = m_dir.filePath(QStringLiteral("secret.again.jsonl"));
    const Result retry
            = brigade({QStringLiteral("retry-failed"), journal, QStringLiteral("-o"), again}, 60000,
                      headless);
    QCOMPARE(retry.exitCode, 1);
    QFile f(again);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray record = f.readAll();
    QVERIFY2(record.contains("\"id\":\"s\"")
                     && record.contains("was not set when the batch was loaded"),
             record.constData());
}

void tst_RunCommand::retryFailedGroupWithChanges()
{
    // Three fetches from a host where nothing listens, and a task that fails for another
    // cause; retry-failed moves the first group to a mirror (the test server) with a header.
    Brigade::Test::TestHttpServer server;
    QVERIFY(server.listen());
    QByteArray data;
    for (int i = 0; i < 3; ++i)
        data += "{\"id\":\"m" + QByteArray::number(i)
                + "\",\"fetch\":\"http://127.0.0.1:1/maybe?key=k" + QByteArray::number(i) + "\"}\n";
    data += "{\"id\":\"gone\",\"fetch\":\"file://" + m_dir.filePath(QStringLiteral("gone")).toUtf8()
            + "\"}\n";
    data += R"({"id":"ok","compute":{"op":"sum_to","n":3}})"
            "\n";
    const QString path = writeBatch(QStringLiteral("mirror.jsonl"), data);
    const QString journal = m_dir.filePath(QStringLiteral("mirror.journal"));
    const QStringList quiet{QStringLiteral("--progress"), QStringLiteral("none")};
    Result r = brigade(QStringList{QStringLiteral("run"), path, QStringLiteral("--journal"),
                                   journal, QStringLiteral("--max-attempts"), QStringLiteral("1")}
                       + quiet);
    QCOMPARE(r.exitCode, 1);
    // brigade failures numbers the groups, most tasks first.
    r = brigade({QStringLiteral("failures"), journal});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(QLatin1Char('\n'));
    const auto first = std::find_if(lines.cbegin(), lines.cend(), [](const QString &l) {
        return l.startsWith(QLatin1String("  #1  3  "));
    });
    QVERIFY2(first != lines.cend(), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("  #2  1  ")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("--group N [--set-host")), qPrintable(r.out));

    r = brigade({QStringLiteral("retry-failed"), journal, QStringLiteral("--group"),
                 QStringLiteral("3")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QLatin1String("there is no failure group 3")), qPrintable(r.err));

    const QByteArray host = "127.0.0.1:" + QByteArray::number(server.port());
    r = brigade(QStringList{QStringLiteral("retry-failed"), journal, QStringLiteral("--group"),
                            QStringLiteral("1"), QStringLiteral("--set-host"),
                            QString::fromUtf8(host), QStringLiteral("--set-header"),
                            QStringLiteral("X-Brigade-Test: cli"),
                            QStringLiteral("--set-timeout-ms"), QStringLiteral("20000")}
                + quiet);
    // The file task is still failed: exit 1, and the three moved tasks succeeded.
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("retrying 3 failed tasks of %1 with host %2, header "
                                           "X-Brigade-Test: cli, timeout 20000 ms")
                                    .arg(journal, QString::fromUtf8(host))),
             qPrintable(r.err));
    QVERIFY2(r.out.contains(QLatin1String("4 succeeded, 1 failed")), qPrintable(r.out));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(server.hits("/maybe?key=k" + QByteArray::number(i)), 1);
    QVERIFY(server.lastRequestHead().contains("X-Brigade-Test: cli"));

    // The records name the URL each task fetched: the mirror's.
    const QString out = m_dir.filePath(QStringLiteral("mirror-out.jsonl"));
    r = brigade({QStringLiteral("export"), journal, QStringLiteral("-o"), out});
    QCOMPARE(r.exitCode, 0);
    QFile records(out);
    QVERIFY(records.open(QIODevice::ReadOnly));
    QVERIFY(records.readAll().contains("\"url\":\"" + server.url("/maybe?key=k0") + "\""));

    // A plain retry later runs what is still failed, and nothing that succeeded.
    r = brigade(QStringList{QStringLiteral("retry-failed"), journal} + quiet);
    QCOMPARE(r.exitCode, 1);                   // the file is still gone
    QCOMPARE(server.hits("/maybe?key=k0"), 1); // succeeded tasks are not retried
}

void tst_RunCommand::onFinishAndBell()
{
    const QString path = writeBatch(QStringLiteral("finish.jsonl"),
                                    R"({"id":"a","compute":{"op":"sum_to","n":3}})"
                                    "\n"
                                    R"({"id":"b","fetch":"file:///nonexistent/brigade"})"
                                    "\n");
    const QString journal = m_dir.filePath(QStringLiteral("finish.journal"));
    const QString envFile = m_dir.filePath(QStringLiteral("finish.env"));
    // No shell unless asked for: sh -c is the user's.
    Result r = brigade({QStringLiteral("run"), path, QStringLiteral("--journal"), journal,
                        QStringLiteral("--max-attempts"), QStringLiteral("1"),
                        QStringLiteral("--progress"), QStringLiteral("none"),
                        QStringLiteral("--bell"), QStringLiteral("--on-finish"),
                        QStringLiteral("sh -c 'env > %1'").arg(envFile)});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains(QLatin1Char('\a')));
    QFile env(envFile);
    QVERIFY(env.open(QIODevice::ReadOnly));
    const QByteArray vars = env.readAll();
    for (const QByteArray &line :
         {QByteArray("BRIGADE_STATUS=1"), QByteArray("BRIGADE_TOTAL=2"),
          QByteArray("BRIGADE_SUCCEEDED=1"), QByteArray("BRIGADE_FAILED=1"),
          QByteArray("BRIGADE_CANCELLED=0"), QByteArray("BRIGADE_NOT_RUN=0"),
          "BRIGADE_JOURNAL=" + journal.toUtf8()})
        QVERIFY2(vars.contains('\n' + line + '\n') || vars.startsWith(line + '\n'),
                 line.constData());
    // A command that cannot run is said, and the status stays the run's.
    r = brigade({QStringLiteral("run"), QStringLiteral("--resume"), journal,
                 QStringLiteral("--progress"), QStringLiteral("none"),
                 QStringLiteral("--on-finish"), QStringLiteral("/nonexistent/notify-me now")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QLatin1String("--on-finish: cannot run /nonexistent/notify-me")),
             qPrintable(r.err));
    // Without a bell, none rings.
    r = brigade({QStringLiteral("run"), QStringLiteral("--resume"), journal,
                 QStringLiteral("--progress"), QStringLiteral("none")});
    QVERIFY(!r.err.contains(QLatin1Char('\a')));
}

void tst_RunCommand::skipEndsARunClean()
{
    // Two tasks whose input is gone fail, and one whose fetch fails otherwise: the run exits
    // 1. Skipping one group leaves the other's failure: still 1. Skipped with a reason, all
    // of them, the run is clean (every task succeeded or was skipped): exit 0, and skipped in
    // the records.
    QByteArray data;
    for (int i = 0; i < 2; ++i)
        data += "{\"id\":\"gone" + QByteArray::number(i) + "\",\"fetch\":\"file://"
                + m_dir.filePath(QStringLiteral("gone%1").arg(i)).toUtf8() + "\"}\n";
    data += R"({"id":"net","fetch":{"delay_ms":1,"fail_rate":1}})"
            "\n";
    data += R"({"id":"ok","compute":{"op":"sum_to","n":3}})"
            "\n";
    const QString path = writeBatch(QStringLiteral("skip.jsonl"), data);
    const QString journal = m_dir.filePath(QStringLiteral("skip.journal"));
    Result r = brigade({QStringLiteral("run"), path, QStringLiteral("--journal"), journal,
                        QStringLiteral("--max-attempts"), QStringLiteral("1"),
                        QStringLiteral("--progress"), QStringLiteral("none")});
    QCOMPARE(r.exitCode, 1);
    r = brigade({QStringLiteral("skip"), journal});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QLatin1String("skip needs --reason TEXT")), qPrintable(r.err));
    r = brigade({QStringLiteral("skip"), journal, QStringLiteral("--group"), QStringLiteral("1"),
                 QStringLiteral("--reason"), QStringLiteral("inputs deleted upstream")});
    QCOMPARE(r.exitCode, 1); // the other group still failed
    QVERIFY2(r.err.contains(QLatin1String("skipped 2 tasks of")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QLatin1String("now 1 succeeded, 1 failed, 2 skipped")),
             qPrintable(r.err));
    r = brigade({QStringLiteral("skip"), journal, QStringLiteral("--reason"),
                 QStringLiteral("flaky on purpose")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.contains(QLatin1String("now 1 succeeded, 0 failed, 3 skipped")),
             qPrintable(r.err));
    // Nothing left to skip: the status still says the run is clean.
    r = brigade({QStringLiteral("skip"), journal, QStringLiteral("--reason"), QStringLiteral("x")});
    QCOMPARE(r.exitCode, 0);

    const QString out = m_dir.filePath(QStringLiteral("skip-out.jsonl"));
    r = brigade({QStringLiteral("export"), journal, QStringLiteral("-o"), out});
    QCOMPARE(r.exitCode, 0);
    QFile records(out);
    QVERIFY(records.open(QIODevice::ReadOnly));
    int skippedRecords = 0;
    for (const QByteArray &line : records.readAll().split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QStringLiteral("status")).toString() == u"skipped") {
            ++skippedRecords;
            QVERIFY(o.value(QStringLiteral("id")).toString() != u"ok");
        }
    }
    QCOMPARE(skippedRecords, 3);

    // A resume has nothing to run and ends clean, saying so.
    r = brigade({QStringLiteral("run"), QStringLiteral("--resume"), journal,
                 QStringLiteral("--progress"), QStringLiteral("none")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QLatin1String("1 succeeded, 0 failed, 3 skipped")), qPrintable(r.out));
}

void tst_RunCommand::insecureIsLoud()
{
    const QString batch
            = writeBatch(QStringLiteral("one.jsonl"), R"({"compute":{"op":"sum_to","n":1}})");
    const Result r = brigade({QStringLiteral("run"), batch, QStringLiteral("--insecure")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.startsWith(QLatin1String("WARNING: TLS certificates and host names are NOT "
                                            "verified")),
             qPrintable(r.err));
}

void tst_RunCommand::retryFailedSaysWhatItWrites()
{
    const QString batch = writeBatch(
            QStringLiteral("half.jsonl"),
            "{\"id\":\"ok\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n"
            "{\"id\":\"gone\",\"fetch\":\"file:///nonexistent/brigade-test-missing\"}\n");
    const QString journal = m_dir.filePath(QStringLiteral("half.journal"));
    QCOMPARE(brigade({QStringLiteral("run"), batch, QStringLiteral("--journal"), journal,
                      QStringLiteral("--max-attempts"), QStringLiteral("1")})
                     .exitCode,
             1);
    // Without a display, as the headless commands run.
    const QProcessEnvironment headless = Brigade::Test::headlessEnvironment();
    auto lines = [](const QString &path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll().count('\n') : -1;
    };
    // By default every task of the run, and it says so (and how to get the other).
    const QString all = m_dir.filePath(QStringLiteral("half.all.jsonl"));
    Result r = brigade({QStringLiteral("retry-failed"), journal, QStringLiteral("-o"), all}, 60000,
                       headless);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(lines(all), 2);
    QVERIFY2(r.err.contains(QLatin1String("wrote 2 records to ") + all
                            + QLatin1String(": every task of the run")),
             qPrintable(r.err));
    QVERIFY2(r.err.contains(QLatin1String("--only-retried")), qPrintable(r.err));
    // --only-retried: the retried task alone.
    const QString only = m_dir.filePath(QStringLiteral("half.only.jsonl"));
    r = brigade({QStringLiteral("retry-failed"), journal, QStringLiteral("-o"), only,
                 QStringLiteral("--only-retried")},
                60000, headless);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(lines(only), 1);
    QVERIFY2(r.err.contains(QLatin1String("wrote 1 record to ") + only
                            + QLatin1String(": the retried tasks only")),
             qPrintable(r.err));
    // Without an output, or for another command, it is a usage error.
    r = brigade({QStringLiteral("retry-failed"), journal, QStringLiteral("--only-retried")}, 60000,
                headless);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QLatin1String("--only-retried goes with")), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(tst_RunCommand)
#include "tst_runcommand.moc"
