// Commands, calls and programs in batch files: what is parsed, what is refused (with its
// file:line:column), how the specs cross to the workers, and the batch that
// brigade run LIST -- PROG ARG... makes.
#include "batch/BatchParser.h"
#include "compute/ComputeRegistry.h"
#include "usercode/CallSpec.h"
#include "usercode/CommandLineBatch.h"
#include "usercode/CommandSpec.h"
#include "usercode/ProgramSpec.h"
#include "usercode/TaskContext.h"

#include <QtTest>

using namespace Brigade;

namespace {

Batch parse(const QByteArray &data)
{
    return BatchParser::parseData(data, QStringLiteral("/data/b.jsonl"));
}

QStringList errorStrings(const Batch &batch)
{
    QStringList out;
    for (const BatchError &error : batch.errors)
        out << error.toString();
    return out;
}

CommandSpec commandOf(const TaskSpec &task)
{
    CommandSpec spec;
    if (!CommandSpec::decode(task.shape->compute.params, &spec))
        qFatal("undecodable command params");
    return spec;
}

} // namespace

class tst_UserCodeSpecs : public QObject
{
    Q_OBJECT
private slots:
    void execTask();
    void execDefaultsAndInput();
    void callTaskAndPrograms();
    void slotsField();
    void problems_data();
    void problems();
    void summaryForViews();
    void wireRoundTrips();
    void commandLineBatch();
};

void tst_UserCodeSpecs::execTask()
{
    const Batch batch = parse(
            R"({"id":"z","input":"a.txt","compute":{"op":"exec","argv":["gzip","-9c","{}"],"stdin":"none","env":{"LC_ALL":"C","X":"{id}"},"cwd":"out","max_output_bytes":1000,"result":"json"}})"
            "\n");
    QCOMPARE(errorStrings(batch), QStringList{});
    QCOMPARE(batch.tasks.size(), 1);
    const TaskSpec &t = batch.tasks.first();
    QCOMPARE(t.input, QStringLiteral("a.txt"));
    QCOMPARE(ComputeRegistry::instance().op(t.shape->compute.op)->name(), QByteArray("exec"));
    const CommandSpec c = commandOf(t);
    QCOMPARE(c.argv, (QStringList{"gzip", "-9c", "{}"}));
    QVERIFY(c.shell.isEmpty());
    QCOMPARE(c.stdinMode, CommandSpec::Stdin::None);
    QCOMPARE(c.result, CommandSpec::Result::Json);
    QCOMPARE(c.maxOutputBytes, 1000);
    QCOMPARE(c.cwd, QStringLiteral("out"));
    QCOMPARE(c.baseDir, QStringLiteral("/data")); // relative paths are the batch file's
    QCOMPARE(c.env.size(), 2);
    QCOMPARE(c.slotCount, qint16(-1));
}

void tst_UserCodeSpecs::execDefaultsAndInput()
{
    const Batch batch = parse(
            R"({"defaults":{"compute":{"op":"exec","shell":"wc -c < {}"}}})"
            "\n"
            R"({"input":""})"
            "\n"
            R"({"id":"x"})"
            "\n"
            R"({"fetch":"http://127.0.0.1:1/a","compute":{"op":"exec","argv":["cat","{body}","{url}"]}})"
            "\n");
    QCOMPARE(errorStrings(batch), QStringList{});
    QCOMPARE(batch.tasks.size(), 3);
    QVERIFY(!batch.tasks[0].input.isNull()); // given, though empty
    QVERIFY(batch.tasks[0].input.isEmpty());
    QVERIFY(batch.tasks[1].input.isNull()); // {} is then the id
    QCOMPARE(commandOf(batch.tasks[0]).shell, QStringLiteral("wc -c < {}"));
    QCOMPARE(commandOf(batch.tasks[2]).needs, quint8(3)); // a URL and its body
}

