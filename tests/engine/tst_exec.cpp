// Command tasks ("exec") through a real Engine and real brigade-worker processes: exit codes
// and signals, outputs small and huge, stdin bodies, env and cwd, compute slots, live
// output, and no process left behind after a timeout, a cancel, a killed worker or a
// killed engine (checked in the process tree).
#include "EngineHarness.h"
#include "ProcessTree.h"
#include "TestFiles.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QtTest>

#include <csignal>

using namespace Brigade;
using namespace Brigade::Test;

namespace {

// A JSON Lines task running argv (a JSON array) with more fields.
QString execTask(const QString &id, const QJsonArray &argv, const QJsonObject &more = {},
                 const QJsonObject &task = {})
{
    QJsonObject compute{{QStringLiteral("op"), QStringLiteral("exec")},
                        {QStringLiteral("argv"), argv}};
    for (auto it = more.begin(); it != more.end(); ++it)
        compute.insert(it.key(), it.value());
    QJsonObject line = task;
    line.insert(QStringLiteral("id"), id);
    line.insert(QStringLiteral("compute"), compute);
    return QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact));
}

QString shellTask(const QString &id, const QString &script, const QJsonObject &task = {})
{
    return execTask(id, QJsonArray{QStringLiteral("/bin/sh"), QStringLiteral("-c"), script}, {},
                    task);
}

// A marker no other process has in its arguments: "sleep 300.<marker>" is findable.
QByteArray newMarker()
{
    return QByteArray::number(QRandomGenerator::global()->bounded(100000, 999999));
}

} // namespace

class tst_Exec : public QObject
{
    Q_OBJECT
private slots:
    void exitCodesAndSignals();
    void exitIsRetriedOnlyWhenAsked();
    void outputs();
    void hugeOutputs();
    void stdinBodies();
    void environmentAndDirectory();
    void slotsLimitHowManyRun();
    void liveOutput();
    void timeoutEndsTheProcessGroup();
    void cancelEndsTheProcessGroup();
    void lostWorkerLeavesNoOrphan();
    void killedEngineLeavesNoOrphan();

private:
    QTemporaryDir m_dir;
};

void tst_Exec::exitCodesAndSignals()
{
    EngineHarness h;
    QVERIFY2(h.load({execTask(QStringLiteral("true"), {QStringLiteral("/bin/true")}),
                     shellTask(QStringLiteral("exit3"),
                               QStringLiteral("echo first >&2; echo 'the last line' >&2; exit 3")),
                     shellTask(QStringLiteral("segv"), QStringLiteral("kill -SEGV $$")),
                     shellTask(QStringLiteral("term"),
                               QStringLiteral("echo dying >&2; kill -TERM $$")),
                     execTask(QStringLiteral("missing"),
                              {QStringLiteral("brigade-no-such-program")}),
                     execTask(QStringLiteral("notexec"), {m_dir.path()})}),
             qPrintable(h.lastError));
    h.start();
    QVERIFY(h.waitFinished());
    const TaskStore &store = h.store();
    const auto process = [&](const char *id) {
        return store.process(h.row(QLatin1String(id)));
    };

    QCOMPARE(h.state(QStringLiteral("true")).status, TaskStatus::Succeeded);
    QCOMPARE(h.state(QStringLiteral("true")).result, QByteArray("\"\""));
    QCOMPARE(process("true").exitCode, 0);
    QCOMPARE(process("true").command, QStringLiteral("/bin/true"));

    const TaskState exit3 = h.state(QStringLiteral("exit3"));
    QCOMPARE(exit3.status, TaskStatus::Failed);
    QCOMPARE(exit3.error, ErrorKind::Exit);
    QCOMPARE(exit3.message, QStringLiteral("exit 3: the last line"));
    QCOMPARE(exit3.attempts, 1); // "exit" is not retried by default
    QCOMPARE(process("exit3").exitCode, 3);
    QCOMPARE(process("exit3").stderrTail, QByteArray("first\nthe last line\n"));

    const TaskState segv = h.state(QStringLiteral("segv"));
    QCOMPARE(segv.message, QStringLiteral("killed by SIGSEGV"));
    QCOMPARE(process("segv").signal, quint8(SIGSEGV));
    QCOMPARE(process("segv").exitCode, ProcessOutcome::NoExitCode);
    QCOMPARE(h.state(QStringLiteral("term")).message, QStringLiteral("killed by SIGTERM: dying"));

    const TaskState missing = h.state(QStringLiteral("missing"));
    QCOMPARE(missing.error, ErrorKind::Exit);
    QCOMPARE(missing.message,
             QStringLiteral("cannot run brigade-no-such-program: not found in PATH"));
    QVERIFY2(h.state(QStringLiteral("notexec"))
                     .message.toString()
                     .startsWith(QStringLiteral("cannot run %1: ").arg(m_dir.path())),
             qPrintable(h.state(QStringLiteral("notexec")).message));
}

