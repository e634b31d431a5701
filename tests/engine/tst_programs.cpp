// Long-lived programs ("call") through a real Engine and real workers, in Python (with the
// helper module Brigade ships) and in shell: replies out of order, output on stdout, and
// every fault a program can have -- a crash mid-task, a hang, never getting ready, crashing
// over and over, garbage on fd 4 -- each ending with the right attempt outcome and no task
// lost.
#include "EngineHarness.h"
#include "ProcessTree.h"
#include "Sanitizers.h"
#include "TestFiles.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QtTest>

#include <csignal>

using namespace Brigade;
using namespace Brigade::Test;

namespace {

const QString Python = QFile::exists(QStringLiteral("/usr/bin/python3"))
                               ? QStringLiteral("/usr/bin/python3")
                               : QStringLiteral("python3");

QString programsLine(const QJsonObject &programs)
{
    return QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("programs"), programs}})
                                     .toJson(QJsonDocument::Compact));
}

QJsonObject program(const QStringList &argv, const QJsonObject &more = {})
{
    QJsonObject p = more;
    p.insert(QStringLiteral("argv"), QJsonArray::fromStringList(argv));
    return p;
}

QString callTask(const QString &id, const QString &name, const QJsonValue &args,
                 const QJsonObject &task = {})
{
    QJsonObject line = task;
    line.insert(QStringLiteral("id"), id);
    line.insert(QStringLiteral("compute"),
                QJsonObject{{QStringLiteral("op"), QStringLiteral("call")},
                            {QStringLiteral("program"), name},
                            {QStringLiteral("args"), args}});
    return QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact));
}

int countLines(const ProgramLog &log, const QString &program, const QString &prefix)
{
    int n = 0;
    for (const ProgramLog::Line &line : log.lines(program))
        n += line.stream == ProgramLog::Event && line.text.startsWith(prefix) ? 1 : 0;
    return n;
}

bool logHas(const ProgramLog &log, const QString &program, ProgramLog::Stream stream,
            const QString &text)
{
    for (const ProgramLog::Line &line : log.lines(program)) {
        if (line.stream == stream && line.text.contains(text))
            return true;
    }
    return false;
}

// On a failure, what the program said: the first thing to look at.
void dumpLog(const ProgramLog &log, const QString &program)
{
    for (const ProgramLog::Line &line : log.lines(program))
        qInfo("%s[%d %d] %s", qPrintable(program), line.worker, int(line.stream),
              qPrintable(line.text));
}

} // namespace

class tst_Programs : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void pythonAnswersOutOfOrderAndLogs();
    void floodedLogSaysWhatItDropped();
    void shellAnswersOutOfOrder();
    void errorsAndRetryHints();
    void bodiesReachTheProgram();
    void crashMidTask();
    void hangPastTimeout();
    void neverReady();
    void keepsCrashing();
    void garbageOnFd4();
    void recycleAfter();
    void memoryCapApplies();
    void documentedExamplesWork();

    void cleanup();

private:
    QString script(const QString &name, const QByteArray &text);
    QTemporaryDir m_dir;
    std::shared_ptr<const ProgramLog> m_log; // the current test's
};

void tst_Programs::cleanup()
{
    if (QTest::currentTestFailed() && m_log) {
        for (const QString &program : m_log->programs())
            dumpLog(*m_log, program);
    }
    m_log.reset();
}

void tst_Programs::initTestCase()
{
    QProcess python;
    python.start(Python, {QStringLiteral("-c"), QStringLiteral("print(1)")});
    if (!python.waitForFinished(30000) || python.exitCode() != 0)
        QSKIP("python3 is not installed (.ci/install-deps installs it)");
}

QString tst_Programs::script(const QString &name, const QByteArray &text)
{
    return writeTestFile(m_dir, name, text);
}