void tst_UserCodeSpecs::callTaskAndPrograms()
{
    const Batch batch = parse(
            R"({"programs":{"score":{"argv":["python3","score.py","--gpu={worker}"],"max_in_flight":64,"recycle_after":1000,"startup_timeout_ms":5000,"env":{"A":"1"},"cwd":"m"}},"defaults":{"compute":{"op":"call","program":"score"}}})"
            "\n"
            R"({"id":"a","compute":{"op":"call","program":"score","args":{"text":"hi","n":[1,2]}}})"
            "\n"
            R"({"id":"b"})"
            "\n");
    QCOMPARE(errorStrings(batch), QStringList{});
    QCOMPARE(batch.programs.size(), 1);
    const ProgramSpec &p = *batch.programs.value(QStringLiteral("score"));
    QCOMPARE(p.argv, (QStringList{"python3", "score.py", "--gpu={worker}"}));
    QCOMPARE(p.maxInFlight, 64u);
    QCOMPARE(p.recycleAfter, 1000u);
    QCOMPARE(p.startupTimeoutMs, 5000u);
    QCOMPARE(p.baseDir, QStringLiteral("/data"));
    QCOMPARE(batch.tasks.size(), 2);
    for (const TaskSpec &t : batch.tasks) {
        QVERIFY(t.shape->compute.program);
        QCOMPARE(t.shape->compute.program->name, QStringLiteral("score"));
    }
    CallSpec call;
    QVERIFY(CallSpec::decode(batch.tasks[0].shape->compute.params, &call));
    QCOMPARE(call.program, QStringLiteral("score"));
    QCOMPARE(call.argsJson, QByteArray(R"({"n":[1,2],"text":"hi"})"));
    QVERIFY(CallSpec::decode(batch.tasks[1].shape->compute.params, &call));
    QCOMPARE(call.argsJson, QByteArray("null"));
    QVERIFY(batch.runsUserCode());
}

void tst_UserCodeSpecs::slotsField()
{
    const Batch batch
            = parse(R"({"defaults":{"slots":0,"compute":{"op":"exec","argv":["curl","{}"]}}})"
                    "\n"
                    R"({"input":"u"})"
                    "\n"
                    R"({"input":"v","slots":4})"
                    "\n"
                    R"({"input":"w","slots":null})"
                    "\n");
    QCOMPARE(errorStrings(batch), QStringList{});
    QCOMPARE(commandOf(batch.tasks[0]).slotCount, qint16(0));
    QCOMPARE(commandOf(batch.tasks[1]).slotCount, qint16(4));
    QCOMPARE(commandOf(batch.tasks[2]).slotCount, qint16(-1));
}