void tst_Exec::exitIsRetriedOnlyWhenAsked()
{
    // Fails the first two times, then succeeds: a flaky command.
    const QString counter = m_dir.filePath(QStringLiteral("flaky-count"));
    EngineHarness h;
    h.settings.retry.retryExit = true;
    QVERIFY(h.load(
            {shellTask(QStringLiteral("flaky"),
                       QStringLiteral("n=$(cat %1 2>/dev/null || echo 0); echo $((n+1)) > %1; "
                                      "[ $n -ge 2 ] || { echo try $n >&2; exit 1; }; "
                                      "echo done {attempt}")
                               .arg(counter),
                       {{QStringLiteral("max_attempts"), 5}})}));
    h.start();
    QVERIFY(h.waitFinished());
    const TaskState st = h.state(QStringLiteral("flaky"));
    QCOMPARE(st.status, TaskStatus::Succeeded);
    QCOMPARE(st.attempts, 3);
    QCOMPARE(st.result, QByteArray("\"done 3\""));
    const QList<AttemptRecord> history = h.store().attemptHistory(h.row(QStringLiteral("flaky")));
    QCOMPARE(history.size(), 2);
    QCOMPARE(history[0].message, QStringLiteral("exit 1: try 0"));
    QCOMPARE(history[0].process.exitCode, 1);
    QCOMPARE(history[1].process.stderrTail, QByteArray("try 1\n"));
    QVERIFY(history[1].process.command.contains(QLatin1String("done 2")));
}

void tst_Exec::outputs()
{
    EngineHarness h;
    QVERIFY(h.load(
            {execTask(QStringLiteral("text"),
                      {QStringLiteral("printf"), QStringLiteral("a\\tb\\n\\n")}),
             execTask(QStringLiteral("crlf"),
                      {QStringLiteral("printf"), QStringLiteral("x\\r\\n")}),
             execTask(QStringLiteral("utf8"),
                      {QStringLiteral("printf"), QStringLiteral("\\303\\274\\377")}),
             execTask(QStringLiteral("json"),
                      {QStringLiteral("printf"), QStringLiteral("{\n  \"a\": [1, 2]\n}\n")},
                      {{QStringLiteral("result"), QStringLiteral("json")}}),
             execTask(QStringLiteral("badjson"), {QStringLiteral("echo"), QStringLiteral("{")},
                      {{QStringLiteral("result"), QStringLiteral("json")}}),
             execTask(QStringLiteral("none"), {QStringLiteral("echo"), QStringLiteral("hi")},
                      {{QStringLiteral("result"), QStringLiteral("none")}})}));
    h.start();
    QVERIFY(h.waitFinished());
    // Text: one trailing line break trimmed; invalid UTF-8 shown as U+FFFD.
    QCOMPARE(h.state(QStringLiteral("text")).result, QByteArray("\"a\\tb\\n\""));
    QCOMPARE(h.state(QStringLiteral("crlf")).result, QByteArray("\"x\""));
    QCOMPARE(h.state(QStringLiteral("utf8")).result, QByteArray("\"\xc3\xbc\xef\xbf\xbd\""));
    QCOMPARE(h.state(QStringLiteral("json")).result, QByteArray("{\"a\":[1,2]}"));
    QCOMPARE(h.state(QStringLiteral("badjson")).error, ErrorKind::Compute);
    QVERIFY(h.state(QStringLiteral("badjson"))
                    .message.toString()
                    .startsWith(QLatin1String("stdout is not JSON")));
    QCOMPARE(h.state(QStringLiteral("none")).result, QByteArray("null"));
    QCOMPARE(h.store().process(h.row(QStringLiteral("none"))).stdoutTail, QByteArray("hi\n"));
}

