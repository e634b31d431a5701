// brigade submit as a user runs it: the real CLI as processes, a brigade run of a batch
// taking tasks from brigade submit while it runs (real workers), and the choice of the
// Brigade to send to.
#include "BrigadeRun.h"
#include "batch/BatchParser.h"
#include "core/TaskStore.h"
#include "journal/Journal.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;
using Brigade::Test::runBrigade;

class tst_SubmitCommand : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void submittedTasksJoinTheRun();
    void choosingTheBrigade();
    void priorityIsJournaledAndKeptByAResume();
    void badArguments();
    void helpSaysWhoTakesCommands();

private:
    QString path(const QString &name) const { return m_dir->filePath(name); }
    QString write(const QString &name, const QByteArray &data) const;
    QProcessEnvironment environment() const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_SubmitCommand::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("runtime")));
}

QString tst_SubmitCommand::write(const QString &name, const QByteArray &data) const
{
    QFile f(path(name));
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(data);
    return f.fileName();
}

QProcessEnvironment tst_SubmitCommand::environment() const
{
    QProcessEnvironment env = Brigade::Test::headlessEnvironment();
    // Only this test's Brigades: a folder of its own for the sockets.
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), path(QStringLiteral("runtime")));
    return env;
}

void tst_SubmitCommand::submittedTasksJoinTheRun()
{
    // The batch's task waits for a file the test makes once it has submitted.
    const QByteArray go = path(QStringLiteral("go")).toUtf8();
    const QString batch
            = write(QStringLiteral("batch.jsonl"),
                    R"({"id":"wait","compute":{"op":"exec","argv":["sh","-c","while [ ! -e )" + go
                            + R"( ]; do sleep 0.05; done"]}})" + "\n");
    const QString out = path(QStringLiteral("out.jsonl"));
    QProcess run;
    run.setProcessEnvironment(environment());
    run.setWorkingDirectory(m_dir->path());
    run.start(QStringLiteral(BRIGADE_APP_PATH),
              {QStringLiteral("run"), batch, QStringLiteral("--progress"), QStringLiteral("none"),
               QStringLiteral("--workers"), QStringLiteral("1"), QStringLiteral("-o"), out});
    QVERIFY(run.waitForStarted());
    QSignalSpy finished(&run, &QProcess::finished);
    // It says the name to submit to once it takes tasks.
    QByteArray err;
    const QRegularExpression said(QStringLiteral("brigade submit --to (\\S+) FILE"));
    QRegularExpressionMatch match;
    QTRY_VERIFY_WITH_TIMEOUT((err += run.readAllStandardError(),
                              match = said.match(QString::fromLocal8Bit(err)), match.hasMatch()),
                             30000);
    const QString name = match.captured(1);
    QVERIFY(name.startsWith(QStringLiteral("batch-")));

    // One bad line: reported with its file and place, the others taken; exit status 1.
    const QString more = write(QStringLiteral("more.jsonl"),
                               "{\"id\":\"m1\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n"
                               "{\"id\":\"m2\",\"fetch\":7}\n"
                               "{\"id\":\"m3\",\"compute\":{\"op\":\"sum_to\",\"n\":4}}\n");
    const auto partly = runBrigade({QStringLiteral("submit"), more}, environment());
    QCOMPARE(partly.exitCode, 1);
    QVERIFY2(partly.err.contains(more + QStringLiteral(":2:")), qPrintable(partly.err));
    QVERIFY2(partly.err.contains(QStringLiteral("accepted 2 tasks, rejected 1 line")),
             qPrintable(partly.err));
    // All good, named with --to: exit status 0. A brigade run takes commands from its
    // socket (the window asks for a menu's consent first).
    const QString good
            = write(QStringLiteral("good.jsonl"),
                    "{\"id\":\"g1\",\"compute\":{\"op\":\"sum_to\",\"n\":5}}\n"
                    "{\"id\":\"g2\",\"compute\":{\"op\":\"exec\",\"argv\":[\"true\"]}}\n");
    const auto fine = runBrigade({QStringLiteral("submit"), QStringLiteral("--to"), name, good},
                                 environment());
    QVERIFY2(fine.exitCode == 0, qPrintable(fine.err));
    // A duplicate of a task the run has is a bad line too.
    const auto again = runBrigade({QStringLiteral("submit"), good}, environment());
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.contains(QStringLiteral("duplicate id")), qPrintable(again.err));

    QVERIFY(finished.isEmpty()); // the batch's task still waits
    QFile(path(QStringLiteral("go"))).open(QIODevice::WriteOnly);
    QVERIFY(finished.wait(30000));
    QCOMPARE(run.exitCode(), 0);
    QStringList ids;
    QFile records(out);
    QVERIFY(records.open(QIODevice::ReadOnly));
    while (!records.atEnd()) {
        const QJsonObject o = QJsonDocument::fromJson(records.readLine()).object();
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("succeeded"));
        ids << o.value(QLatin1String("id")).toString();
    }
    ids.sort();
    QCOMPARE(ids, QStringList({"g1", "g2", "m1", "m3", "wait"}));
    // Gone with its run: nothing left to submit to.
    const auto after = runBrigade({QStringLiteral("submit"), good}, environment());
    QCOMPARE(after.exitCode, 1);
    QVERIFY2(after.err.contains(QStringLiteral("no Brigade is running")), qPrintable(after.err));
}

