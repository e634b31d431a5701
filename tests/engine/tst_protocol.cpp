// Engine <-> worker protocol: round trips, streaming, corrupt and truncated frames.
#include "protocol/FrameDecoder.h"
#include "protocol/Messages.h"

#include <QRandomGenerator>
#include <QTest>
#include <QtEndian>

using namespace Brigade;

class tst_Protocol : public QObject
{
    Q_OBJECT
private slots:
    void helloRoundTrip();
    void configureRoundTrip();
    void assignRoundTrip();
    void assignFromShape();
    void resultsRoundTrip();
    void processResultsRoundTrip();
    void outputRoundTrip();
    void configureWithProgramsRoundTrip();
    void repeatedResultsShareOneBuffer();
    void cancelAndHeartbeat();
    void emptyFieldsRoundTrip();
    void countsBeyondThePayloadAreRejected();
    void httpFlagsOnlyInTheirWrittenForm_data();
    void httpFlagsOnlyInTheirWrittenForm();
    void framesSplitAnywhere();
    void unknownFrameTypeIsAnError();
    void oversizedFrameIsAnError();
    void truncatedPayloadsAreRejected_data();
    void truncatedPayloadsAreRejected();
    void randomPayloadsNeverCrash();
};

static QList<FrameDecoder::Frame> decodeAll(const QByteArray &stream)
{
    FrameDecoder d;
    d.feed(stream);
    QList<FrameDecoder::Frame> frames;
    FrameDecoder::Frame f;
    while (d.next(&f))
        frames.append(f);
    return frames;
}

void tst_Protocol::helloRoundTrip()
{
    HelloMsg h;
    h.host = QStringLiteral("node-ü1");
    h.pid = 4242;
    h.cores = 16;
    h.slurmJobId = QStringLiteral("1234");
    h.workerVersion = QStringLiteral("0.1.0");
    QByteArray stream;
    Wire::encodeHello(&stream, h);
    const auto frames = decodeAll(stream);
    QCOMPARE(frames.size(), 1);
    QCOMPARE(frames[0].type, FrameType::Hello);
    HelloMsg out;
    QVERIFY(Wire::decodeHello(frames[0].payload, &out));
    QCOMPARE(out.host, h.host);
    QCOMPARE(out.pid, 4242u);
    QCOMPARE(out.cores, quint16(16));
    QCOMPARE(out.slurmJobId, h.slurmJobId);
    QCOMPARE(out.version, ProtocolVersion);
}

void tst_Protocol::configureRoundTrip()
{
    ConfigureMsg c;
    c.concurrency = 777;
    c.computeThreads = 3;
    c.defaultMaxBytes = 12345;
    c.heartbeatMs = 250;
    c.flushUs = 1500;
    c.seed = 99;
    c.maxHostConnections = 128;
    c.httpVersion = HttpVersion::Http1;
    c.insecure = true;
    c.caCertificates = "-----BEGIN CERTIFICATE-----\n...";
    c.proxy = "socks5h://127.0.0.1:1080";
    QByteArray stream;
    Wire::encodeConfigure(&stream, c);
    const auto frames = decodeAll(stream);
    ConfigureMsg out;
    QVERIFY(Wire::decodeConfigure(frames.at(0).payload, &out));
    QCOMPARE(out.concurrency, 777u);
    QCOMPARE(out.computeThreads, quint16(3));
    QCOMPARE(out.defaultMaxBytes, 12345);
    QCOMPARE(out.seed, 99u);
    QCOMPARE(out.maxHostConnections, 128u);
    QCOMPARE(out.httpVersion, HttpVersion::Http1);
    QVERIFY(out.insecure);
    QCOMPARE(out.caCertificates, c.caCertificates);
    QCOMPARE(out.proxy, c.proxy);

    c.computeThreads = 0; // nonsense settings are refused, not obeyed
    stream.clear();
    Wire::encodeConfigure(&stream, c);
    QVERIFY(!Wire::decodeConfigure(decodeAll(stream).at(0).payload, &out));
}