void tst_Exec::hugeOutputs()
{
    EngineHarness h;
    QVERIFY(h.load({// 8 MiB on stdout while 1 MiB goes to stderr: read as it comes, no stall.
                    shellTask(QStringLiteral("big"),
                              QStringLiteral("head -c 1048576 /dev/zero | tr '\\0' e >&2 & "
                                             "head -c 8388608 /dev/zero | tr '\\0' o; wait; "
                                             "echo 'end of stderr' >&2")),
                    execTask(QStringLiteral("capped"),
                             {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                              QStringLiteral("head -c 5000000 /dev/zero; sleep 30")},
                             {{QStringLiteral("max_output_bytes"), 100000}})}));
    h.start();
    QVERIFY(h.waitFinished());
    const TaskState big = h.state(QStringLiteral("big"));
    QCOMPARE(big.status, TaskStatus::Succeeded);
    QCOMPARE(big.result.size(), 8388608 + 2);
    QVERIFY(big.result.startsWith("\"oooo") && big.result.endsWith("oooo\""));
    const ProcessOutcome bigProcess = h.store().process(h.row(QStringLiteral("big")));
    QVERIFY(bigProcess.stderrTail.size() <= ProcessOutcome::MaxTailBytes);
    QVERIFY(bigProcess.stderrTail.endsWith("end of stderr\n"));

    // Over the cap: failed at once (not after the sleep), naming the limit.
    const TaskState capped = h.state(QStringLiteral("capped"));
    QCOMPARE(capped.error, ErrorKind::TooLarge);
    QCOMPARE(capped.message, QStringLiteral("the output is over max_output_bytes (100000 bytes)"));
    QVERIFY(capped.computeUs < 20'000'000);
}

void tst_Exec::stdinBodies()
{
    const QByteArray body = QByteArray(300000, 'x') + "\nlast line\n";
    const QString file = writeTestFile(m_dir, QStringLiteral("body.txt"), body);
    const QString url = QUrl::fromLocalFile(file).toString();
    const QJsonObject fetch{{QStringLiteral("fetch"), url}};
    EngineHarness h;
    QVERIFY(h.load(
            {execTask(QStringLiteral("stdin"), {QStringLiteral("wc"), QStringLiteral("-c")}, {},
                      fetch),
             execTask(QStringLiteral("none"), {QStringLiteral("wc"), QStringLiteral("-c")},
                      {{QStringLiteral("stdin"), QStringLiteral("none")}}, fetch),
             execTask(QStringLiteral("file"),
                      {QStringLiteral("tail"), QStringLiteral("-n1"), QStringLiteral("{body}")}, {},
                      fetch),
             execTask(QStringLiteral("url"), {QStringLiteral("echo"), QStringLiteral("{url}")}, {},
                      fetch)}));
    h.start();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.state(QStringLiteral("stdin")).result, '"' + QByteArray::number(body.size()) + '"');
    QCOMPARE(h.state(QStringLiteral("stdin")).bytes, body.size());
    QCOMPARE(h.state(QStringLiteral("none")).result, QByteArray("\"0\""));
    QCOMPARE(h.state(QStringLiteral("file")).result, QByteArray("\"last line\""));
    QCOMPARE(h.state(QStringLiteral("url")).result, '"' + url.toUtf8() + '"');
    // The {body} file was made for the attempt and removed after it.
    const QString command = h.store().process(h.row(QStringLiteral("file"))).command;
    const QString bodyPath = command.section(QLatin1Char(' '), 2);
    QVERIFY(bodyPath.contains(QLatin1String("body-")));
    QVERIFY(!QFile::exists(bodyPath));
}