void tst_Programs::pythonAnswersOutOfOrderAndLogs()
{
    const QString path = script(QStringLiteral("sleeper.py"), R"(
import asyncio, os, sys, brigade_program
print("set up done", flush=True)
print("a warning on stderr", file=sys.stderr, flush=True)
async def handle(args, body):
    await asyncio.sleep(args["delay"])
    print("handled", args["n"])
    return {"n": args["n"], "pid": os.getpid()}
brigade_program.serve(handle)
)");
    EngineHarness h;
    h.settings.workers = 1;
    QStringList lines{programsLine(
            {{QStringLiteral("sleeper"), program({Python, path}, {{"max_in_flight", 100}})}})};
    // Sent first, answered last.
    for (int n = 0; n < 6; ++n)
        lines << callTask(QStringLiteral("t%1").arg(n), QStringLiteral("sleeper"),
                          QJsonObject{{"n", n}, {"delay", (6 - n) / 10.0}});
    QVERIFY(h.load(lines));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.succeeded, 6);
    QCOMPARE(h.finishedOrder.first(), h.row(QStringLiteral("t5")));
    QCOMPARE(h.finishedOrder.last(), h.row(QStringLiteral("t0")));
    const QJsonObject r = QJsonDocument::fromJson(h.state(QStringLiteral("t2")).result).object();
    QCOMPARE(r.value(QLatin1String("n")).toInt(), 2);
    // print() in handle is the task's output; elsewhere it is the program's log.
    const ProcessOutcome p = h.store().process(h.row(QStringLiteral("t2")));
    QCOMPARE(p.stdoutTail, QByteArray("handled 2\n"));
    QCOMPARE(p.command, QStringLiteral("call sleeper {\"delay\":0.4,\"n\":2}"));
    const ProgramLog &log = *h.engine().programLog();
    QTRY_VERIFY(logHas(log, QStringLiteral("sleeper"), ProgramLog::Stdout,
                       QStringLiteral("set up done")));
    QVERIFY(logHas(log, QStringLiteral("sleeper"), ProgramLog::Stderr,
                   QStringLiteral("a warning on stderr")));
    QVERIFY(logHas(log, QStringLiteral("sleeper"), ProgramLog::Event, QStringLiteral("ready")));
}

void tst_Programs::floodedLogSaysWhatItDropped()
{
    // Far more log than a worker sends per interval: what is left out is said in the log
    // of the program that wrote it, where its readers look.
    const QString path = script(QStringLiteral("noisy.py"), R"(
import sys, brigade_program
sys.stderr.write(("x" * 99 + "\n") * 20000)
sys.stderr.flush()
brigade_program.serve(lambda args, body: 1)
)");
    EngineHarness h;
    h.settings.workers = 1;
    QVERIFY(h.load({programsLine({{QStringLiteral("noisy"), program({Python, path})}}),
                    callTask(QStringLiteral("t"), QStringLiteral("noisy"), QJsonValue())}));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.succeeded, 1);
    QTRY_VERIFY(logHas(*m_log, QStringLiteral("noisy"), ProgramLog::Event,
                       QStringLiteral("bytes of program output not shown")));
    QVERIFY(!m_log->programs().contains(QString()));
}

void tst_Programs::shellAnswersOutOfOrder()
{
    // Two requests at a time, answered second first; the ids come back as they were sent.
    const QString path = script(QStringLiteral("pairs.sh"), R"(
echo '{"ready":true}' >&4
while read -r a <&3 && read -r b <&3; do
  ida=$(printf '%s' "$a" | sed 's/^{"id":\("[^"]*"\).*/\1/')
  idb=$(printf '%s' "$b" | sed 's/^{"id":\("[^"]*"\).*/\1/')
  echo "got $ida and $idb"
  printf '{"id":%s,"result":"second"}\n{"id":%s,"result":"first"}\n' "$idb" "$ida" >&4
done
)");
    EngineHarness h;
    h.settings.workers = 1;
    QStringList lines{
            programsLine({{QStringLiteral("pairs"),
                           program({QStringLiteral("/bin/sh"), path}, {{"max_in_flight", 2}})}})};
    for (int n = 0; n < 6; ++n)
        lines << callTask(QStringLiteral("s%1").arg(n), QStringLiteral("pairs"), QJsonObject{});
    QVERIFY(h.load(lines));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.succeeded, 6);
    for (int n = 0; n < 6; ++n)
        QCOMPARE(h.state(QStringLiteral("s%1").arg(n)).result,
                 n % 2 ? QByteArray("\"second\"") : QByteArray("\"first\""));
    QTRY_VERIFY(logHas(*h.engine().programLog(), QStringLiteral("pairs"), ProgramLog::Stdout,
                       QStringLiteral("got \"s0\" and \"s1\"")));
}