void tst_Protocol::assignRoundTrip()
{
    QVector<AssignTask> in;
    for (int i = 0; i < 1000; ++i) {
        AssignTask t;
        t.row = i * 7;
        t.attempt = quint16(i % 5 + 1);
        t.timeoutMs = quint32(i);
        t.fetchKind = FetchKind(i % 3);
        if (t.fetchKind == FetchKind::Delay) {
            t.delayMinMs = 200;
            t.delayMaxMs = 700;
            t.failPpm = 250000;
        } else if (t.fetchKind == FetchKind::Url) {
            t.url = "http://127.0.0.1:8080/delay?seed=" + QByteArray::number(i);
            t.maxBytes = 1 << 20;
            t.headers = {{"X-A", "1"}, {"X-B", QByteArray::number(i)}};
            // Every HTTP option on its own, all at once, and none.
            HttpOptions &h = t.http;
            const int which = (i / 3) % 10;
            if (which == 0 || which == 9)
                h.method = HttpMethod(1 + i % 3);
            if (which == 1 || which == 9)
                h.body = "body " + QByteArray::number(i);
            if (which == 2 || which == 9)
                h.bodyFile = QStringLiteral("/data/b\u00e4dy-%1").arg(i);
            if (which == 3 || which == 9) {
                h.user = "user";
                h.password = QByteArray::number(i);
            }
            if (which == 4 || which == 9) {
                h.netrc = true;
                h.netrcFile = which == 4 ? QString() : QStringLiteral("/home/u/.netrc");
            }
            if (which == 5 || which == 9)
                h.decompress = false;
            if (which == 6 || which == 9)
                h.maxRedirects = qint16(i % 40);
            if (which == 7 || which == 9)
                h.httpVersion = HttpVersion(1 + i % 3);
            if (which == 8 || which == 9)
                h.unsetVariable = "API_TOKEN";
        }
        t.op = quint8(i % 4);
        t.params = QByteArray::number(i);
        t.input = i % 2 ? QByteArray("task-") + QByteArray::number(i) : QByteArray();
        in.append(t);
    }
    QByteArray stream;
    Wire::AssignBuilder b(&stream);
    for (const AssignTask &t : in)
        b.add(t);
    b.finish();
    const auto frames = decodeAll(stream);
    QCOMPARE(frames.size(), 1);
    QVector<AssignTask> out;
    QVERIFY(Wire::decodeAssign(frames[0].payload, &out));
    QCOMPARE(out.size(), in.size());
    for (int i = 0; i < in.size(); ++i) {
        QCOMPARE(out[i].row, in[i].row);
        QCOMPARE(out[i].attempt, in[i].attempt);
        QCOMPARE(out[i].timeoutMs, in[i].timeoutMs);
        QCOMPARE(out[i].fetchKind, in[i].fetchKind);
        QCOMPARE(out[i].delayMaxMs, in[i].delayMaxMs);
        QCOMPARE(out[i].failPpm, in[i].failPpm);
        QCOMPARE(out[i].url, in[i].url);
        QCOMPARE(out[i].headers, in[i].headers);
        QVERIFY2(out[i].http == in[i].http, qPrintable(QString::number(i)));
        QCOMPARE(out[i].op, in[i].op);
        QCOMPARE(out[i].params, in[i].params);
        QCOMPARE(out[i].input, in[i].input);
    }
}

void tst_Protocol::assignFromShape()
{
    TaskShape shape;
    shape.fetch.kind = FetchKind::Url;
    shape.fetch.url = "https://example.invalid/x";
    shape.fetch.request.write().headers = {{"Accept", "text/plain"}};
    shape.fetch.request.write().secretHeaders = {{"Authorization", "Bearer t"}};
    shape.fetch.request.write().http.method = HttpMethod::Post;
    shape.fetch.request.write().http.body = "x=1";
    shape.compute.op = 2;
    shape.compute.params = "abc";
    QByteArray stream;
    Wire::AssignBuilder b(&stream);
    b.add(5, 2, 1000, shape, shape.fetch.url, 4096, {});
    b.add(6, 1, 0, shape, "https://example.invalid/y", 4096, QByteArrayLiteral("id-6"));
    b.finish();
    QVector<AssignTask> out;
    QVERIFY(Wire::decodeAssign(decodeAll(stream).at(0).payload, &out));
    QCOMPARE(out.size(), 2);
    QCOMPARE(out[0].url, shape.fetch.url);
    QCOMPARE(out[1].url, QByteArray("https://example.invalid/y")); // the task's, as given
    QCOMPARE(out[0].maxBytes, 4096);
    // The worker gets the secret headers too; only the spec keeps them apart.
    QCOMPARE(out[0].headers, HeaderList({{"Accept", "text/plain"}, {"Authorization", "Bearer t"}}));
    QVERIFY(out[0].http == shape.fetch.http());
    QVERIFY(out[0].input.isEmpty());
    QCOMPARE(out[1].input, QByteArray("id-6"));
    QCOMPARE(out[1].params, QByteArray("abc"));
}

