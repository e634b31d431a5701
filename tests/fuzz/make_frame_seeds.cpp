// Writes the seed corpus of fuzz_frames: a few valid frames of every type, made by the real
// encoders, plus streams of several frames. Run from the fuzz build when the protocol
// changes:  build-fuzz/fuzz/make_frame_seeds tests/fuzz/corpus/frames
#include "compute/ComputeRegistry.h"
#include "protocol/Messages.h"
#include "usercode/CallSpec.h"
#include "usercode/CommandSpec.h"
#include "usercode/TaskContext.h"

#include <QDir>
#include <QFile>

#include <cstdio>

using namespace Brigade;

namespace {

bool write(const QDir &dir, const char *name, const QByteArray &bytes)
{
    QFile f(dir.filePath(QString::fromLatin1(name)));
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(f.fileName()));
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
        return 2;
    }
    const QDir dir(QString::fromLocal8Bit(argv[1]));
    if (!dir.mkpath(QStringLiteral(".")))
        return 1;

    QByteArray hello;
    HelloMsg h;
    h.host = QStringLiteral("node1");
    h.pid = 4242;
    h.cores = 8;
    h.workerVersion = QStringLiteral("0.1.0");
    Wire::encodeHello(&hello, h);

    QByteArray configure;
    {
        ConfigureMsg c; // HTTP options set
        c.maxHostConnections = 128;
        c.proxy = "http://127.0.0.1:3128";
        Wire::encodeConfigure(&configure, c);
    }
    QByteArray configurePrograms;
    {
        ConfigureMsg c;
        c.workerSlot = 3;
        ProgramSpec p;
        p.name = QStringLiteral("score");
        p.argv = QStringList{QStringLiteral("python3"), QStringLiteral("score.py"),
                             QStringLiteral("--gpu={worker}")};
        p.env = {{QStringLiteral("LC_ALL"), QStringLiteral("C")}};
        p.cwd = QStringLiteral("models");
        p.baseDir = QStringLiteral("/data");
        p.maxInFlight = 64;
        p.recycleAfter = 1000;
        c.programs = {p};
        Wire::encodeConfigure(&configurePrograms, c);
    }

    QByteArray assign;
    {
        Wire::AssignBuilder b(&assign);
        AssignTask compute;
        compute.row = 0;
        compute.attempt = 1;
        compute.op = 1;
        compute.params = QByteArray("\x0a\0\0\0\0\0\0\0", 8);
        compute.input = "id0";
        b.add(compute);
        AssignTask delay;
        delay.row = 1;
        delay.attempt = 2;
        delay.timeoutMs = 500;
        delay.fetchKind = FetchKind::Delay;
        delay.delayMinMs = 10;
        delay.delayMaxMs = 20;
        delay.failPpm = 100000;
        b.add(delay);
        AssignTask url;
        url.row = 2;
        url.attempt = 1;
        url.fetchKind = FetchKind::Url;
        url.url = "http://127.0.0.1:8080/x";
        url.maxBytes = 1024;
        url.headers = {{"Accept", "text/plain"}};
        b.add(url);
        AssignTask command; // a command task: its spec in params, its id and input as input
        command.row = 3;
        command.attempt = 1;
        command.op = ComputeRegistry::instance().idOf("exec");
        CommandSpec spec;
        spec.argv
                = QStringList{QStringLiteral("gzip"), QStringLiteral("-9c"), QStringLiteral("{}")};
        spec.baseDir = QStringLiteral("/data");
        command.params = spec.encode();
        command.input = TaskContext::encode(QStringLiteral("t3"), QStringLiteral("a.txt"));
        b.add(command);
        AssignTask call;
        call.row = 4;
        call.attempt = 2;
        call.op = ComputeRegistry::instance().idOf("call");
        CallSpec callSpec;
        callSpec.program = QStringLiteral("score");
        callSpec.argsJson = "{\"text\":\"hi\"}";
        call.params = callSpec.encode();
        call.input = TaskContext::encode(QStringLiteral("t4"), QString());
        b.add(call);
        AssignTask post = url; // every HTTP option set
        post.row = 5;
        post.http.method = HttpMethod::Post;
        post.http.body = "a=1";
        post.http.bodyFile = QStringLiteral("/tmp/body");
        post.http.user = "u";
        post.http.password = "p";
        post.http.netrc = true;
        post.http.netrcFile = QStringLiteral("/tmp/netrc");
        post.http.decompress = false;
        post.http.maxRedirects = 3;
        post.http.httpVersion = HttpVersion::Http2;
        b.add(post);
        b.finish();
    }

    QByteArray cancel;
    Wire::encodeCancel(&cancel, {CancelEntry{1, 2}, CancelEntry{7, 1}});

    QByteArray results;
    {
        AttemptResult ok;
        ok.row = 0;
        ok.attempt = 1;
        ok.bytes = 12;
        ok.result = "55";
        AttemptResult failed;
        failed.row = 2;
        failed.attempt = 1;
        failed.error = ErrorKind::Timeout;
        failed.message = QStringLiteral("timed out after 500 ms");
        Wire::encodeResults(&results, {ok, failed});
    }
    QByteArray processResults;
    {
        AttemptResult exited;
        exited.row = 4;
        exited.attempt = 2;
        exited.error = ErrorKind::Exit;
        exited.message = QStringLiteral("exit 3: no such file");
        exited.processOutcome().exitCode = 3;
        exited.processOutcome().command = QStringLiteral("gzip -9c a.txt");
        exited.processOutcome().stderrTail = "gzip: a.txt: no such file\n";
        AttemptResult call;
        call.row = 5;
        call.attempt = 1;
        call.error = ErrorKind::Compute;
        call.retry = RetryHint::DoNotRetry;
        call.message = QStringLiteral("hopeless");
        call.processOutcome().command = QStringLiteral("call score {}");
        call.processOutcome().stdoutTail = "a log line\n";
        Wire::encodeResults(&processResults, {exited, call});
    }
    QByteArray output;
    {
        OutputMsg o;
        o.tasks = {TaskOutput{4, 2, QStringLiteral("gzip -9c a.txt"), "partial", "warning\n"}};
        o.programs = {ProgramOutput{QStringLiteral("score"), ProgramOutput::Stderr, "loading\n"},
                      ProgramOutput{QStringLiteral("score"), ProgramOutput::Event, "ready\n"}};
        Wire::encodeOutput(&output, o);
    }

    QByteArray heartbeat;
    HeartbeatMsg hb;
    hb.cpuUs = 123456;
    hb.inFlight = 3;
    hb.rssKb = 20480;
    hb.completed = 9;
    Wire::encodeHeartbeat(&heartbeat, hb);

    QByteArray fault;
    Wire::encodeFault(&fault, QStringLiteral("out of memory"));

    QByteArray shutdown;
    Wire::encodeShutdown(&shutdown);

    const bool ok
            = write(dir, "hello", hello) && write(dir, "configure", configure)
              && write(dir, "assign", assign) && write(dir, "cancel", cancel)
              && write(dir, "results", results) && write(dir, "heartbeat", heartbeat)
              && write(dir, "fault", fault) && write(dir, "shutdown", shutdown)
              && write(dir, "configure-programs", configurePrograms)
              && write(dir, "results-process", processResults) && write(dir, "output", output)
              && write(dir, "worker-stream",
                       hello + heartbeat + results + output + processResults + results.left(9))
              && write(dir, "engine-stream", configure + assign + cancel + shutdown)
              && write(dir, "oversized-header", hello + QByteArray("\xff\xff\xff\xff\x05", 5));
    return ok ? 0 : 1;
}
