// brigade run BATCH --resume [JOURNAL], retry-failed JOURNAL BATCH and --explain, through
// the real brigade program: an edited, reordered batch runs only its changed and new tasks
// (each task's command appends to a log, so what ran is counted), the output is complete,
// and --explain says why per task, runs nothing and ends with status 0.
#include "BrigadeRun.h"
#include "TestFiles.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade::Test;

class tst_ResumeEdited : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void editedBatchResumed();
    void badUsage_data();
    void badUsage();

private:
    BrigadeRun brigade(const QStringList &args);
    QString write(const QString &name, const QByteArray &content);
    QByteArray task(const char *id, const char *word) const;
    QStringList ran() const; // the log's lines: one per command run

    QTemporaryDir m_dir;
    QProcessEnvironment m_env;
};

void tst_ResumeEdited::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_env = headlessEnvironment();
    // The default journal folder, this test's own.
    m_env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
}

BrigadeRun tst_ResumeEdited::brigade(const QStringList &args)
{
    QProcessEnvironment env = m_env;
    env.insert(QStringLiteral("PWD"), m_dir.path());
    QStringList all = args;
    for (QString &arg : all) {
        if ((arg.endsWith(u".jsonl") || arg.endsWith(u".journal")) && QDir::isRelativePath(arg))
            arg = m_dir.filePath(arg);
    }
    return runBrigade(all, env);
}

QString tst_ResumeEdited::write(const QString &name, const QByteArray &content)
{
    return Brigade::Test::writeTestFile(m_dir, name, content);
}

QByteArray tst_ResumeEdited::task(const char *id, const char *word) const
{
    return QByteArray("{\"id\":\"") + id + "\",\"compute\":{\"op\":\"exec\",\"shell\":\"echo "
           + word + " >> " + m_dir.filePath(QStringLiteral("ran.log")).toUtf8() + "; echo " + word
           + "\"}}\n";
}

QStringList tst_ResumeEdited::ran() const
{
    QFile f(m_dir.filePath(QStringLiteral("ran.log")));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QStringList lines = QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
    lines.sort();
    return lines;
}

void tst_ResumeEdited::editedBatchResumed()
{
    write(QStringLiteral("b.jsonl"), task("a", "a1") + task("b", "b1") + task("c", "c1"));
    const QString first = m_dir.filePath(QStringLiteral("first.journal"));
    BrigadeRun r = brigade({"run", "b.jsonl", "--journal", first, "--progress", "none"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(ran(), (QStringList{"a1", "b1", "c1"}));

    // Reordered, b's command changed, c gone, d new.
    write(QStringLiteral("b.jsonl"), task("b", "b2") + task("d", "d1") + task("a", "a1"));

    // Explained: summary, then per task in the batch's order.
    r = brigade({"run", "b.jsonl", "--resume", first, "--explain=all"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QStringLiteral("kept 1, changed 1, new 1, failed before 0, unfinished 0, "
                                      "removed 1: 2 tasks run"));
    QCOMPARE(lines[1], QStringLiteral("b: runs: command or arguments changed"));
    QCOMPARE(lines[2], QStringLiteral("d: runs: new"));
    QVERIFY2(lines[3].startsWith(QStringLiteral("a: kept (finished identical at ")),
             qPrintable(lines[3]));
    r = brigade({"run", "b.jsonl", "--resume", first, "--explain=1"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.split(u'\n', Qt::SkipEmptyParts).size(), 3); // summary, b, "... and 2 more"
    r = brigade({"run", "b.jsonl", "--resume", first, "--explain"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.split(u'\n', Qt::SkipEmptyParts).size(), 1);
    QCOMPARE(ran().size(), 3); // explaining ran nothing

    // Run: only the changed and the new task, every task in the output.
    const QString second = m_dir.filePath(QStringLiteral("second.journal"));
    r = brigade({"run", "b.jsonl", "--resume", first, "--journal", second, "--progress", "none",
                 "-o", m_dir.filePath(QStringLiteral("out.jsonl"))});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(ran(), (QStringList{"a1", "b1", "b2", "c1", "d1"}));
    QFile out(m_dir.filePath(QStringLiteral("out.jsonl")));
    QVERIFY(out.open(QIODevice::ReadOnly));
    const QByteArray records = out.readAll();
    QCOMPARE(records.count('\n'), 3);
    for (const char *id : {"\"id\":\"a\"", "\"id\":\"b\"", "\"id\":\"d\""})
        QVERIFY2(records.contains(id), records.constData());

    // The new journal holds every task: resuming it runs nothing.
    r = brigade({"run", "--resume", second, "--explain"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.trimmed(), QStringLiteral("kept 3, changed 0, new 0, failed before 0, "
                                             "unfinished 0, removed 0: 0 tasks run"));
    // retry-failed with the batch: nothing failed, nothing runs.
    r = brigade({"retry-failed", second, "b.jsonl", "--explain"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith(u"kept 3,"), qPrintable(r.out));
    QCOMPARE(ran().size(), 5);
}

void tst_ResumeEdited::badUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("explain alone") << QStringList{"run", "x.jsonl", "--explain"}
                                   << QStringLiteral("--explain goes with brigade run --resume");
    QTest::newRow("explain value") << QStringList{"run", "--resume", "j.journal", "--explain=x"}
                                   << QStringLiteral("--explain expects all or a number");
    QTest::newRow("resume nothing")
            << QStringList{"run", "--resume"} << QStringLiteral("--resume needs the journal");
    QTest::newRow("no earlier journal")
            << QStringList{"run", "never.jsonl", "--resume", "--explain"}
            << QStringLiteral("no journal of an earlier run of");
    QTest::newRow("journal is no journal")
            << QStringList{"run", "never.jsonl", "--resume", "never.jsonl"}
            << QStringLiteral("is not a Brigade journal");
    QTest::newRow("group with batch")
            << QStringList{"retry-failed", "j.journal", "x.jsonl", "--group", "1"}
            << QStringLiteral("--group and --set-* go with brigade retry-failed JOURNAL alone");
}

void tst_ResumeEdited::badUsage()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    write(QStringLiteral("never.jsonl"), task("z", "z1"));
    const BrigadeRun r = brigade(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(tst_ResumeEdited)
#include "tst_resumeedited.moc"