void tst_Protocol::resultsRoundTrip()
{
    QVector<AttemptResult> in(3);
    in[0].row = 1;
    in[0].attempt = 1;
    in[0].result = "42";
    in[0].bytes = -1;
    in[1].row = 2;
    in[1].attempt = 3;
    in[1].error = ErrorKind::HttpStatus;
    in[1].httpStatus = 503;
    in[1].retryAfterMs = 2000;
    in[1].message = QStringLiteral("HTTP 503 — busy");
    in[1].bytes = 17;
    in[2].row = 3;
    in[2].fetchUs = 123456;
    in[2].computeUs = 654321;
    QByteArray stream;
    Wire::encodeResults(&stream, in);
    QVector<AttemptResult> out;
    QVERIFY(Wire::decodeResults(decodeAll(stream).at(0).payload, &out));
    QCOMPARE(out.size(), 3);
    QCOMPARE(out[0].result, QByteArray("42"));
    QCOMPARE(out[0].bytes, -1);
    QCOMPARE(out[1].error, ErrorKind::HttpStatus);
    QCOMPARE(out[1].httpStatus, quint16(503));
    QCOMPARE(out[1].retryAfterMs, 2000u);
    QCOMPARE(out[1].message, in[1].message);
    QCOMPARE(out[2].fetchUs, 123456u);
    QCOMPARE(out[2].computeUs, 654321u);
}

// Commands and calls: exit code, signal, command and tails, and the retry hint of a
// program's reply, cross the pipe; built-in ops' results carry none of it.
void tst_Protocol::processResultsRoundTrip()
{
    QVector<AttemptResult> in(3);
    in[0].row = 7;
    in[0].error = ErrorKind::Exit;
    in[0].message = QStringLiteral("exit 3: gone");
    in[0].processOutcome().exitCode = 3;
    in[0].process->command = QStringLiteral("gzip -9c 'ü b'");
    in[0].process->stdoutTail = QByteArray("\0partial", 8);
    in[0].process->stderrTail = "gzip: gone\n";
    in[1].row = 8;
    in[1].error = ErrorKind::Compute;
    in[1].retry = RetryHint::DoNotRetry;
    in[1].processOutcome().signal = 11;
    in[2].row = 9; // a built-in op
    QByteArray stream;
    Wire::encodeResults(&stream, in);
    QVector<AttemptResult> out;
    QVERIFY(Wire::decodeResults(decodeAll(stream).at(0).payload, &out));
    QCOMPARE(out.size(), 3);
    QVERIFY(out[0].process && out[1].process && !out[2].process);
    QCOMPARE(out[0].process->exitCode, 3);
    QCOMPARE(out[0].process->command, in[0].process->command);
    QCOMPARE(out[0].process->stdoutTail, in[0].process->stdoutTail);
    QCOMPARE(out[0].process->stderrTail, in[0].process->stderrTail);
    QCOMPARE(out[0].retry, RetryHint::Policy);
    QCOMPARE(out[1].retry, RetryHint::DoNotRetry);
    QCOMPARE(out[1].process->signal, quint8(11));
    QCOMPARE(out[1].process->exitCode, ProcessOutcome::NoExitCode);
    QCOMPARE(out[1].error, ErrorKind::Compute);
}

void tst_Protocol::outputRoundTrip()
{
    OutputMsg in;
    in.tasks = {TaskOutput{4, 2, QStringLiteral("sleep 1"), "out", "err\n"},
                TaskOutput{5, 1, QString(), {}, "more"}};
    in.programs = {ProgramOutput{QStringLiteral("score"), ProgramOutput::Stderr, "a\nb\n"},
                   ProgramOutput{QStringLiteral("score"), ProgramOutput::Event, "ready\n"}};
    QByteArray stream;
    Wire::encodeOutput(&stream, in);
    const auto frames = decodeAll(stream);
    QCOMPARE(frames.at(0).type, FrameType::Output);
    OutputMsg out;
    QVERIFY(Wire::decodeOutput(frames.at(0).payload, &out));
    QCOMPARE(out.tasks.size(), 2);
    QCOMPARE(out.tasks[0].command, QStringLiteral("sleep 1"));
    QCOMPARE(out.tasks[0].stdoutBytes, QByteArray("out"));
    QCOMPARE(out.tasks[1].stderrBytes, QByteArray("more"));
    QCOMPARE(out.programs.size(), 2);
    QCOMPARE(out.programs[1].stream, quint8(ProgramOutput::Event));
    QCOMPARE(out.programs[0].text, QByteArray("a\nb\n"));
    // A program name that is not UTF-8 is a broken frame, not text to guess at.
    QByteArray bad;
    OutputMsg badMsg;
    badMsg.programs = {ProgramOutput{QStringLiteral("x"), ProgramOutput::Stdout, "y"}};
    Wire::encodeOutput(&bad, badMsg);
    QByteArray payload = decodeAll(bad).at(0).payload;
    payload[8] = char(0xff); // the name's one byte, after the two counts and its length
    QVERIFY(!Wire::decodeOutput(payload, &out));
}

