// libFuzzer target: BatchParser::parseData on arbitrary bytes, read both as JSON Lines and
// as a .txt list of URLs; and the bytes as a list of arguments (brigade run LIST -- PROG),
// whose direct read must give what parsing the batch made of it gives.
//
// Beyond "never crashes", every parse must keep the promises the engine relies on: errors
// point into the file, ids are unique and non-empty, URLs are http, https or file only,
// and every valid task can be sent to a worker and read back unchanged.
#include "batch/BatchParser.h"
#include "compute/ComputeRegistry.h"
#include "protocol/Messages.h"
#include "usercode/CommandLineBatch.h"

#include <QByteArray>
#include <QSet>
#include <QString>
#include <QVector>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Brigade;

namespace {

// Says which check failed (the line of the call), then aborts: libFuzzer keeps the input.
void check(bool condition, int line = __builtin_LINE())
{
    if (!condition) {
        std::fprintf(stderr, "check failed at %s:%d\n", __FILE__, line);
        std::abort();
    }
}

void checkBatch(const Batch &batch, const QString &fileName, bool text)
{
    BatchParser::Options defaults;
    check(!batch.cancelled);
    check(batch.path == fileName);
    check(batch.errors.size() <= defaults.maxErrors);
    check(batch.errorCount >= batch.errors.size());
    check(batch.errors.isEmpty() == (batch.errorCount == 0));
    for (const BatchError &e : batch.errors) {
        check(e.file == fileName);
        check(e.line >= 1 && e.line <= qMax<qint64>(1, batch.lines));
        check(!e.message.isEmpty());
    }

    QSet<QString> ids;
    QByteArray frame;
    Wire::AssignBuilder builder(&frame);
    for (qsizetype row = 0; row < batch.tasks.size(); ++row) {
        const TaskSpec &spec = batch.tasks[row];
        check(!spec.id.isEmpty());
        check(!ids.contains(spec.id));
        ids.insert(spec.id);
        check(spec.shape != nullptr);
        check(spec.line >= 1 && spec.line <= batch.lines);
        const TaskShape &shape = *spec.shape;
        const FetchSpec &f = shape.fetch;
        check(shape.maxAttempts <= 100);
        check(shape.compute.op == 0 || ComputeRegistry::instance().op(shape.compute.op));
        check(f.kind != FetchKind::None || shape.compute.op != 0);
        if (text)
            check(f.kind == FetchKind::Url);
        if (f.kind == FetchKind::Delay)
            check(f.delayMinMs <= f.delayMaxMs);
        if (f.kind == FetchKind::Url) {
            const QByteArray &url = spec.url();
            check(url.startsWith("http://") || url.startsWith("https://")
                  || url.startsWith("file:"));
            check(f.maxBytes >= 0);
            for (const auto &h : f.headers()) {
                check(!h.first.isEmpty());
                check(!h.first.contains('\n') && !h.second.contains('\n'));
                check(!h.first.contains('\r') && !h.second.contains('\r'));
            }
        }
        builder.add(qint32(row), 1, shape.timeoutMs, shape, spec.url(), f.maxBytes,
                    Wire::AssignBuilder::inputOf(spec));
    }
    builder.finish();

    // What the engine would send is what a worker reads.
    FrameDecoder decoder;
    decoder.feed(frame);
    FrameDecoder::Frame decoded;
    check(decoder.next(&decoded));
    check(decoded.type == FrameType::Assign);
    QVector<AssignTask> tasks;
    check(Wire::decodeAssign(decoded.payload, &tasks));
    check(tasks.size() == batch.tasks.size());
    for (qsizetype row = 0; row < tasks.size(); ++row) {
        const AssignTask &t = tasks[row];
        const TaskSpec &spec = batch.tasks[row];
        const TaskShape &shape = *spec.shape;
        check(t.row == row);
        check(t.fetchKind == shape.fetch.kind);
        check(t.op == shape.compute.op);
        check(t.params == shape.compute.params);
        if (t.fetchKind == FetchKind::Url) {
            check(t.url == spec.url());
            // The worker gets the headers as written, then those taken from the environment.
            check(t.headers == shape.fetch.headers() + shape.fetch.secretHeaders());
        }
        check(t.input == Wire::AssignBuilder::inputOf(spec));
    }
}

// The list read directly and through the batch its journal holds: the same tasks, lines
// and messages.
void checkArgumentList(const QByteArray &list)
{
    const QStringList command{QStringLiteral("echo"), QStringLiteral("{}")};
    const QString cwd = QStringLiteral("/tmp");
    const QString name = QStringLiteral("fuzz.txt.jsonl");
    const Batch direct = BatchParser::parseArgumentList(
            list, CommandLineBatch::defaultsLine(command, cwd), name);
    const Batch made = BatchParser::parseData(CommandLineBatch::make(list, command, cwd), name);
    checkBatch(direct, name, false);
    check(direct.tasks.size() == made.tasks.size());
    for (qsizetype row = 0; row < made.tasks.size(); ++row) {
        const TaskSpec &a = direct.tasks[row];
        const TaskSpec &b = made.tasks[row];
        check(a.id == b.id);
        check(a.line == b.line);
        check(a.input.isNull() == b.input.isNull());
        check(a.input.toString() == b.input.toString());
        check(a.shape->compute.params == b.shape->compute.params);
    }
    check(direct.lines == made.lines);
    check(direct.errorCount == made.errorCount);
    check(direct.errors.size() == made.errors.size());
    for (qsizetype i = 0; i < made.errors.size(); ++i)
        check(direct.errors[i].toString() == made.errors[i].toString());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes
            = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString jsonl = QStringLiteral("fuzz.jsonl");
    checkBatch(BatchParser::parseData(bytes, jsonl), jsonl, false);
    const QString txt = QStringLiteral("fuzz.txt");
    checkBatch(BatchParser::parseData(bytes, txt), txt, true);
    checkArgumentList(bytes);
    return 0;
}