void tst_SubmitCommand::choosingTheBrigade()
{
    const QString tasks = write(QStringLiteral("t.jsonl"), "{}\n");
    // None running.
    const auto none = runBrigade({QStringLiteral("submit"), tasks}, environment());
    QCOMPARE(none.exitCode, 1);
    QVERIFY2(none.err.contains(QStringLiteral("no Brigade is running")), qPrintable(none.err));
    // Two (this test's own pid keeps their names alive): listed, and one must be chosen.
    const QString folder = path(QStringLiteral("runtime/brigade"));
    QVERIFY(QDir().mkpath(folder));
    const QString pid = QString::number(QCoreApplication::applicationPid());
    for (const QString &name : {QStringLiteral("one-"), QStringLiteral("two-")})
        QVERIFY(QFile(folder + u'/' + name + pid).open(QIODevice::WriteOnly));
    const auto several = runBrigade({QStringLiteral("submit"), tasks}, environment());
    QCOMPARE(several.exitCode, 2);
    QVERIFY2(several.err.contains(QStringLiteral("one-") + pid)
                     && several.err.contains(QStringLiteral("two-") + pid),
             qPrintable(several.err));
    const auto unknown = runBrigade(
            {QStringLiteral("submit"), QStringLiteral("--to"), QStringLiteral("three-1"), tasks},
            environment());
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY2(unknown.err.contains(QStringLiteral("no Brigade named three-1")),
             qPrintable(unknown.err));
}