void tst_Protocol::configureWithProgramsRoundTrip()
{
    ConfigureMsg in;
    in.workerSlot = 5;
    ProgramSpec p;
    p.name = QStringLiteral("score");
    p.argv = QStringList{QStringLiteral("python3"), QStringLiteral("s.py"),
                         QStringLiteral("{worker}")};
    p.env = {{QStringLiteral("A"), QStringLiteral("b")}};
    p.cwd = QStringLiteral("m");
    p.baseDir = QStringLiteral("/d");
    p.maxInFlight = 7;
    p.recycleAfter = 100;
    p.startupTimeoutMs = 1234;
    in.programs = {p, p};
    in.programs[1].name = QStringLiteral("other");
    QByteArray stream;
    Wire::encodeConfigure(&stream, in);
    ConfigureMsg out;
    QVERIFY(Wire::decodeConfigure(decodeAll(stream).at(0).payload, &out));
    QCOMPARE(out.workerSlot, quint16(5));
    QCOMPARE(out.programs.size(), 2);
    QVERIFY(out.programs[0] == p);
    QCOMPARE(out.programs[1].name, QStringLiteral("other"));
}

// A million tasks returning "0" must not cost a million allocations; different values and
// long values are still their own.
void tst_Protocol::repeatedResultsShareOneBuffer()
{
    QVector<AttemptResult> in(5);
    const QByteArray longValue(100, 'x');
    const QByteArray values[] = {"0", "0", "1", longValue, longValue};
    for (int i = 0; i < in.size(); ++i) {
        in[i].row = i;
        in[i].result = values[i];
    }
    QByteArray stream;
    Wire::encodeResults(&stream, in);
    QVector<AttemptResult> out;
    QVERIFY(Wire::decodeResults(decodeAll(stream).at(0).payload, &out));
    QCOMPARE(out.size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(out[i].result, values[i]);
    QCOMPARE(out[1].result.constData(), out[0].result.constData());
    QVERIFY(out[2].result.constData() != out[1].result.constData());
    QVERIFY(out[4].result.constData() != out[3].result.constData());
}

// Null strings and byte arrays everywhere. Regression: ByteSink passed their null data()
// to memcpy (undefined behaviour even for 0 bytes; UBSan in CI and the fuzzers stop there).
void tst_Protocol::emptyFieldsRoundTrip()
{
    QByteArray stream;
    Wire::encodeHello(&stream, HelloMsg{});
    Wire::AssignBuilder b(&stream);
    AssignTask t;
    t.fetchKind = FetchKind::Url;
    t.headers = {{QByteArray(), QByteArray()}};
    b.add(t);
    b.finish();
    AttemptResult empty;
    empty.row = 0;
    Wire::encodeResults(&stream, {empty});
    Wire::encodeFault(&stream, QString());
    const auto frames = decodeAll(stream);
    QCOMPARE(frames.size(), 4);
    HelloMsg hello;
    QVERIFY(Wire::decodeHello(frames[0].payload, &hello));
    QVERIFY(hello.host.isEmpty());
    QVector<AssignTask> tasks;
    QVERIFY(Wire::decodeAssign(frames[1].payload, &tasks));
    QCOMPARE(tasks.size(), 1);
    QVERIFY(tasks[0].url.isEmpty() && tasks[0].params.isEmpty() && tasks[0].input.isEmpty());
    QCOMPARE(tasks[0].headers.size(), 1);
    QVector<AttemptResult> results;
    QVERIFY(Wire::decodeResults(frames[2].payload, &results));
    QCOMPARE(results.size(), 1);
    QVERIFY(results[0].result.isEmpty() && results[0].message.isEmpty());
    QString why = QStringLiteral("x");
    QVERIFY(Wire::decodeFault(frames[3].payload, &why));
    QVERIFY(why.isEmpty());
}

// Regression (found by fuzz_frames): a count the payload cannot possibly hold was trusted
// up to 4M entries and reserved for, hundreds of MB per corrupt frame.
void tst_Protocol::countsBeyondThePayloadAreRejected()
{
    QByteArray payload(4, '\0');
    qToLittleEndian(quint32(4 * 1024 * 1024 - 1), payload.data());
    payload += QByteArray(64, '\0');
    QVector<AssignTask> tasks;
    QVERIFY(!Wire::decodeAssign(payload, &tasks));
    QVERIFY(tasks.capacity() < 100);
    QVector<AttemptResult> results;
    QVERIFY(!Wire::decodeResults(payload, &results));
    QVERIFY(results.capacity() < 100);
}

void tst_Protocol::httpFlagsOnlyInTheirWrittenForm_data()
{
    QTest::addColumn<quint16>("flags");
    QTest::addColumn<QByteArray>("fields");
    QTest::addColumn<bool>("accepted");
    const QByteArray noBytes(4, '\0'); // a zero length
    QTest::newRow("none") << quint16(0) << QByteArray() << true;
    QTest::newRow("netrc, default file") << quint16(16) << noBytes << true;
    QTest::newRow("no decompression") << quint16(32) << QByteArray() << true;
    // Found by fuzz_frames: bit 9 is no flag, and would be dropped by the next encoder.
    QTest::newRow("unknown flag") << quint16(512) << QByteArray() << false;
    QTest::newRow("method GET, the default") << quint16(1) << QByteArray(1, '\0') << false;
    QTest::newRow("empty body") << quint16(2) << noBytes << false;
    QTest::newRow("empty body file") << quint16(4) << noBytes << false;
    QTest::newRow("empty credentials") << quint16(8) << noBytes + noBytes << false;
    QTest::newRow("redirects -1, the default") << quint16(64) << QByteArray(2, '\xff') << false;
    QTest::newRow("default HTTP version") << quint16(128) << QByteArray(1, '\0') << false;
    QTest::newRow("empty unset variable") << quint16(256) << noBytes << false;
}

void tst_Protocol::httpFlagsOnlyInTheirWrittenForm()
{
    QFETCH(quint16, flags);
    QFETCH(QByteArray, fields);
    QFETCH(bool, accepted);
    AssignTask t;
    t.row = 1;
    t.fetchKind = FetchKind::Url;
    t.url = "http://127.0.0.1/x";
    QByteArray stream;
    Wire::AssignBuilder b(&stream);
    b.add(t);
    b.finish();
    QByteArray payload = decodeAll(stream).at(0).payload;
    // The default options are a zero flags word, then op, params and input end the entry.
    const qsizetype at = payload.size() - (2 + 1 + 4 + 4);
    QCOMPARE(qFromLittleEndian<quint16>(payload.constData() + at), quint16(0));
    qToLittleEndian(flags, payload.data() + at);
    payload.insert(at + 2, fields);

    QVector<AssignTask> out;
    QCOMPARE(Wire::decodeAssign(payload, &out), accepted);
    if (accepted) {
        // What is accepted is written back byte for byte: a relay changes nothing.
        QByteArray again;
        Wire::AssignBuilder rb(&again);
        rb.add(out.at(0));
        rb.finish();
        QCOMPARE(decodeAll(again).at(0).payload, payload);
    }
}

void tst_Protocol::cancelAndHeartbeat()
{
    QByteArray stream;
    Wire::encodeCancel(&stream, {{4, 1}, {9, 2}});
    HeartbeatMsg hb;
    hb.cpuUs = 1ull << 40;
    hb.inFlight = 12;
    hb.rssKb = 2048;
    Wire::encodeHeartbeat(&stream, hb);
    Wire::encodeShutdown(&stream);
    const auto frames = decodeAll(stream);
    QCOMPARE(frames.size(), 3);
    QVector<CancelEntry> c;
    QVERIFY(Wire::decodeCancel(frames[0].payload, &c));
    QCOMPARE(c.size(), 2);
    QCOMPARE(c[1].row, 9);
    QCOMPARE(c[1].attempt, quint16(2));
    HeartbeatMsg out;
    QVERIFY(Wire::decodeHeartbeat(frames[1].payload, &out));
    QCOMPARE(out.cpuUs, hb.cpuUs);
    QCOMPARE(out.inFlight, 12u);
    QCOMPARE(frames[2].type, FrameType::Shutdown);
    QVERIFY(frames[2].payload.isEmpty());
}

void tst_Protocol::framesSplitAnywhere()
{
    QByteArray stream;
    for (int i = 0; i < 50; ++i) {
        QVector<AttemptResult> r(i + 1);
        for (int k = 0; k <= i; ++k)
            r[k].row = k;
        Wire::encodeResults(&stream, r);
    }
    // Fed in random pieces, as a pipe or a pseudo-terminal delivers them.
    QRandomGenerator rng(7);
    FrameDecoder d;
    int frames = 0;
    qsizetype pos = 0;
    FrameDecoder::Frame f;
    while (pos < stream.size()) {
        const qsizetype n = qMin<qsizetype>(rng.bounded(1, 200), stream.size() - pos);
        d.feed(stream.constData() + pos, n);
        pos += n;
        while (d.next(&f)) {
            QVector<AttemptResult> r;
            QVERIFY(Wire::decodeResults(f.payload, &r));
            QCOMPARE(r.size(), frames + 1);
            ++frames;
        }
    }
    QCOMPARE(frames, 50);
    QVERIFY(!d.hasError());
    QCOMPARE(d.buffered(), 0);
}

void tst_Protocol::unknownFrameTypeIsAnError()
{
    FrameDecoder d;
    const char garbage[] = "hello world, not a frame";
    d.feed(garbage, sizeof garbage);
    FrameDecoder::Frame f;
    QVERIFY(!d.next(&f));
    QVERIFY(d.hasError());
    QVERIFY(d.errorString().contains(QLatin1String("unknown frame type")));
}

void tst_Protocol::oversizedFrameIsAnError()
{
    QByteArray header(5, '\0');
    const quint32 len = qToLittleEndian(MaxFramePayload + 1);
    memcpy(header.data(), &len, 4);
    header[4] = char(FrameType::Results);
    FrameDecoder d;
    d.feed(header);
    FrameDecoder::Frame f;
    QVERIFY(!d.next(&f));
    QVERIFY(d.hasError());
    QVERIFY(d.errorString().contains(QLatin1String("exceeds")));
}

void tst_Protocol::truncatedPayloadsAreRejected_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("type");
    QVector<AttemptResult> r(2);
    r[0].message = QStringLiteral("x");
    QByteArray results;
    Wire::encodeResults(&results, r);
    QByteArray assign;
    Wire::AssignBuilder b(&assign);
    AssignTask t;
    t.fetchKind = FetchKind::Url;
    t.url = "http://x/";
    b.add(t);
    b.finish();
    QByteArray hello;
    Wire::encodeHello(&hello, HelloMsg{});
    const QList<QPair<const char *, QByteArray>> frames{
            {"results", results}, {"assign", assign}, {"hello", hello}};
    for (const auto &[name, frame] : frames) {
        const QByteArray payload = frame.mid(FrameHeaderSize);
        for (int cut = 0; cut < payload.size(); cut += 3)
            QTest::addRow("%s-cut-%d", name, cut) << payload.left(cut) << int(quint8(frame[4]));
    }
}

