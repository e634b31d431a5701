// brigade run LIST -- PROG ARG..., driven as a user would: the real brigade binary with a
// list on stdin or in a file, placeholders, failures in the output files and the progress
// lines, and a journaled run retried and exported.
#include "TestFiles.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class tst_CliCommand : public QObject
{
    Q_OBJECT
private slots:
    void listOnStdin();
    void listInAFileWithPlaceholders();
    void failuresInOutputsAndProgress();
    void journaledRunRetriedAndExported();
    void killedRunResumed();
    void badUsage_data();
    void badUsage();

private:
    struct Result
    {
        int exitCode = -1;
        QByteArray out;
        QString err;
    };
    Result brigade(const QStringList &args, const QByteArray &input = {});
    QString write(const QString &name, const QByteArray &content);
    QHash<QString, QJsonObject> records(const QString &path);
    QTemporaryDir m_dir;
};

tst_CliCommand::Result tst_CliCommand::brigade(const QStringList &args, const QByteArray &input)
{
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    // No display: on main, "brigade retry-failed JOURNAL" still opens the window when there
    // is one (the front-end choice is being moved into the engine, with these verbs
    // headless), and ctest gives every test an offscreen one.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
        env.remove(QLatin1String(name));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(BRIGADE_APP_PATH), args);
    p.write(input);
    p.closeWriteChannel();
    Result r;
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        qWarning("brigade %s did not finish; its stderr: %s", qPrintable(args.join(u' ')),
                 p.readAllStandardError().constData());
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString tst_CliCommand::write(const QString &name, const QByteArray &content)
{
    return Brigade::Test::writeTestFile(m_dir, name, content);
}

QHash<QString, QJsonObject> tst_CliCommand::records(const QString &path)
{
    QHash<QString, QJsonObject> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        out.insert(o.value(QLatin1String("id")).toString(), o);
    }
    return out;
}

void tst_CliCommand::listOnStdin()
{
    const QString out = m_dir.filePath(QStringLiteral("stdin.jsonl"));
    const Result r = brigade({QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("-o"), out,
                              QStringLiteral("--no-journal"), QStringLiteral("--progress"),
                              QStringLiteral("none"), QStringLiteral("--"), QStringLiteral("echo"),
                              QStringLiteral("X"), QStringLiteral("{print $1}")},
                             "a.txt\nb c\n\nlast");
    QCOMPARE(r.exitCode, 0);
    const auto recs = records(out);
    QCOMPARE(recs.size(), 4);
    // No placeholder: the line is the last argument; braces that are not one stay.
    QCOMPARE(recs.value("1").value("result").toString(), QStringLiteral("X {print $1} a.txt"));
    QCOMPARE(recs.value("2").value("result").toString(), QStringLiteral("X {print $1} b c"));
    QCOMPARE(recs.value("3").value("result").toString(), QStringLiteral("X {print $1} "));
    QCOMPARE(recs.value("4").value("result").toString(), QStringLiteral("X {print $1} last"));
    QCOMPARE(recs.value("2").value("command").toString(),
             QStringLiteral("echo X '{print $1}' 'b c'"));
    QCOMPARE(recs.value("2").value("exit_code").toInt(-1), 0);
    QVERIFY(recs.value("2").value("stderr").isNull());
}

void tst_CliCommand::listInAFileWithPlaceholders()
{
    const QString list = write(QStringLiteral("photos.txt"), "dir/cat.jpg\ndog.png\n");
    const QString out = m_dir.filePath(QStringLiteral("photos.out.jsonl"));
    const Result r
            = brigade({QStringLiteral("run"), list, QStringLiteral("-o"), out,
                       QStringLiteral("--no-journal"), QStringLiteral("--progress"),
                       QStringLiteral("none"), QStringLiteral("--workers"), QStringLiteral("1"),
                       QStringLiteral("--"), QStringLiteral("echo"), QStringLiteral("{/.}"),
                       QStringLiteral("{//}"), QStringLiteral("{#}"), QStringLiteral("{.}.webp")});
    QCOMPARE(r.exitCode, 0);
    const auto recs = records(out);
    QCOMPARE(recs.value("1").value("result").toString(), QStringLiteral("cat dir 1 dir/cat.webp"));
    QCOMPARE(recs.value("2").value("result").toString(), QStringLiteral("dog . 2 dog.webp"));
    // Commands run in the directory brigade was started in.
    const Result pwd
            = brigade({QStringLiteral("run"), list, QStringLiteral("--no-journal"),
                       QStringLiteral("-o"), out, QStringLiteral("--progress"),
                       QStringLiteral("none"), QStringLiteral("--"), QStringLiteral("pwd")});
    QCOMPARE(pwd.exitCode, 0);
    QCOMPARE(records(out).value("1").value("result").toString(),
             QDir(m_dir.path()).canonicalPath());
}

