// brigade run - and brigade run --follow FILE, as a user runs them: the real CLI as a
// process, fed over its stdin (or a growing file) while it runs, with real workers.
#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

class tst_FeedCommand : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void commandLinesRunWhileMoreCome();
    void jsonLinesInPieces();
    void badLineGivesItsPlace();
    void followPicksUpAppendedLines();
    void resumeAfterKillRunsTheStreamedTasks();
    void longStreamWritesEveryRecordWhole();
    void badOptions();

private:
    void start(QProcess &p, const QStringList &args);
    QString marker(const QString &name) const { return m_dir->filePath(name); }
    QStringList records(const QString &path) const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_FeedCommand::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_FeedCommand::start(QProcess &p, const QStringList &args)
{
    p.setWorkingDirectory(m_dir->path());
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            QStringList{QStringLiteral("run"), QStringLiteral("--progress"), QStringLiteral("none"),
                        QStringLiteral("--workers"), QStringLiteral("2")}
                    + args);
    QVERIFY(p.waitForStarted());
}

QStringList tst_FeedCommand::records(const QString &path) const
{
    QStringList ids;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return ids;
    while (!f.atEnd()) {
        const QJsonObject o = QJsonDocument::fromJson(f.readLine()).object();
        if (o.value(QLatin1String("status")).toString() == u"succeeded")
            ids << o.value(QLatin1String("id")).toString();
    }
    ids.sort();
    return ids;
}

void tst_FeedCommand::commandLinesRunWhileMoreCome()
{
    QProcess p;
    start(p, {QStringLiteral("-"), QStringLiteral("--no-journal"), QStringLiteral("--"),
              QStringLiteral("touch")});
    QSignalSpy done(&p, &QProcess::finished);
    // Each line runs while stdin is still open, before the next is written.
    for (const char *name : {"one", "two", "three"}) {
        p.write(QByteArray(name) + '\n');
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(marker(QString::fromLatin1(name))), 30000);
        QCOMPARE(p.state(), QProcess::Running);
    }
    p.closeWriteChannel();
    QVERIFY(done.wait(30000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QVERIFY(p.readAllStandardOutput().contains("3 tasks"));
}

void tst_FeedCommand::jsonLinesInPieces()
{
    QProcess p;
    const QString out = marker(QStringLiteral("out.jsonl"));
    start(p, {QStringLiteral("-"), QStringLiteral("--no-journal"), QStringLiteral("-o"), out});
    QSignalSpy done(&p, &QProcess::finished);
    const QByteArray task = R"({"id":"p1","input":")" + marker(QStringLiteral("p1")).toUtf8()
                            + R"(","compute":{"op":"exec","argv":["touch","{}"]}})";
    p.write(task.left(20));
    p.waitForBytesWritten(10000);
    p.write(task.mid(20) + '\n');
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(marker(QStringLiteral("p1"))), 30000);
    p.write("{\"id\":\"p2\",\"compute\":{\"op\":\"sum_to\",\"n\":4}}\n");
    p.closeWriteChannel();
    QVERIFY(done.wait(30000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QCOMPARE(records(out), (QStringList{QStringLiteral("p1"), QStringLiteral("p2")}));
}

void tst_FeedCommand::badLineGivesItsPlace()
{
    const QString out = marker(QStringLiteral("bad.jsonl"));
    {
        // --skip-invalid: reported, skipped, the others run.
        QProcess p;
        start(p, {QStringLiteral("-"), QStringLiteral("--no-journal"), QStringLiteral("-o"), out,
                  QStringLiteral("--skip-invalid")});
        QSignalSpy done(&p, &QProcess::finished);
        p.write("{\"id\":\"a\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n"
                "{\"id\":\"b\",\"compute\":{\"op\":\"sum_to\",\"n\":\"x\"}}\n");
        p.write("{\"id\":\"c\",\"compute\":{\"op\":\"sum_to\",\"n\":2}}\n");
        p.closeWriteChannel();
        QVERIFY(done.wait(30000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("<stdin>:2:"), err.constData());
        QVERIFY2(err.contains("skipped 1 invalid line of <stdin>"), err.constData());
        QVERIFY2(p.exitCode() == 0, err.constData());
        QCOMPARE(records(out), (QStringList{QStringLiteral("a"), QStringLiteral("c")}));
    }
    {
        // Without it, reading stops at the bad line: what was taken runs, and the status
        // says the input was bad.
        QProcess p;
        start(p, {QStringLiteral("-"), QStringLiteral("--no-journal"), QStringLiteral("-o"), out});
        QSignalSpy done(&p, &QProcess::finished);
        p.write("{\"id\":\"a\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\nnot json\n"
                "{\"id\":\"c\",\"compute\":{\"op\":\"sum_to\",\"n\":2}}\n");
        QVERIFY(done.wait(30000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("<stdin>:2:2: invalid JSON"), err.constData());
        QVERIFY2(err.contains("stopped reading <stdin> at its bad line"), err.constData());
        QCOMPARE(p.exitCode(), 2);
        QCOMPARE(records(out), QStringList{QStringLiteral("a")});
    }
}

void tst_FeedCommand::followPicksUpAppendedLines()
{
    const QString list = marker(QStringLiteral("growing.txt"));
    QFile file(list);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(marker(QStringLiteral("f1")).toUtf8() + '\n');
    file.flush();
    QProcess p;
    start(p, {QStringLiteral("--follow"), list, QStringLiteral("--no-journal"),
              QStringLiteral("--"), QStringLiteral("touch")});
    QSignalSpy done(&p, &QProcess::finished);
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(marker(QStringLiteral("f1"))), 30000);
    // The end of the file is not the end of the run: appended lines run too.
    file.write(marker(QStringLiteral("f2")).toUtf8() + '\n');
    file.flush();
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(marker(QStringLiteral("f2"))), 30000);
    file.write(marker(QStringLiteral("f3")).toUtf8());
    file.flush();
    file.write("\n");
    file.flush();
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(marker(QStringLiteral("f3"))), 30000);
    QCOMPARE(p.state(), QProcess::Running);
    // Only Ctrl-C ends it.
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(done.wait(30000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.readAllStandardOutput().contains("3 tasks"), "three tasks in the summary");
}

void tst_FeedCommand::resumeAfterKillRunsTheStreamedTasks()
{
    const QString journal = marker(QStringLiteral("fed.journal"));
    const QDir done(m_dir->path());
    constexpr int tasks = 12;
    {
        QProcess p;
        // One at a time, each a while: most are still to run when the kill lands.
        start(p, {QStringLiteral("-"), QStringLiteral("--journal"), journal,
                  QStringLiteral("--concurrency"), QStringLiteral("1"), QStringLiteral("--"),
                  QStringLiteral("sh"), QStringLiteral("-c"),
                  QStringLiteral("touch \"$1\"; exec sleep 0.3"), QStringLiteral("sh")});
        QSignalSpy finished(&p, &QProcess::finished);
        QByteArray lines;
        for (int i = 1; i <= tasks; ++i)
            lines += marker(QStringLiteral("r%1").arg(i)).toUtf8() + '\n';
        p.write(lines); // one write, well under PIPE_BUF: one read, one stretch of tasks
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(marker(QStringLiteral("r1"))), 30000);
        // A task ran, so all were taken, so all are journaled. Crash now.
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(finished.wait(30000));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
    }
    int ranBefore = 0;
    for (int i = 1; i <= tasks; ++i)
        ranBefore += QFile::exists(marker(QStringLiteral("r%1").arg(i))) ? 1 : 0;
    QVERIFY2(ranBefore < tasks, "the kill landed after the run");
    QProcess p;
    start(p, {QStringLiteral("--resume"), journal});
    QSignalSpy finished(&p, &QProcess::finished);
    QVERIFY(finished.wait(60000));
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(p.exitCode() == 0, err.constData());
    QVERIFY2(err.contains(QStringLiteral("of %1 tasks had finished").arg(tasks).toUtf8()),
             err.constData());
    for (int i = 1; i <= tasks; ++i)
        QVERIFY(QFile::exists(marker(QStringLiteral("r%1").arg(i))));
}