void tst_Programs::errorsAndRetryHints()
{
    const QString path = script(QStringLiteral("errors.py"), R"(
import os, brigade_program
def handle(args, body):
    kind = args["kind"]
    if kind == "retry":
        marker = args["marker"]
        if not os.path.exists(marker):
            open(marker, "w").close()
            raise brigade_program.Retry("not yet")
        return "second time lucky"
    if kind == "fail":
        raise brigade_program.Fail("hopeless")
    if kind == "bug":
        return 1 / 0
    if kind == "object":
        return object()
    return kind
brigade_program.serve(handle)
)");
    EngineHarness h;
    h.settings.maxAttempts = 3;
    QVERIFY(h.load(
            {programsLine({{QStringLiteral("e"), program({Python, path})}}),
             callTask(QStringLiteral("retry"), QStringLiteral("e"),
                      QJsonObject{{"kind", "retry"},
                                  {"marker", m_dir.filePath(QStringLiteral("retry-marker"))}}),
             callTask(QStringLiteral("fail"), QStringLiteral("e"), QJsonObject{{"kind", "fail"}}),
             callTask(QStringLiteral("bug"), QStringLiteral("e"), QJsonObject{{"kind", "bug"}}),
             callTask(QStringLiteral("object"), QStringLiteral("e"),
                      QJsonObject{{"kind", "object"}})}));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    const TaskState retry = h.state(QStringLiteral("retry"));
    QCOMPARE(retry.status, TaskStatus::Succeeded);
    QCOMPARE(retry.attempts, 2);
    QCOMPARE(retry.result, QByteArray("\"second time lucky\""));
    const TaskState fail = h.state(QStringLiteral("fail"));
    QCOMPARE(fail.status, TaskStatus::Failed);
    QCOMPARE(fail.attempts, 1);
    QCOMPARE(fail.message, QStringLiteral("hopeless"));
    const TaskState bug = h.state(QStringLiteral("bug"));
    QCOMPARE(bug.error, ErrorKind::Compute);
    QCOMPARE(bug.attempts, 1); // a compute error: not retried by default
    QCOMPARE(bug.message, QStringLiteral("ZeroDivisionError: division by zero"));
    QVERIFY(h.state(QStringLiteral("object"))
                    .message.toString()
                    .startsWith(QLatin1String("the result is not JSON")));
}

void tst_Programs::bodiesReachTheProgram()
{
    QByteArray body;
    for (int i = 0; i < 200000; ++i)
        body += char('a' + i % 26);
    const QString file = writeTestFile(m_dir, QStringLiteral("program-body.bin"), body);
    const QString path = script(QStringLiteral("body.py"), R"(
import hashlib, brigade_program
def handle(args, body):
    return [len(body), hashlib.sha256(body).hexdigest()]
brigade_program.serve(handle)
)");
    EngineHarness h;
    const QJsonObject fetch{{QStringLiteral("fetch"), QUrl::fromLocalFile(file).toString()}};
    QVERIFY(h.load({programsLine({{QStringLiteral("b"), program({Python, path})}}),
                    callTask(QStringLiteral("big"), QStringLiteral("b"), QJsonValue(), fetch),
                    callTask(QStringLiteral("none"), QStringLiteral("b"), QJsonValue())}));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.state(QStringLiteral("big")).result,
             "[200000,\"" + QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex()
                     + "\"]");
    QCOMPARE(h.state(QStringLiteral("none")).result,
             "[0,\"" + QCryptographicHash::hash({}, QCryptographicHash::Sha256).toHex() + "\"]");
}

void tst_Programs::crashMidTask()
{
    // The task "crash" kills the program the first time; the calls in flight with it fail
    // that attempt and are retried on a fresh process.
    const QString marker = m_dir.filePath(QStringLiteral("crashed-once"));
    const QString path = script(QStringLiteral("crash.py"), R"(
import asyncio, os, signal, sys, brigade_program
async def handle(args, body):
    if args.get("crash") and not os.path.exists(args["marker"]):
        open(args["marker"], "w").close()
        print("about to crash", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGSEGV)
    await asyncio.sleep(0.3)
    return args["n"]
brigade_program.serve(handle)
)");
    EngineHarness h;
    h.settings.workers = 1;
    QStringList lines{programsLine(
            {{QStringLiteral("c"), program({Python, path}, {{"max_in_flight", 10}})}})};
    for (int n = 0; n < 5; ++n)
        lines << callTask(QStringLiteral("n%1").arg(n), QStringLiteral("c"), QJsonObject{{"n", n}});
    lines << callTask(QStringLiteral("crash"), QStringLiteral("c"),
                      QJsonObject{{"n", 99}, {"crash", true}, {"marker", marker}});
    QVERIFY(h.load(lines));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.succeeded, 6); // nothing lost
    const TaskState crash = h.state(QStringLiteral("crash"));
    QCOMPARE(crash.attempts, 2);
    const QList<AttemptRecord> history = h.store().attemptHistory(h.row(QStringLiteral("crash")));
    QCOMPARE(history.size(), 1);
    QCOMPARE(history[0].error, ErrorKind::Program);
    QCOMPARE(history[0].message, QStringLiteral("program c crashed (killed by SIGSEGV); last "
                                                "stderr: about to crash"));
    QCOMPARE(history[0].process.signal, quint8(SIGSEGV));
    // The others in flight were retried too.
    QCOMPARE(h.state(QStringLiteral("n0")).attempts, 2);
    QCOMPARE(countLines(*h.engine().programLog(), QStringLiteral("c"), QStringLiteral("started")),
             2);
}