void tst_CliCommand::failuresInOutputsAndProgress()
{
    const QByteArray script = "test \"$1\" != bad || { echo \"no good: $1\" >&2; exit 4; }; "
                              "echo fine";
    const QString csv = m_dir.filePath(QStringLiteral("fail.csv"));
    const Result r = brigade(
            {QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("-o"), csv,
             QStringLiteral("--no-journal"), QStringLiteral("--progress"), QStringLiteral("plain"),
             QStringLiteral("--"), QStringLiteral("/bin/sh"), QStringLiteral("-c"),
             QString::fromUtf8(script), QStringLiteral("sh"), QStringLiteral("{}")},
            "good\nbad\n");
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QLatin1String("brigade: failed: 2: exit 4: no good: bad (/bin/sh -c")),
             qPrintable(r.err));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.startsWith("id,url,status,attempts,result,error,http_status,bytes,worker,"
                            "duration_ms,exit_code,command,stderr\n"));
    // The failure: its exit code, command and the tail of stderr (a quoted field with its
    // line break).
    QVERIFY2(text.contains("\n2,,failed,1,,exit 4: no good: bad,,,"), text.constData());
    QVERIFY2(text.contains(",4,\"/bin/sh -c "), text.constData());
    QVERIFY2(text.contains(",\"no good: bad\n\"\n"), text.constData());
    QVERIFY2(text.contains("\n1,,succeeded,1,\"\"\"fine\"\"\",,,,"), text.constData());
}

void tst_CliCommand::journaledRunRetriedAndExported()
{
    // Every input fails the first time and succeeds the next.
    const QString journal = m_dir.filePath(QStringLiteral("cmd.journal"));
    const QString list = write(QStringLiteral("items.txt"), "one\ntwo\nthree\n");
    const QStringList command{QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                              QStringLiteral("test -e {}.ok || { touch {}.ok; echo first try >&2; "
                                             "exit 7; }; echo {} done")};
    Result r = brigade(QStringList{QStringLiteral("run"), list, QStringLiteral("--journal"),
                                   journal, QStringLiteral("--progress"), QStringLiteral("none"),
                                   QStringLiteral("--")}
                       + command);
    QCOMPARE(r.exitCode, 1);
    r = brigade({QStringLiteral("retry-failed"), journal, QStringLiteral("--progress"),
                 QStringLiteral("none")});
    QCOMPARE(r.exitCode, 0);
    const QString out = m_dir.filePath(QStringLiteral("export.jsonl"));
    r = brigade({QStringLiteral("export"), journal, QStringLiteral("-o"), out});
    QCOMPARE(r.exitCode, 0);
    const auto recs = records(out);
    QCOMPARE(recs.size(), 3);
    QCOMPARE(recs.value("3").value("result").toString(), QStringLiteral("three done"));
    QCOMPARE(recs.value("3").value("exit_code").toInt(-1), 0);
    QVERIFY(recs.value("3").value("command").toString().contains(QLatin1String("three.ok")));
}

// A command run killed with SIGKILL part way and resumed from its journal: every input runs
// to success once in the end, none twice in the output.
void tst_CliCommand::killedRunResumed()
{
    const QString journal = m_dir.filePath(QStringLiteral("resume.journal"));
    const QString first = m_dir.filePath(QStringLiteral("resume-first.jsonl"));
    QByteArray items;
    for (int i = 0; i < 12; ++i)
        items += "item" + QByteArray::number(i) + '\n';
    const QString list = write(QStringLiteral("resume.txt"), items);
    QProcess run;
    run.setWorkingDirectory(m_dir.path());
    run.start(QStringLiteral(BRIGADE_APP_PATH),
              {QStringLiteral("run"), list, QStringLiteral("--journal"), journal,
               QStringLiteral("-o"), first, QStringLiteral("--progress"), QStringLiteral("none"),
               QStringLiteral("--"), QStringLiteral("/bin/sh"), QStringLiteral("-c"),
               QStringLiteral("sleep 0.3; echo $0"), QStringLiteral("{}")});
    QVERIFY(run.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(records(first).size() >= 2, 60000);
    run.kill();
    QVERIFY(run.waitForFinished());
    const QString all = m_dir.filePath(QStringLiteral("resume-all.jsonl"));
    const Result r = brigade({QStringLiteral("run"), QStringLiteral("--resume"), journal,
                              QStringLiteral("-o"), all, QStringLiteral("--progress"),
                              QStringLiteral("none")});
    QCOMPARE(r.exitCode, 0);
    QFile f(all);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 12); // one record per input: no duplicates
    const auto recs = records(all);
    for (int i = 0; i < 12; ++i) {
        const QJsonObject rec = recs.value(QString::number(i + 1));
        QCOMPARE(rec.value("status").toString(), QStringLiteral("succeeded"));
        QCOMPARE(rec.value("result").toString(), QStringLiteral("item%1").arg(i));
        QCOMPARE(rec.value("exit_code").toInt(-1), 0);
    }
}

void tst_CliCommand::badUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no command") << QStringList{"run", "-", "--"}
                                << QStringLiteral("-- needs a command to run");
    QTest::newRow("no list") << QStringList{"run", "--", "echo"}
                             << QStringLiteral("missing the list of inputs");
    QTest::newRow("with resume") << QStringList{"run", "--resume", "j", "--", "echo"}
                                 << QStringLiteral("goes with brigade run LIST only");
    QTest::newRow("missing list") << QStringList{"run", "/nonexistent/list", "--", "echo"}
                                  << QStringLiteral("cannot read list /nonexistent/list");
    QTest::newRow("bad retry kind") << QStringList{"run", "-", "--retry-on", "exits", "--", "x"}
                                    << QStringLiteral("exit, program or none");
}

void tst_CliCommand::badUsage()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Result r = brigade(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(tst_CliCommand)
#include "tst_clicommand.moc"
