// libFuzzer target: the engine <-> worker frame decoder and every message decoder.
//
// The input is a byte stream as it could arrive on a worker's stdout (or the worker's
// stdin). It is decoded twice, once whole and once in pieces whose sizes come from the
// input itself, and both must agree frame for frame: how a pipe splits the stream must
// never change what is decoded. Every payload goes through every Wire::decode*, and what
// decodes must encode back to the same bytes.
#include "protocol/FrameDecoder.h"
#include "protocol/Messages.h"

#include <QByteArray>
#include <QVector>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Brigade;

namespace {

// libFuzzer reports an abort as a crash, with the input that caused it.
// Says which check failed (the line of the call), then aborts: libFuzzer keeps the input.
void check(bool condition, int line = __builtin_LINE())
{
    if (!condition) {
        std::fprintf(stderr, "check failed at %s:%d\n", __FILE__, line);
        std::abort();
    }
}

struct Decoded
{
    QVector<FrameDecoder::Frame> frames;
    bool error = false;
    qsizetype buffered = 0;
};

void drain(FrameDecoder &decoder, Decoded *out)
{
    FrameDecoder::Frame frame;
    while (decoder.next(&frame)) {
        check(frame.payload.size() <= qsizetype(MaxFramePayload));
        out->frames.append(frame);
    }
}

Decoded decodeWhole(const QByteArray &stream)
{
    FrameDecoder decoder;
    Decoded out;
    decoder.feed(stream);
    drain(decoder, &out);
    out.error = decoder.hasError();
    out.buffered = decoder.buffered();
    return out;
}

// Pieces of 1 to 64 bytes, sizes drawn from a generator seeded by the input, taking
// frames out after every piece as WorkerProcess::onStdout does.
Decoded decodeSplit(const QByteArray &stream)
{
    quint32 x = 2166136261u;
    for (char c : stream)
        x = (x ^ quint8(c)) * 16777619u;
    FrameDecoder decoder;
    Decoded out;
    qsizetype pos = 0;
    while (pos < stream.size()) {
        x = x * 1664525u + 1013904223u;
        const qsizetype piece = qMin<qsizetype>(1 + (x >> 26), stream.size() - pos);
        decoder.feed(stream.constData() + pos, piece);
        pos += piece;
        drain(decoder, &out);
    }
    out.error = decoder.hasError();
    out.buffered = decoder.buffered();
    return out;
}

void decodeEveryWay(const QByteArray &payload)
{
    HelloMsg hello;
    Wire::decodeHello(payload, &hello);

    QString fault;
    Wire::decodeFault(payload, &fault);

    QVector<AttemptResult> results;
    if (Wire::decodeResults(payload, &results)) {
        for (const AttemptResult &r : std::as_const(results))
            check(r.row >= 0 && r.error <= LastErrorKind);
    }

    // The all-numeric and all-bytes messages must survive a round trip unchanged.
    ConfigureMsg configure;
    if (Wire::decodeConfigure(payload, &configure)) {
        QByteArray again;
        Wire::encodeConfigure(&again, configure);
        check(again.mid(FrameHeaderSize) == payload);
    }

    HeartbeatMsg heartbeat;
    if (Wire::decodeHeartbeat(payload, &heartbeat)) {
        QByteArray again;
        Wire::encodeHeartbeat(&again, heartbeat);
        check(again.mid(FrameHeaderSize) == payload);
    }

    OutputMsg output;
    if (Wire::decodeOutput(payload, &output)) {
        QByteArray again;
        Wire::encodeOutput(&again, output);
        check(again.mid(FrameHeaderSize) == payload);
    }

    QVector<CancelEntry> cancels;
    if (Wire::decodeCancel(payload, &cancels)) {
        QByteArray again;
        Wire::encodeCancel(&again, cancels);
        check(again.mid(FrameHeaderSize) == payload);
    }

    QVector<AssignTask> tasks;
    if (Wire::decodeAssign(payload, &tasks)) {
        QByteArray again;
        Wire::AssignBuilder builder(&again);
        for (const AssignTask &t : std::as_const(tasks))
            builder.add(t);
        builder.finish();
        check(again.mid(FrameHeaderSize) == payload);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray stream
            = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const Decoded whole = decodeWhole(stream);
    const Decoded split = decodeSplit(stream);

    check(whole.frames.size() == split.frames.size());
    check(whole.error == split.error);
    qsizetype consumed = 0;
    for (qsizetype i = 0; i < whole.frames.size(); ++i) {
        check(whole.frames[i].type == split.frames[i].type);
        check(whole.frames[i].payload == split.frames[i].payload);
        consumed += FrameHeaderSize + whole.frames[i].payload.size();
        decodeEveryWay(whole.frames[i].payload);
    }
    // A corrupt stream stops at the first bad header; a sound one keeps what is incomplete.
    if (!whole.error) {
        check(whole.buffered == split.buffered);
        check(consumed + whole.buffered == stream.size());
    }

    // Payloads need not come from a frame: the whole input is one too.
    decodeEveryWay(stream);
    return 0;
}