void tst_Programs::hangPastTimeout()
{
    const QByteArray marker
            = QByteArray::number(QRandomGenerator::global()->bounded(100000, 999999));
    const QString path = script(QStringLiteral("hang.py"), R"(
import time, brigade_program
def handle(args, body):
    if args.get("hang"):
        time.sleep(1000)
    return args["n"]
brigade_program.serve(handle)
)");
    EngineHarness h;
    h.settings.workers = 1;
    QStringList lines{programsLine(
            {{QStringLiteral("h"),
              program({Python, path, QStringLiteral("marker-%1").arg(QString::fromLatin1(marker))},
                      {{"max_in_flight", 4}})}})};
    lines << callTask(QStringLiteral("hang"), QStringLiteral("h"),
                      QJsonObject{{"n", 0}, {"hang", true}},
                      {{QStringLiteral("timeout_ms"), 500}, {QStringLiteral("max_attempts"), 1}});
    for (int n = 1; n < 6; ++n)
        lines << callTask(QStringLiteral("n%1").arg(n), QStringLiteral("h"), QJsonObject{{"n", n}});
    QVERIFY(h.load(lines));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished(90000));
    const TaskState hang = h.state(QStringLiteral("hang"));
    QCOMPARE(hang.error, ErrorKind::Timeout);
    QCOMPARE(hang.message, QStringLiteral("timed out after 500 ms"));
    QCOMPARE(h.lastStats.succeeded, 5); // the calls queued behind it were not lost
    const ProgramLog &log = *h.engine().programLog();
    // The worker's word that it stopped the program may come after the run's end on a busy
    // machine.
    QTRY_VERIFY_WITH_TIMEOUT(logHas(log, QStringLiteral("h"), ProgramLog::Event,
                                    QStringLiteral("stopped: stopped answering")),
                             15000);
    // The hung process was ended, group and all.
    h.engine().cancel();
    QTRY_VERIFY_WITH_TIMEOUT(processesWithArgument("marker-" + marker).isEmpty(), 15000);
}

void tst_Programs::neverReady()
{
    const QString path = script(QStringLiteral("slow.py"), R"(
import sys, time
print("loading a model that never loads", file=sys.stderr, flush=True)
time.sleep(1000)
)");
    EngineHarness h;
    h.settings.workers = 1;
    QStringList lines{programsLine(
            {{QStringLiteral("slow"), program({Python, path}, {{"startup_timeout_ms", 800}})}})};
    for (int n = 0; n < 20; ++n)
        lines << callTask(QStringLiteral("n%1").arg(n), QStringLiteral("slow"), QJsonObject{});
    QVERIFY(h.load(lines));
    QElapsedTimer clock;
    clock.start();
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.failed, 20);
    QVERIFY2(clock.elapsed() < 30000, "a broken program must not be retried in a loop");
    const TaskState st = h.state(QStringLiteral("n7"));
    QCOMPARE(st.error, ErrorKind::Program);
    QCOMPARE(st.attempts, 1);
    QCOMPARE(st.message,
             QStringLiteral("program slow is broken: before it was ready, it did not say "
                            "{\"ready\": true} within 800 ms; last stderr: loading a model that "
                            "never loads"));
    QCOMPARE(h.store().process(h.row(QStringLiteral("n7"))).stderrTail,
             QByteArray("loading a model that never loads\n"));
    QCOMPARE(
            countLines(*h.engine().programLog(), QStringLiteral("slow"), QStringLiteral("started")),
            1);
}

