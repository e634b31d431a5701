// The headless CLI, driven as a user would: the real brigade binary in a QProcess.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

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

private:
    struct Result
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    Result brigade(const QStringList &args, int timeoutMs = 60000);
    QString writeBatch(const QString &name, const QByteArray &content);
    QTemporaryDir m_dir;
};

tst_RunCommand::Result tst_RunCommand::brigade(const QStringList &args, int timeoutMs)
{
    QProcess p;
    p.start(QStringLiteral(BRIGADE_APP_PATH), args);
    Result r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
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
    QTest::newRow("two batches") << QStringList{QStringLiteral("run"), batch, batch}
                                 << QStringLiteral("one batch file at a time");
}

void tst_RunCommand::badArguments()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Result r = brigade(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
}

void tst_RunCommand::helpAndVersion()
{
    Result r = brigade({QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains(QLatin1String("--concurrency")));
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
    QVERIFY2(r.err.contains(QLatin1String("wrote 2000 records")), qPrintable(r.err));
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
    QCOMPARE(lines[0],
             QByteArray("id,status,attempts,result,error,http_status,bytes,worker,duration_ms,"
                        "exit_code,command,stderr"));
    QVERIFY2(lines[1].startsWith("\"w,1\",succeeded,1,\"[[\"\"w,1\"\",1]]\""),
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

QTEST_GUILESS_MAIN(tst_RunCommand)
#include "tst_runcommand.moc"