// --priority N: lines without their own priority get N, written into the journal's copy of
// the line, so the run that resumes after a crash starts them in that order.
void tst_SubmitCommand::priorityIsJournaledAndKeptByAResume()
{
    const QByteArray go = path(QStringLiteral("go")).toUtf8();
    QByteArray lines = "{\"id\":\"wait\",\"compute\":{\"op\":\"exec\",\"argv\":[\"sh\",\"-c\","
                       "\"while [ ! -e "
                       + go + " ]; do sleep 0.05; done\"]}}" + "\n";
    for (int i = 1; i <= 3; ++i)
        lines += QStringLiteral("{\"id\":\"q%1\",\"compute\":{\"op\":\"sum_to\",\"n\":%1}}")
                         .arg(i)
                         .toUtf8()
                 + '\n';
    const QString batch = write(QStringLiteral("prio.jsonl"), lines);
    const QString journal = path(QStringLiteral("prio.journal"));
    // One task at a time, and no aging to speak of: the order is the priorities'.
    const QStringList oneAtATime{QStringLiteral("--workers"),           QStringLiteral("1"),
                                 QStringLiteral("--concurrency"),       QStringLiteral("1"),
                                 QStringLiteral("--priority-aging-ms"), QStringLiteral("600000"),
                                 QStringLiteral("--progress"),          QStringLiteral("none")};
    QProcess run;
    run.setProcessEnvironment(environment());
    run.setWorkingDirectory(m_dir->path());
    run.start(QStringLiteral(BRIGADE_APP_PATH),
              QStringList{QStringLiteral("run"), batch, QStringLiteral("--journal"), journal}
                      + oneAtATime);
    QVERIFY(run.waitForStarted());
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT(
            (err += run.readAllStandardError(), err.contains("brigade submit --to")), 30000);

    const QString more = write(QStringLiteral("urgent.jsonl"),
                               "{\"id\":\"p1\",\"compute\":{\"op\":\"sum_to\",\"n\":9}}\n"
                               "{\"id\":\"p2\",\"priority\":-5,\"compute\":{\"op\":\"sum_to\","
                               "\"n\":8}}\n"
                               "{\"compute\":{\"op\":\"sum_to\",\"n\":2}}\n");
    const auto sent = runBrigade(
            {QStringLiteral("submit"), QStringLiteral("--priority"), QStringLiteral("5"), more},
            environment());
    QVERIFY2(sent.exitCode == 0, qPrintable(sent.err));
    QVERIFY2(sent.err.contains(QStringLiteral("accepted 3 tasks")), qPrintable(sent.err));

    // A crash before any of them ran: what was accepted is in the journal, priority and all.
    run.kill();
    QVERIFY(run.waitForFinished(30000));
    {
        Journal j;
        QString error;
        QVERIFY2(j.open(journal, &error), qPrintable(error));
        const QByteArray data = j.batchData(&error);
        QVERIFY2(data.contains(
                         "{\"id\":\"p1\",\"compute\":{\"op\":\"sum_to\",\"n\":9},\"priority\":5}"),
                 data.constData());
        QVERIFY2(data.contains(
                         "{\"id\":\"p2\",\"priority\":-5,\"compute\":{\"op\":\"sum_to\",\"n\":8}}"),
                 data.constData());
        QVERIFY2(data.contains("\n{\"compute\":{\"op\":\"sum_to\",\"n\":2},\"priority\":5}\n"),
                 data.constData());
        const Batch parsed = BatchParser::parseData(data, j.batchPath());
        QCOMPARE(parsed.tasks.size(), 7);
    }

    // The resume starts the urgent task first and the one that kept its -5 last.
    QFile(path(QStringLiteral("go"))).open(QIODevice::WriteOnly);
    const auto resumed = runBrigade(
            QStringList{QStringLiteral("run"), QStringLiteral("--resume"), journal} + oneAtATime,
            environment());
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    Journal j;
    QString error;
    QVERIFY2(j.open(journal, &error), qPrintable(error));
    TaskStore store(BatchParser::parseData(j.batchData(&error), j.batchPath()).tasks);
    QVector<int> order;
    QVERIFY2(j.restore(store, &error, &order), qPrintable(error));
    QStringList ids;
    for (int row : std::as_const(order))
        ids << store.spec(row).id;
    QCOMPARE(ids.size(), 7);
    QCOMPARE(ids.last(), QStringLiteral("p2"));
    // The two of priority 5 first (the id-less one is named after its line, 7).
    QCOMPARE(QSet<QString>(ids.cbegin(), ids.cbegin() + 2),
             QSet<QString>({QStringLiteral("p1"), QStringLiteral("7")}));
}

void tst_SubmitCommand::badArguments()
{
    const QList<QStringList> cases{
            {QStringLiteral("submit")},
            {QStringLiteral("submit"), QStringLiteral("a.jsonl"), QStringLiteral("b.jsonl")},
            {QStringLiteral("submit"), path(QStringLiteral("missing.jsonl"))},
            {QStringLiteral("run"), QStringLiteral("x.jsonl"), QStringLiteral("--to"),
             QStringLiteral("n")},
            {QStringLiteral("submit"), QStringLiteral("--priority"), QStringLiteral("high"),
             QStringLiteral("a.jsonl")},
            {QStringLiteral("submit"), QStringLiteral("--priority"), QStringLiteral("2000000"),
             QStringLiteral("a.jsonl")},
            {QStringLiteral("run"), QStringLiteral("x.jsonl"), QStringLiteral("--priority"),
             QStringLiteral("1")},
    };
    for (const QStringList &args : cases) {
        const auto r = runBrigade(args, environment());
        QVERIFY2(r.exitCode == 2, qPrintable(args.join(u' ') + u'\n' + r.err));
        QVERIFY2(r.err.startsWith(QStringLiteral("brigade: ")), qPrintable(r.err));
    }
}

void tst_SubmitCommand::helpSaysWhoTakesCommands()
{
    const auto help
            = runBrigade({QStringLiteral("submit"), QStringLiteral("--help")}, environment());
    QCOMPARE(help.exitCode, 0);
    const QString text = QString(help.out).simplified();
    QVERIFY2(text.contains(QStringLiteral("Accept Commands from brigade submit"))
                     && text.contains(QStringLiteral("(exec, call) are taken by a brigade run")),
             qPrintable(help.out));
}

QTEST_GUILESS_MAIN(tst_SubmitCommand)
#include "tst_submitcommand.moc"