void tst_Programs::keepsCrashing()
{
    // Ready, then dead at the first request, every time.
    const QString path = script(QStringLiteral("crashy.py"), R"(
import os, sys, brigade_program
def handle(args, body):
    print("giving up on", args, file=sys.stderr, flush=True)
    os._exit(3)
brigade_program.serve(handle)
)");
    EngineHarness h;
    h.settings.workers = 1;
    h.settings.maxAttempts = 10;
    QStringList lines{programsLine({{QStringLiteral("crashy"), program({Python, path})}})};
    for (int n = 0; n < 8; ++n)
        lines << callTask(QStringLiteral("n%1").arg(n), QStringLiteral("crashy"),
                          QJsonObject{{"n", n}});
    QVERIFY(h.load(lines));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.failed, 8);
    QCOMPARE(countLines(*h.engine().programLog(), QStringLiteral("crashy"),
                        QStringLiteral("started")),
             3);
    QVERIFY(logHas(*h.engine().programLog(), QStringLiteral("crashy"), ProgramLog::Event,
                   QStringLiteral("broken")));
    const TaskState st = h.state(QStringLiteral("n7"));
    QVERIFY2(st.message.toString().startsWith(
                     QLatin1String("program crashy is broken: exited with code 3 "
                                   "(3 times in a row without an answer)")),
             qPrintable(st.message));
    QVERIFY(st.message.toString().contains(QLatin1String("last stderr: giving up on")));
}

void tst_Programs::garbageOnFd4()
{
    const QString marker = m_dir.filePath(QStringLiteral("garbage-once"));
    const QString path = script(QStringLiteral("garbage.py"), R"(
import os, brigade_program
def handle(args, body):
    if not os.path.exists(args["marker"]):
        open(args["marker"], "w").close()
        os.write(4, b"hello, this is not JSON\n")
    return "fine"
brigade_program.serve(handle)
)");
    EngineHarness h;
    h.settings.workers = 1;
    QVERIFY(h.load(
            {programsLine({{QStringLiteral("g"), program({Python, path})}}),
             callTask(QStringLiteral("a"), QStringLiteral("g"), QJsonObject{{"marker", marker}})}));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    const TaskState st = h.state(QStringLiteral("a"));
    QCOMPARE(st.status, TaskStatus::Succeeded);
    QCOMPARE(st.attempts, 2);
    const QList<AttemptRecord> history = h.store().attemptHistory(h.row(QStringLiteral("a")));
    QCOMPARE(history.value(0).message,
             QStringLiteral("program g wrote a line on fd 4 that is not a JSON object: hello, "
                            "this is not JSON; it wrote nothing on stderr"));
}

void tst_Programs::recycleAfter()
{
    const QString path = script(QStringLiteral("pid.py"), R"(
import os, brigade_program
def handle(args, body):
    return os.getpid()
brigade_program.serve(handle)
)");
    EngineHarness h;
    h.settings.workers = 1;
    QStringList lines{
            programsLine({{QStringLiteral("p"), program({Python, path}, {{"recycle_after", 3}})}})};
    for (int n = 0; n < 10; ++n)
        lines << callTask(QStringLiteral("n%1").arg(n), QStringLiteral("p"), QJsonObject{});
    QVERIFY(h.load(lines));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.lastStats.succeeded, 10);
    QHash<QByteArray, int> perPid;
    for (int n = 0; n < 10; ++n)
        ++perPid[h.state(QStringLiteral("n%1").arg(n)).result];
    QCOMPARE(perPid.size(), 4); // 3 + 3 + 3 + 1
    for (int count : std::as_const(perPid))
        QVERIFY(count <= 3);
    for (const ProgramLog::Line &l : h.engine().programLog()->lines(QStringLiteral("p")))
        QVERIFY2(!l.text.startsWith(QLatin1String("stopped")), qPrintable(l.text)); // no fault
}