void tst_Protocol::truncatedPayloadsAreRejected()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, type);
    switch (FrameType(type)) {
    case FrameType::Results: {
        QVector<AttemptResult> out;
        QVERIFY(!Wire::decodeResults(payload, &out));
        break;
    }
    case FrameType::Assign: {
        QVector<AssignTask> out;
        QVERIFY(!Wire::decodeAssign(payload, &out));
        break;
    }
    case FrameType::Hello: {
        HelloMsg out;
        QVERIFY(!Wire::decodeHello(payload, &out));
        break;
    }
    default:
        QFAIL("unexpected type");
    }
}

void tst_Protocol::randomPayloadsNeverCrash()
{
    QRandomGenerator rng(2024);
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        QByteArray p(rng.bounded(0, 64), Qt::Uninitialized);
        for (char &c : p)
            c = char(rng.bounded(256));
        QVector<AttemptResult> r;
        QVector<AssignTask> a;
        QVector<CancelEntry> c;
        HelloMsg h;
        HeartbeatMsg hb;
        accepted += Wire::decodeResults(p, &r) + Wire::decodeAssign(p, &a)
                    + Wire::decodeCancel(p, &c) + Wire::decodeHello(p, &h)
                    + Wire::decodeHeartbeat(p, &hb);
    }
    // Mostly rejected; the point is that none of it crashed or read out of bounds.
    QVERIFY(accepted < 20000);
}

QTEST_GUILESS_MAIN(tst_Protocol)
#include "tst_protocol.moc"