void tst_UserCodeSpecs::problems_data()
{
    QTest::addColumn<QByteArray>("batch");
    QTest::addColumn<QStringList>("errors");
    const auto row = [](const char *name, const char *batch, QStringList errors) {
        QTest::newRow(name) << QByteArray(batch) << errors;
    };
    row("url without a fetch", R"({"compute":{"op":"exec","argv":["curl","{url}"]}})",
        {R"(/data/b.jsonl:1:41: {url} needs a fetch with a "url" (this task fetches nothing))"});
    row("body with a delay",
        R"({"fetch":{"delay_ms":1},"compute":{"op":"exec","argv":["cat","{body}"]}})",
        {R"(/data/b.jsonl:1:63: {body} needs a fetch with a "url" (this task's fetch is a delay))"});
    row("stdin body without a fetch", R"({"compute":{"op":"exec","argv":["wc"],"stdin":"body"}})",
        {R"(/data/b.jsonl:1:39: "stdin": "body" needs a fetch with a "url" (this task fetches nothing))"});
    row("placeholder from the defaults",
        "{\"defaults\":{\"compute\":{\"op\":\"exec\",\"argv\":[\"curl\",\"{url}\"]}}}\n"
        "{\"id\":\"a\",\"fetch\":{\"delay_ms\":5}}",
        {R"(/data/b.jsonl:2:11: {url} needs a fetch with a "url" (this task's fetch is a delay; the command is from the defaults line))"});
    row("argv and shell", R"({"compute":{"op":"exec","argv":["a"],"shell":"b"}})",
        {R"(/data/b.jsonl:1:38: exec takes "argv" or "shell", not both)"});
    row("no argv", R"({"compute":{"op":"exec"}})",
        {R"(/data/b.jsonl:1:2: expected "argv" in exec, like {"op":"exec","argv":["gzip","-9c","{}"]}, or a "shell" command line)"});
    row("empty argv", R"({"compute":{"op":"exec","argv":[]}})",
        {R"(/data/b.jsonl:1:25: expected "argv" to be a non-empty array of strings, the program first, like ["gzip", "-9c", "{}"])"});
    row("bad stdin", R"({"compute":{"op":"exec","argv":["a"],"stdin":"file"}})",
        {R"(/data/b.jsonl:1:38: expected "stdin" to be "body" (the fetched body) or "none" (/dev/null))"});
    row("bad env name", R"({"compute":{"op":"exec","argv":["a"],"env":{"1X":"v"}}})",
        {R"(/data/b.jsonl:1:46: invalid environment variable name "1X")"});
    row("unknown exec key", R"({"compute":{"op":"exec","argv":["a"],"timeout":5}})",
        {R"(/data/b.jsonl:1:38: unknown key "timeout" for exec (known: op, argv, shell, stdin, env, cwd, max_output_bytes, result))"});
    row("output cap too big", R"({"compute":{"op":"exec","argv":["a"],"max_output_bytes":1e12}})",
        {R"(/data/b.jsonl:1:38: expected "max_output_bytes" to be an integer from 1 to 62914560)"});
    row("unknown program", R"({"compute":{"op":"call","program":"nope"}})",
        {R"(/data/b.jsonl:1:25: unknown program "nope" (declare it in the first line: {"programs":{"nope":{"argv":[...]}}}))"});
    row("unknown program among others",
        "{\"programs\":{\"a\":{\"argv\":[\"x\"]},\"b\":{\"argv\":[\"y\"]}}}\n"
        R"({"compute":{"op":"call","program":"c"}})",
        {R"(/data/b.jsonl:2:25: unknown program "c" (the batch declares: a, b))"});
    row("program without argv", R"({"programs":{"p":{"max_in_flight":2}}})",
        {R"(/data/b.jsonl:1:14: expected "argv" in program "p", like ["python3", "score.py"])"});
    row("program placeholder", R"({"programs":{"p":{"argv":["run","{}"]}}})",
        {R"(/data/b.jsonl:1:34: {} cannot be used in a program, which serves many tasks (only {worker} can; write {{ and }} for literal braces))"});
    row("program max_in_flight", R"({"programs":{"p":{"argv":["x"],"max_in_flight":0}}})",
        {R"(/data/b.jsonl:1:32: expected "max_in_flight" to be an integer from 1 to 1000000)"});
    row("unknown program key", R"({"programs":{"p":{"argv":["x"],"restart":true}}})",
        {R"(/data/b.jsonl:1:32: unknown key "restart" in program "p" (known: argv, env, cwd, max_in_flight, recycle_after, startup_timeout_ms))"});
    row("programs not first",
        "{\"id\":\"a\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n"
        R"({"programs":{"p":{"argv":["x"]}}})",
        {R"(/data/b.jsonl:2:2: "programs" is only allowed on the first line, as {"programs":{...}})"});
    row("slots on a built-in op", R"({"slots":2,"compute":{"op":"sum_to","n":1}})",
        {R"(/data/b.jsonl:1:2: "slots" applies to exec and call tasks only (a built-in op always holds one compute slot))"});
    row("bad slots", R"({"slots":-1,"compute":{"op":"exec","argv":["a"]}})",
        {R"(/data/b.jsonl:1:2: expected "slots" to be an integer from 0 to 1024 (compute slots an exec or call task holds while it runs))"});
    row("input not a string", R"({"input":5,"compute":{"op":"exec","argv":["a"]}})",
        {R"(/data/b.jsonl:1:2: expected "input" to be a string (what {} stands for in a command))"});
    row("input as a default", R"({"defaults":{"input":"x"}})",
        {R"(/data/b.jsonl:1:14: "input" cannot have a default: every task has its own)"});
    row("call without program", R"({"compute":{"op":"call","args":{}}})",
        {R"(/data/b.jsonl:1:2: expected "program" in call, like {"op":"call","program":"score","args":{...}})"});
}

void tst_UserCodeSpecs::problems()
{
    QFETCH(QByteArray, batch);
    QFETCH(QStringList, errors);
    const Batch b = parse(batch + '\n');
    QCOMPARE(errorStrings(b), errors);
}

void tst_UserCodeSpecs::summaryForViews()
{
    const Batch batch = parse("{\"programs\":{\"score\":{\"argv\":[\"python3\",\"s.py\"]}}}\n"
                              R"({"input":"a","compute":{"op":"exec","argv":["gzip","-9c","{}"]}})"
                              "\n"
                              R"({"input":"b","compute":{"op":"exec","argv":["gzip","-9c","{}"]}})"
                              "\n"
                              R"({"compute":{"op":"exec","argv":["echo","a b"]}})"
                              "\n"
                              R"({"compute":{"op":"call","program":"score"}})"
                              "\n");
    QCOMPARE(errorStrings(batch), QStringList{});
    // What a view shows before running a batch from someone else.
    QCOMPARE(batch.commands.value(QStringLiteral("gzip -9c {}")), 2);
    QCOMPARE(batch.commands.value(QStringLiteral("echo 'a b'")), 1);
    QCOMPARE(batch.programs.keys(), QStringList{QStringLiteral("score")});
    QCOMPARE(batch.computeOps.value(QStringLiteral("exec")), 3);
    QCOMPARE(batch.computeOps.value(QStringLiteral("call")), 1);
    QVERIFY(!parse("{\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n").runsUserCode());
}

