// Writes the seed corpus of fuzz_frames: a few valid frames of every type, made by the real
// encoders, plus streams of several frames. Run from the fuzz build when the protocol
// changes:  build-fuzz/fuzz/make_frame_seeds tests/fuzz/corpus/frames
#include "protocol/Messages.h"

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
    ConfigureMsg c;
    c.maxHostConnections = 128;
    c.proxy = "http://127.0.0.1:3128";
    Wire::encodeConfigure(&configure, c);

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
        AssignTask post = url; // every HTTP option set
        post.row = 3;
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
              && write(dir, "worker-stream", hello + heartbeat + results + results.left(9))
              && write(dir, "engine-stream", configure + assign + cancel + shutdown)
              && write(dir, "oversized-header", hello + QByteArray("\xff\xff\xff\xff\x05", 5));
    return ok ? 0 : 1;
}