// A worker's memory cap is its programs' too: past it an allocation fails in the program
// (here a MemoryError the helper reports), and the program lives on for the next call.
void tst_Programs::memoryCapApplies()
{
#ifdef BRIGADE_SANITIZED
    QSKIP("a memory cap (setrlimit) cannot work beside a sanitizer's shadow memory");
#endif
    const QString path = script(QStringLiteral("hungry.py"), R"(
import os, brigade_program
def handle(args, body):
    if args["mb"]:
        block = bytearray(args["mb"] * 1024 * 1024)
        return len(block)
    return os.getpid()
brigade_program.serve(handle)
)");
    EngineHarness h;
    h.settings.workers = 1;
    h.settings.workerMemoryLimitMb = 300;
    QVERIFY(h.load(
            {programsLine({{QStringLiteral("m"), program({Python, path})}}),
             callTask(QStringLiteral("small"), QStringLiteral("m"), QJsonObject{{"mb", 10}}),
             callTask(QStringLiteral("huge"), QStringLiteral("m"), QJsonObject{{"mb", 2000}},
                      {{QStringLiteral("max_attempts"), 1}}),
             callTask(QStringLiteral("after"), QStringLiteral("m"), QJsonObject{{"mb", 0}})}));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.state(QStringLiteral("small")).result, QByteArray::number(10 * 1024 * 1024));
    QCOMPARE(h.state(QStringLiteral("huge")).status, TaskStatus::Failed);
    QVERIFY2(h.state(QStringLiteral("huge"))
                     .message.toString()
                     .startsWith(QLatin1String("MemoryError")),
             qPrintable(h.state(QStringLiteral("huge")).message));
    QCOMPARE(h.state(QStringLiteral("after")).status, TaskStatus::Succeeded);
}

// The examples of docs/programs.md, run as they are written there.
void tst_Programs::documentedExamplesWork()
{
    QFile doc(QStringLiteral(BRIGADE_SOURCE_DIR "/docs/programs.md"));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(doc.readAll());
    // The one-liners: every ```json block whose first line declares programs.
    QStringList blocks;
    for (qsizetype at = 0; (at = text.indexOf(QLatin1String("```json\n{\"programs\""), at)) >= 0;) {
        const qsizetype start = at + 8;
        const qsizetype end = text.indexOf(QLatin1String("```"), start);
        blocks << text.mid(start, end - start).split(QLatin1Char('\n')).first();
        at = end;
    }
    QCOMPARE(blocks.size(), 2); // the shell and the awk examples
    for (const QString &line : std::as_const(blocks)) {
        const QJsonObject programs = QJsonDocument::fromJson(line.toUtf8())
                                             .object()
                                             .value(QLatin1String("programs"))
                                             .toObject();
        QCOMPARE(programs.size(), 1);
        const QString name = programs.keys().first();
        EngineHarness h;
        h.settings.workers = 1;
        QVERIFY2(h.load({line,
                         callTask(QStringLiteral("w"), name, QJsonObject{{"word", "brigade"}})}),
                 qPrintable(h.lastError));
        h.start();
        m_log = h.engine().programLog();
        QVERIFY(h.waitFinished());
        const QByteArray result = h.state(QStringLiteral("w")).result;
        QVERIFY2(result == "\"BRIGADE\"" || result == "7",
                 qPrintable(name + QLatin1String(": ") + QString::fromUtf8(result)));
    }
    // The Python example, with the weights file it reads.
    const qsizetype py = text.indexOf(QLatin1String("```python\n# score.py\n"));
    QVERIFY(py > 0);
    const qsizetype pyEnd = text.indexOf(QLatin1String("```"), py + 9);
    const QString dir = m_dir.filePath(QStringLiteral("doc-example"));
    QVERIFY(QDir().mkpath(dir));
    writeTestFile(m_dir, QStringLiteral("doc-example/score.py"),
                  text.mid(py + 10, pyEnd - py - 10).toUtf8());
    writeTestFile(m_dir, QStringLiteral("doc-example/weights.json"), R"({"good": 1, "bad": -1})");
    EngineHarness h;
    QVERIFY(h.load({programsLine({{QStringLiteral("score"),
                                   program({Python, QStringLiteral("score.py")}, {{"cwd", dir}})}}),
                    callTask(QStringLiteral("a"), QStringLiteral("score"),
                             QJsonObject{{"text", "good good bad"}}),
                    callTask(QStringLiteral("empty"), QStringLiteral("score"), QJsonObject{})}));
    h.start();
    m_log = h.engine().programLog();
    QVERIFY(h.waitFinished());
    QCOMPARE(h.state(QStringLiteral("a")).result, QByteArray("{\"score\":1}"));
    QCOMPARE(h.store().process(h.row(QStringLiteral("a"))).stdoutTail,
             QByteArray("scoring 13 characters\n"));
    QCOMPARE(h.state(QStringLiteral("empty")).message, QStringLiteral("nothing to score"));
    QCOMPARE(h.state(QStringLiteral("empty")).attempts, 1);
}

QTEST_GUILESS_MAIN(tst_Programs)
#include "tst_programs.moc"