void tst_FeedCommand::longStreamWritesEveryRecordWhole()
{
    // Tasks leave memory as a stream goes (many blocks of rows here): each is written out,
    // with its own id and result, before it does; a failing task among them retries.
    constexpr int Tasks = 30000;
    QProcess p;
    const QString out = marker(QStringLiteral("out.jsonl"));
    start(p, {QStringLiteral("-"), QStringLiteral("--journal"), marker(QStringLiteral("s.journal")),
              QStringLiteral("-o"), out});
    QSignalSpy done(&p, &QProcess::finished);
    QByteArray lines;
    for (int i = 0; i < Tasks; ++i) {
        lines += "{\"id\":\"n" + QByteArray::number(i) + "\",\"compute\":{\"op\":\"sum_to\",\"n\":"
                 + QByteArray::number(i % 100) + "}}\n";
        if (i == Tasks / 2)
            lines += "{\"id\":\"flaky\",\"fetch\":{\"delay_ms\":1,\"fail_rate\":1},"
                     "\"max_attempts\":2}\n";
    }
    p.write(lines);
    p.closeWriteChannel();
    QVERIFY(done.wait(120000));
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(p.exitCode() == 1, err.constData()); // the flaky task failed
    const QByteArray summary = p.readAllStandardOutput();
    QVERIFY2(summary.contains("30,000 succeeded, 1 failed"), summary.constData());

    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QHash<QString, QJsonObject> byId;
    while (!f.atEnd()) {
        const QJsonObject o = QJsonDocument::fromJson(f.readLine()).object();
        byId.insert(o.value(QLatin1String("id")).toString(), o);
    }
    QCOMPARE(byId.size(), Tasks + 1);
    for (int i = 0; i < Tasks; ++i) {
        const QJsonObject o = byId.value(QStringLiteral("n%1").arg(i));
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("succeeded"));
        const qint64 n = i % 100;
        QCOMPARE(o.value(QLatin1String("result")).toInteger(), n * (n + 1) / 2);
    }
    const QJsonObject flaky = byId.value(QStringLiteral("flaky"));
    QCOMPARE(flaky.value(QLatin1String("status")).toString(), QStringLiteral("failed"));
    QCOMPARE(flaky.value(QLatin1String("attempts")).toInt(), 2);
}

void tst_FeedCommand::badOptions()
{
    for (const QStringList &args :
         {QStringList{QStringLiteral("batch.jsonl"), QStringLiteral("--max-queued"),
                      QStringLiteral("10")},
          QStringList{QStringLiteral("-"), QStringLiteral("--max-queued"), QStringLiteral("0")},
          QStringList{QStringLiteral("--follow"), QStringLiteral("x.jsonl"), QStringLiteral("y")},
          QStringList{QStringLiteral("--follow"), QStringLiteral("no-such-file.jsonl")}}) {
        QProcess p;
        start(p, args);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().startsWith("brigade: "));
    }
}

QTEST_GUILESS_MAIN(tst_FeedCommand)
#include "tst_feedcommand.moc"