void tst_Exec::environmentAndDirectory()
{
    EngineHarness h;
    QVERIFY(QDir(h.batchDir()).mkpath(QStringLiteral("sub")));
    QVERIFY(h.load({execTask(QStringLiteral("env"),
                             {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                              QStringLiteral("echo \"$X|$PATH_SEEN|$(pwd)|{#}|{worker}\"")},
                             {{QStringLiteral("env"),
                               QJsonObject{{QStringLiteral("X"), QStringLiteral("{id}-{attempt}")},
                                           {QStringLiteral("PATH_SEEN"), QStringLiteral("yes")}}},
                              {QStringLiteral("cwd"), QStringLiteral("sub")}}),
                    execTask(QStringLiteral("default dir"), {QStringLiteral("pwd")}),
                    execTask(QStringLiteral("bad dir"), {QStringLiteral("pwd")},
                             {{QStringLiteral("cwd"), QStringLiteral("/nonexistent/brigade")}})}));
    h.start();
    QVERIFY(h.waitFinished());
    const QString dir = QDir(h.batchDir()).canonicalPath();
    const QByteArray env = h.state(QStringLiteral("env")).result;
    QVERIFY2(env.startsWith("\"env-1|yes|" + dir.toUtf8() + "/sub|1|"), env.constData());
    QCOMPARE(h.state(QStringLiteral("default dir")).result, '"' + dir.toUtf8() + '"');
    QCOMPARE(h.state(QStringLiteral("bad dir")).message,
             QStringLiteral("cannot change to directory /nonexistent/brigade: No such file or "
                            "directory"));
}

void tst_Exec::slotsLimitHowManyRun()
{
    // Each command holds a lock directory for a while; two at once on one worker fail.
    const QString lock = m_dir.filePath(QStringLiteral("lock"));
    const QString script
            = QStringLiteral("mkdir %1 2>/dev/null || exit 9; sleep 0.2; rmdir %1").arg(lock);
    QStringList exclusive, together;
    for (int i = 0; i < 5; ++i) {
        exclusive << shellTask(QStringLiteral("e%1").arg(i), script);
        together << shellTask(QStringLiteral("t%1").arg(i), script, {{QStringLiteral("slots"), 0}});
    }
    {
        EngineHarness h;
        h.settings.workers = 1; // one slot: one command at a time, whatever the concurrency
        QVERIFY(h.load(exclusive));
        h.start();
        QVERIFY(h.waitFinished());
        QCOMPARE(h.lastStats.succeeded, 5);
    }
    {
        EngineHarness h;
        h.settings.workers = 1;
        QVERIFY(h.load(together)); // slots 0: they all run at once and collide
        h.start();
        QVERIFY(h.waitFinished());
        QVERIFY2(h.lastStats.failed >= 1, qPrintable(QString::number(h.lastStats.failed)));
        QCOMPARE(h.state(QStringLiteral("t4")).status == TaskStatus::Failed
                         ? h.state(QStringLiteral("t4")).message.toString()
                         : QStringLiteral("exit 9"),
                 QStringLiteral("exit 9"));
    }
    {
        // Two compute threads: a command asking for both runs alone.
        EngineHarness h;
        h.settings.workers = 1;
        h.settings.computeThreads = 2;
        QStringList wide;
        for (int i = 0; i < 4; ++i)
            wide << shellTask(QStringLiteral("w%1").arg(i), script, {{QStringLiteral("slots"), 2}});
        QVERIFY(h.load(wide));
        h.start();
        QVERIFY(h.waitFinished());
        QCOMPARE(h.lastStats.succeeded, 4);
    }
}

void tst_Exec::liveOutput()
{
    const QString go = m_dir.filePath(QStringLiteral("go"));
    EngineHarness h;
    QVERIFY(h.load({shellTask(QStringLiteral("live"),
                              QStringLiteral("echo working on {} >&2; echo partial; "
                                             "while [ ! -e %1 ]; do sleep 0.05; done; echo done")
                                      .arg(go))}));
    h.start();
    const int row = h.row(QStringLiteral("live"));
    // The command and what it wrote so far reach the store while it runs.
    QTRY_VERIFY_WITH_TIMEOUT(h.store().process(row).stderrTail == "working on live\n", 20000);
    QCOMPARE(h.state(QStringLiteral("live")).status, TaskStatus::Running);
    QVERIFY(h.store().process(row).command.startsWith(QLatin1String("/bin/sh -c 'echo working")));
    QCOMPARE(h.store().process(row).stdoutTail, QByteArray("partial\n"));
    writeTestFile(m_dir, QStringLiteral("go"), "");
    QVERIFY(h.waitFinished());
    QCOMPARE(h.state(QStringLiteral("live")).result, QByteArray("\"partial\\ndone\""));
}