void tst_UserCodeSpecs::wireRoundTrips()
{
    CommandSpec c;
    c.argv = QStringList{"a", "{}", "ü"};
    c.env = {{QStringLiteral("K"), QStringLiteral("{id}")}};
    c.cwd = QStringLiteral("w");
    c.baseDir = QStringLiteral("/b");
    c.stdinMode = CommandSpec::Stdin::Body;
    c.result = CommandSpec::Result::None;
    c.maxOutputBytes = 77;
    c.slotCount = 3;
    c.needs = 2;
    CommandSpec d;
    QVERIFY(CommandSpec::decode(c.encode(), &d));
    QCOMPARE(d.argv, c.argv);
    QCOMPARE(d.env, c.env);
    QCOMPARE(d.cwd, c.cwd);
    QCOMPARE(d.baseDir, c.baseDir);
    QCOMPARE(d.stdinMode, c.stdinMode);
    QCOMPARE(d.result, c.result);
    QCOMPARE(d.maxOutputBytes, c.maxOutputBytes);
    QCOMPARE(d.slotCount, c.slotCount);
    QCOMPARE(d.needs, c.needs);
    QVERIFY(CommandSpec::decode(CommandSpec::withSlots(c.encode(), 0), &d));
    QCOMPARE(d.slotCount, qint16(0));
    // Truncated or garbled params are refused, never read past their end.
    const QByteArray full = c.encode();
    for (qsizetype n = 0; n < full.size(); ++n)
        QVERIFY(!CommandSpec::decode(full.left(n), &d));

    TaskContext context;
    QVERIFY(TaskContext::decode(TaskContext::encode(QStringLiteral("id"), QString()), &context));
    QCOMPARE(context.input, QStringLiteral("id")); // no input: {} is the id
    QVERIFY(TaskContext::decode(TaskContext::encode(QStringLiteral("id"), QStringLiteral("")),
                                &context));
    QCOMPARE(context.input, QString());
}

void tst_UserCodeSpecs::commandLineBatch()
{
    const QByteArray list = "a.txt\n\nb c\r\nlast";
    const QByteArray data = CommandLineBatch::make(list, {"gzip", "-9c"}, QStringLiteral("/w"));
    const Batch batch
            = BatchParser::parseData(data, CommandLineBatch::nameFor(QStringLiteral("l.txt")));
    QCOMPARE(errorStrings(batch), QStringList{});
    QCOMPARE(batch.tasks.size(), 4);
    QCOMPARE(batch.tasks[0].id, QStringLiteral("1")); // its line in the list
    QCOMPARE(batch.tasks[3].id, QStringLiteral("4"));
    QCOMPARE(batch.tasks[1].input, QString());
    QCOMPARE(batch.tasks[2].input, QStringLiteral("b c"));
    QCOMPARE(batch.tasks[3].input, QStringLiteral("last"));
    const CommandSpec c = commandOf(batch.tasks[0]);
    QCOMPARE(c.argv, (QStringList{"gzip", "-9c", "{}"})); // no placeholder: {} appended
    QCOMPARE(c.cwd, QStringLiteral("/w"));

    const Batch own = BatchParser::parseData(
            CommandLineBatch::make("x\n", {"convert", "{}", "{.}.png", "{a}"},
                                   QStringLiteral("/w")),
            QStringLiteral("stdin.jsonl"));
    QCOMPARE(errorStrings(own), QStringList{});
    QCOMPARE(commandOf(own.tasks[0]).argv, (QStringList{"convert", "{}", "{.}.png", "{{a}}"}));
    QCOMPARE(CommandLineBatch::nameFor(QStringLiteral("list.txt")),
             QStringLiteral("list.txt.jsonl"));

    // Lines that escape to six times their bytes outgrow the room the batch reserves.
    const QByteArray controls(3000, '\x01');
    const Batch grown = BatchParser::parseData(
            CommandLineBatch::make(controls + "\n" + controls, {"cat"}, QStringLiteral("/w")),
            QStringLiteral("grown.jsonl"));
    QCOMPARE(errorStrings(grown), QStringList{});
    QCOMPARE(grown.tasks.size(), 2);
    QCOMPARE(grown.tasks[0].input, QString(3000, QChar(1)));
    QCOMPARE(grown.tasks[1].input, QString(3000, QChar(1)));
}

QTEST_GUILESS_MAIN(tst_UserCodeSpecs)
#include "tst_usercodespecs.moc"