void tst_Exec::timeoutEndsTheProcessGroup()
{
    const QByteArray marker = newMarker();
    EngineHarness h;
    // The shell starts two sleeps of its own and ignores SIGTERM: only SIGKILL ends it.
    QVERIFY(h.load({shellTask(
            QStringLiteral("slow"),
            QStringLiteral("trap '' TERM; echo started >&2; "
                           "sleep 300.%1 & sleep 300.%1 & wait")
                    .arg(QString::fromLatin1(marker)),
            {{QStringLiteral("timeout_ms"), 500}, {QStringLiteral("max_attempts"), 1}})}));
    h.start();
    QVERIFY(h.waitFinished());
    const TaskState st = h.state(QStringLiteral("slow"));
    QCOMPARE(st.error, ErrorKind::Timeout);
    QCOMPARE(st.message, QStringLiteral("timed out after 500 ms"));
    // Its duration is the time it ran, not 0 (duration_ms in the records, the details).
    QVERIFY2(st.fetchUs + st.computeUs >= 500000,
             qPrintable(QString::number(st.fetchUs + st.computeUs)));
    // What is known of the attempt is kept: its command and output.
    const ProcessOutcome p = h.store().process(h.row(QStringLiteral("slow")));
    QVERIFY(p.command.contains(QLatin1String("sleep 300.")));
    QCOMPARE(p.stderrTail, QByteArray("started\n"));
    QTRY_VERIFY_WITH_TIMEOUT(processesWithArgument("300." + marker).isEmpty(), 10000);
}

void tst_Exec::cancelEndsTheProcessGroup()
{
    const QByteArray marker = newMarker();
    EngineHarness h;
    QVERIFY(h.load({shellTask(
            QStringLiteral("a"),
            QStringLiteral("sleep 300.%1 & sleep 300.%1").arg(QString::fromLatin1(marker)))}));
    h.start();
    QTRY_VERIFY_WITH_TIMEOUT(processesWithArgument("300." + marker).size() >= 2, 20000);
    h.engine().cancel();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.state(QStringLiteral("a")).status, TaskStatus::Cancelled);
    QTRY_VERIFY_WITH_TIMEOUT(processesWithArgument("300." + marker).isEmpty(), 10000);
}

void tst_Exec::lostWorkerLeavesNoOrphan()
{
    const QByteArray marker = newMarker();
    EngineHarness h;
    h.settings.workers = 1;
    QVERIFY(h.load({shellTask(
            QStringLiteral("a"),
            QStringLiteral("sleep 300.%1 & sleep 300.%1 & wait").arg(QString::fromLatin1(marker)),
            {{QStringLiteral("max_attempts"), 1}})}));
    h.start();
    QTRY_VERIFY_WITH_TIMEOUT(processesWithArgument("300." + marker).size() == 3, 20000);
    h.engine().killWorker(0); // SIGKILL: the worker cleans up nothing itself
    QVERIFY(h.waitFinished());
    QCOMPARE(h.state(QStringLiteral("a")).error, ErrorKind::WorkerLost);
    QTRY_VERIFY_WITH_TIMEOUT(processesWithArgument("300." + marker).isEmpty(), 10000);
}

void tst_Exec::killedEngineLeavesNoOrphan()
{
    const QByteArray marker = newMarker();
    const QString batch = writeTestFile(
            m_dir, QStringLiteral("orphans.jsonl"),
            shellTask(QStringLiteral("a"), QStringLiteral("sleep 300.%1 & sleep 300.%1 & wait")
                                                   .arg(QString::fromLatin1(marker)))
                    .toUtf8());
    QProcess brigade;
    brigade.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    brigade.start(QStringLiteral(BRIGADE_APP_PATH),
                  {QStringLiteral("run"), batch, QStringLiteral("--no-journal"),
                   QStringLiteral("--progress"), QStringLiteral("none"),
                   QStringLiteral("--workers"), QStringLiteral("1")});
    QVERIFY(brigade.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(processesWithArgument("300." + marker).size() == 3, 20000);
    ::kill(pid_t(brigade.processId()), SIGKILL);
    QVERIFY(brigade.waitForFinished(10000));
    // The worker sees its input end and exits; its guardian then ends the commands.
    QTRY_VERIFY_WITH_TIMEOUT(processesWithArgument("300." + marker).isEmpty(), 15000);
}

QTEST_GUILESS_MAIN(tst_Exec)
#include "tst_exec.moc"
