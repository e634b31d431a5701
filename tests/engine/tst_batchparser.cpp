// The batch file parser: every task field, the defaults line, plain text lists, every kind
// of bad input with its exact location, duplicate ids, big files parsed in parallel.
#include "batch/BatchLineParser.h"
#include "batch/BatchParser.h"
#include "compute/ComputeRegistry.h"
#include "net/Url.h"
#include "usercode/CommandLineBatch.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using namespace Brigade;

namespace {

// One line per task: "id fetch... compute... attempts... timeout...", only what is set.
QString describe(const TaskSpec &task)
{
    const TaskShape &s = *task.shape;
    QStringList parts{task.id};
    if (s.fetch.kind == FetchKind::Delay)
        parts << QStringLiteral("delay:%1-%2").arg(s.fetch.delayMinMs).arg(s.fetch.delayMaxMs);
    else if (s.fetch.kind == FetchKind::Url)
        parts << QStringLiteral("url:") + QString::fromUtf8(task.url());
    if (s.fetch.failPpm)
        parts << QStringLiteral("fail_ppm:%1").arg(s.fetch.failPpm);
    if (s.fetch.timeoutMs)
        parts << QStringLiteral("fetch_timeout:%1").arg(s.fetch.timeoutMs);
    if (s.fetch.maxBytes)
        parts << QStringLiteral("max_bytes:%1").arg(s.fetch.maxBytes);
    for (const auto &header : s.fetch.headers())
        parts << QStringLiteral("header:%1=%2")
                         .arg(QString::fromUtf8(header.first), QString::fromUtf8(header.second));
    for (const auto &header : s.fetch.secretHeaders())
        parts << QStringLiteral("secret:%1=%2")
                         .arg(QString::fromUtf8(header.first), QString::fromUtf8(header.second));
    const HttpOptions &h = s.fetch.http();
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT"};
    if (h.method != HttpMethod::Get)
        parts << QStringLiteral("method:%1").arg(QLatin1String(methods[int(h.method)]));
    if (!h.body.isEmpty())
        parts << QStringLiteral("body:") + QString::fromUtf8(h.body);
    if (!h.bodyFile.isEmpty())
        parts << QStringLiteral("body_file:") + QFileInfo(h.bodyFile).fileName();
    if (!h.user.isEmpty() || !h.password.isEmpty())
        parts << QStringLiteral("auth:%1:%2")
                         .arg(QString::fromUtf8(h.user), QString::fromUtf8(h.password));
    if (h.netrc)
        parts << QStringLiteral("netrc:") + QFileInfo(h.netrcFile).fileName();
    if (!h.decompress)
        parts << QStringLiteral("raw");
    if (h.maxRedirects >= 0)
        parts << QStringLiteral("redirects:%1").arg(h.maxRedirects);
    if (h.httpVersion != HttpVersion::Default)
        parts << QStringLiteral("http:%1").arg(int(h.httpVersion));
    if (s.compute.op) {
        parts << QStringLiteral("op:%1:%2")
                         .arg(QString::fromUtf8(
                                      ComputeRegistry::instance().op(s.compute.op)->name()),
                              QString::fromLatin1(s.compute.params.toHex()));
    }
    if (s.maxAttempts)
        parts << QStringLiteral("attempts:%1").arg(s.maxAttempts);
    if (s.timeoutMs)
        parts << QStringLiteral("timeout:%1").arg(s.timeoutMs);
    return parts.join(QLatin1Char(' '));
}

QStringList describeAll(const Batch &batch)
{
    QStringList out;
    for (const TaskSpec &task : batch.tasks)
        out << describe(task);
    return out;
}

// A batch parsed as the file b.jsonl in a folder, for fields that name files beside it.
// The checks are functions, not QCOMPARE around raw strings: moc cannot read those in a
// macro.
struct BatchBeside
{
    explicit BatchBeside(const QTemporaryDir &dir)
        : file(dir.filePath(QStringLiteral("b.jsonl")))
    {}
    QStringList tasks(const QByteArray &data) const
    {
        return describeAll(BatchParser::parseData(data, file, {}));
    }
    QStringList errors(const QByteArray &data) const
    {
        QStringList out;
        for (const BatchError &e : BatchParser::parseData(data, file, {}).errors)
            out << e.toString().mid(file.size() + 1);
        return out;
    }
    void expectTasks(const QByteArray &data, const QStringList &expected) const
    {
        QCOMPARE(tasks(data), expected);
    }
    void expectErrors(const QByteArray &data, const QStringList &expected) const
    {
        QCOMPARE(errors(data), expected);
    }
    QString file;
};

QStringList errorStrings(const Batch &batch)
{
    QStringList out;
    for (const BatchError &error : batch.errors)
        out << error.toString();
    return out;
}

Batch parse(const QByteArray &data, const QString &fileName = QStringLiteral("b.jsonl"),
            int maxErrors = 100)
{
    BatchParser::Options options;
    options.maxErrors = maxErrors;
    return BatchParser::parseData(data, fileName, options);
}

// Checks that hold for any input whatsoever.
void checkInvariants(const Batch &batch, int maxErrors)
{
    QVERIFY(batch.errors.size() <= maxErrors);
    QVERIFY(batch.errorCount >= batch.errors.size());
    qint32 lastLine = 0;
    for (const TaskSpec &task : batch.tasks) {
        QVERIFY(task.shape);
        QVERIFY(task.line > lastLine);
        QVERIFY(task.line <= batch.lines);
        QVERIFY(!task.id.isEmpty());
        lastLine = task.line;
    }
    for (const BatchError &error : batch.errors) {
        QVERIFY(error.line >= 1 && error.line <= batch.lines);
        QVERIFY(error.column >= 1);
        QVERIFY(!error.message.isEmpty());
    }
    qint64 kinds = 0, ops = 0;
    for (qint64 n : batch.fetchKinds)
        kinds += n;
    for (qint64 n : batch.computeOps)
        ops += n;
    QCOMPARE(kinds, qint64(batch.tasks.size()));
    QCOMPARE(ops, qint64(batch.tasks.size()));
}

// Line i (1-based) of the generated big batch; generatedTask() is the task it should give
// ("" for none).
QByteArray generatedLine(int i)
{
    switch (i % 6) {
    case 0:
        return R"({"compute":{"op":"sum_to","n":)" + QByteArray::number(i) + "}}";
    case 1:
        return R"({"id":"t)" + QByteArray::number(i) + R"(","fetch":{"delay_ms":[1,)"
               + QByteArray::number(i % 100 + 1) + "]}}";
    case 2:
        return R"({"id":"u)" + QByteArray::number(i) + R"(","fetch":"https://example.com/item/)"
               + QByteArray::number(i) + "\",\"max_attempts\":2}\r"; // CRLF
    case 3:
        return R"({"compute":{"op":"sha256","rounds":1}})";
    case 4:
        return i % 4 == 0 ? QByteArray("   ") : QByteArray(R"({"fetch":"file:///data/x.txt"})");
    default:
        return R"({"id":"w)" + QByteArray::number(i)
               + R"(","compute":{"op":"wordcount","top":3},"timeout_ms":)"
               + QByteArray::number(i % 1000 + 1) + "}";
    }
}

QString generatedTask(int i)
{
    const QString n = QString::number(i);
    switch (i % 6) {
    case 0: {
        QByteArray params(8, '\0');
        qToLittleEndian<quint64>(quint64(i), params.data());
        return QStringLiteral("%1 op:sum_to:%2").arg(n, QString::fromLatin1(params.toHex()));
    }
    case 1:
        return QStringLiteral("t%1 delay:1-%2").arg(n).arg(i % 100 + 1);
    case 2:
        return QStringLiteral("u%1 url:https://example.com/item/%1 attempts:2").arg(n);
    case 3:
        return QStringLiteral("%1 op:sha256:01000000").arg(n);
    case 4:
        return i % 4 == 0 ? QString() : QStringLiteral("%1 url:file:///data/x.txt").arg(n);
    default:
        return QStringLiteral("w%1 op:wordcount:03000000 timeout:%2").arg(n).arg(i % 1000 + 1);
    }
}

QByteArray generatedBatch(int lines)
{
    QByteArray data;
    data.reserve(qsizetype(lines) * 60);
    for (int i = 1; i <= lines; ++i) {
        data += generatedLine(i);
        data += '\n';
    }
    return data;
}

} // namespace

class TestBatchParser : public QObject
{
    Q_OBJECT

private slots:
    void goodInput_data();
    void goodInput();
    void badInput_data();
    void badInput();
    void duplicateIds_data();
    void duplicateIds();
    void manyLineNumberClashes();
    void lineCount_data();
    void lineCount();
    void defaultsText();
    void pacingOnTheFirstLine();
    void errorCapAndCount();
    void errorCapAcrossChunks();
    void urlListAcrossChunks();
    void urlListTakenAsWritten();
    void hugeLine();
    void randomGarbageNeverCrashes();
    void fuzzCorpus();
    void parallelMatchesExpected();
    void shapesAreShared();
    void summary();
    void cancel();
    void cancelFromProgress();
    void parseFileErrors();
    void mappedFileEndingMidToken_data();
    void mappedFileEndingMidToken();
    void errorToString();
    void httpFetchFields();
    void credentialsNeverInTheBatch();
    void oneUrlParser_data();
    void oneUrlParser();
    void skeletonsGiveTheFullParse();
    void urlTemplatesGiveTheFullParse();
    void bigBatchesKeepEveryIdAndUrl();
    void argumentListsGiveTheMadeBatchsParse_data();
    void argumentListsGiveTheMadeBatchsParse();
    void timingReport();
};

void TestBatchParser::goodInput_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QStringList>("expected");
    const QString jsonl = QStringLiteral("b.jsonl");

    // Fetch.
    QTest::newRow("url string") << QByteArray(R"({"fetch":"https://example.com/a?b=c"})") << jsonl
                                << QStringList{"1 url:https://example.com/a?b=c"};
    QTest::newRow("url is normalised and encoded")
            << QByteArray("{\"fetch\":\"HTTP://Example.COM/\xc3\xa4\"}") << jsonl
            << QStringList{"1 url:http://example.com/%C3%A4"};
    QTest::newRow("file url") << QByteArray(R"({"fetch":"file:///tmp/in%20put.txt"})") << jsonl
                              << QStringList{"1 url:file:///tmp/in%20put.txt"};
    QTest::newRow("url object with everything")
            << QByteArray(R"({"fetch":{"url":"http://127.0.0.1:8080/x","timeout_ms":500,)"
                          R"("max_bytes":1024,"headers":{"Accept":"text/plain","X-Key":"k 1"}}})")
            << jsonl
            << QStringList{"1 url:http://127.0.0.1:8080/x fetch_timeout:500 max_bytes:1024 "
                           "header:Accept=text/plain header:X-Key=k 1"};
    QTest::newRow("delay number") << QByteArray(R"({"fetch":{"delay_ms":250}})") << jsonl
                                  << QStringList{"1 delay:250-250"};
    QTest::newRow("delay range") << QByteArray(R"({"fetch":{"delay_ms":[10,20]}})") << jsonl
                                 << QStringList{"1 delay:10-20"};
    QTest::newRow("delay zero and max")
            << QByteArray("{\"fetch\":{\"delay_ms\":0}}\n{\"fetch\":{\"delay_ms\":[0,3600000]}}")
            << jsonl << QStringList{"1 delay:0-0", "2 delay:0-3600000"};
    QTest::newRow("delay fraction rounds")
            << QByteArray(R"({"fetch":{"delay_ms":1.6}})") << jsonl << QStringList{"1 delay:2-2"};
    QTest::newRow("delay with timeout") << QByteArray(R"({"fetch":{"delay_ms":5,"timeout_ms":3}})")
                                        << jsonl << QStringList{"1 delay:5-5 fetch_timeout:3"};
    QTest::newRow("delay that fails a share of attempts")
            << QByteArray("{\"fetch\":{\"delay_ms\":5,\"fail_rate\":0.25}}\n"
                          "{\"fetch\":{\"fail_rate\":1,\"delay_ms\":5}}\n"
                          "{\"fetch\":{\"delay_ms\":5,\"fail_rate\":0}}")
            << jsonl
            << QStringList{"1 delay:5-5 fail_ppm:250000", "2 delay:5-5 fail_ppm:1000000",
                           "3 delay:5-5"};

    // Compute.
    QTest::newRow("sum_to") << QByteArray(R"({"compute":{"op":"sum_to","n":5}})") << jsonl
                            << QStringList{"1 op:sum_to:0500000000000000"};
    QTest::newRow("sha256") << QByteArray(R"({"compute":{"op":"sha256","rounds":3}})") << jsonl
                            << QStringList{"1 op:sha256:03000000"};
    QTest::newRow("wordcount over a fetch")
            << QByteArray(R"({"compute":{"op":"wordcount","top":7},"fetch":"https://x.org/t"})")
            << jsonl << QStringList{"1 url:https://x.org/t op:wordcount:07000000"};
    QTest::newRow("compute keys in any order")
            << QByteArray(R"({"compute":{"n":5,"op":"sum_to"}})") << jsonl
            << QStringList{"1 op:sum_to:0500000000000000"};

    // Other fields.
    QTest::newRow("id, attempts, timeout")
            << QByteArray(R"({"id":"alpha","compute":{"op":"sum_to","n":1},)"
                          R"("max_attempts":3,"timeout_ms":1500})")
            << jsonl << QStringList{"alpha op:sum_to:0100000000000000 attempts:3 timeout:1500"};
    QTest::newRow("whitespace everywhere")
            << QByteArray("  { \"id\" : \"sp\" ,\t\"compute\" : {\"op\":\"sum_to\",\"n\":1} }  ")
            << jsonl << QStringList{"sp op:sum_to:0100000000000000"};
    QTest::newRow("unicode id")
            << QByteArray("{\"id\":\"na\xc3\xafve \xe2\x9c\x93\",\"fetch\":{\"delay_ms\":1}}")
            << jsonl << QStringList{QString::fromUtf8("na\xc3\xafve \xe2\x9c\x93 delay:1-1")};
    QTest::newRow("nulls mean not set")
            << QByteArray(R"({"fetch":null,"compute":{"op":"sum_to","n":1},)"
                          R"("max_attempts":null,"timeout_ms":null})")
            << jsonl << QStringList{"1 op:sum_to:0100000000000000"};
    QTest::newRow("default ids are line numbers")
            << QByteArray("\n{\"fetch\":{\"delay_ms\":1}}\n\n  \n{\"fetch\":{\"delay_ms\":2}}\n")
            << jsonl << QStringList{"2 delay:1-1", "5 delay:2-2"};
    QTest::newRow("numeric-looking explicit id")
            << QByteArray(R"({"id":"7","fetch":{"delay_ms":1}})") << jsonl
            << QStringList{"7 delay:1-1"};

    // Defaults.
    QTest::newRow("defaults apply and are overridden") << QByteArray(
            R"({"defaults":{"max_attempts":3,"timeout_ms":1000,"fetch":{"delay_ms":[1,5]}}})"
            "\n"
            R"({"compute":{"op":"sum_to","n":1}})"
            "\n"
            R"({"id":"b","max_attempts":5,"fetch":"https://x.org/"})"
            "\n"
            R"({"fetch":null,"compute":{"op":"sum_to","n":2},"max_attempts":null})")
                                                       << jsonl
                                                       << QStringList{
                                                                  "2 delay:1-5 "
                                                                  "op:sum_to:0100000000000000 "
                                                                  "attempts:3 timeout:1000",
                                                                  "b url:https://x.org/ attempts:5 "
                                                                  "timeout:1000",
                                                                  "4 op:sum_to:0200000000000000 "
                                                                  "timeout:1000"};
    QTest::newRow("defaults give the whole task")
            << QByteArray("{\"defaults\":{\"compute\":{\"op\":\"sha256\",\"rounds\":10}}}\n"
                          "{\"id\":\"a\"}\n{\"id\":\"b\"}\n")
            << jsonl << QStringList{"a op:sha256:0a000000", "b op:sha256:0a000000"};
    QTest::newRow("objects replace, not merge")
            << QByteArray("{\"defaults\":{\"compute\":{\"op\":\"sha256\",\"rounds\":10},"
                          "\"fetch\":{\"url\":\"http://a.org/\",\"timeout_ms\":9}}}\n"
                          "{\"compute\":{\"op\":\"sum_to\",\"n\":3},\"fetch\":{\"delay_ms\":4}}\n")
            << jsonl << QStringList{"2 delay:4-4 op:sum_to:0300000000000000"};
    QTest::newRow("defaults after blank lines")
            << QByteArray("\n \n{\"defaults\":{\"max_attempts\":2}}\n{\"fetch\":{\"delay_ms\":1}}")
            << jsonl << QStringList{"4 delay:1-1 attempts:2"};
    QTest::newRow("defaults only")
            << QByteArray("{\"defaults\":{\"max_attempts\":2}}\n") << jsonl << QStringList{};

    // Plain text.
    QTest::newRow("text with comments and blanks")
            << QByteArray("https://a.example/1\n# comment\n\n   \n  https://a.example/2  \r\n"
                          "\t# indented comment\nfile:///x")
            << QStringLiteral("urls.txt")
            << QStringList{"1 url:https://a.example/1", "5 url:https://a.example/2",
                           "7 url:file:///x"};
    QTest::newRow("text sniffed without suffix")
            << QByteArray("\n# list\nhttp://a.example/\n") << QStringLiteral("urls")
            << QStringList{"3 url:http://a.example/"};
    QTest::newRow("jsonl sniffed without suffix")
            << QByteArray("\n {\"fetch\":\"http://a.example/\"}\n") << QStringLiteral("tasks")
            << QStringList{"2 url:http://a.example/"};

    // Line endings and byte order marks.
    QTest::newRow("BOM and CRLF") << QByteArray(
            "\xef\xbb\xbf{\"fetch\":{\"delay_ms\":1}}\r\n{\"fetch\":{\"delay_ms\":2}}\r\n")
                                  << jsonl << QStringList{"1 delay:1-1", "2 delay:2-2"};
    QTest::newRow("no final newline")
            << QByteArray("{\"fetch\":{\"delay_ms\":1}}\n{\"fetch\":{\"delay_ms\":2}}") << jsonl
            << QStringList{"1 delay:1-1", "2 delay:2-2"};
    QTest::newRow("BOM before defaults") << QByteArray(
            "\xef\xbb\xbf{\"defaults\":{\"max_attempts\":4}}\r\n{\"fetch\":{\"delay_ms\":1}}")
                                         << jsonl << QStringList{"2 delay:1-1 attempts:4"};
    QTest::newRow("BOM before text")
            << QByteArray("\xef\xbb\xbfhttp://a.example/\r\n") << QStringLiteral("u")
            << QStringList{"1 url:http://a.example/"};
    QTest::newRow("empty") << QByteArray() << jsonl << QStringList{};
    QTest::newRow("blank lines only") << QByteArray("\r\n\n  \r\n") << jsonl << QStringList{};
}

void TestBatchParser::goodInput()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, fileName);
    QFETCH(QStringList, expected);
    const Batch batch = parse(data, fileName);
    QCOMPARE(errorStrings(batch), QStringList{});
    QCOMPARE(batch.errorCount, 0);
    QCOMPARE(describeAll(batch), expected);
    QCOMPARE(batch.path, fileName);
    QVERIFY(!batch.cancelled);
    checkInvariants(batch, 100);
}

void TestBatchParser::badInput_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QStringList>("errors");
    QTest::addColumn<QStringList>("tasks");
    const QString jsonl = QStringLiteral("b.jsonl");
    const QString fetchExpected = QStringLiteral(
            "expected \"fetch\" to be a URL string or an object with \"url\" or \"delay_ms\"");
    const QByteArray sum = R"("compute":{"op":"sum_to","n":1})";

    // JSON syntax: the column is Qt's parse error offset + 1.
    QTest::newRow("not json") << QByteArray("not json") << jsonl
                              << QStringList{"b.jsonl:1:2: invalid JSON: illegal value"}
                              << QStringList{};
    QTest::newRow("unterminated") << QByteArray(
            "{\"fetch\":{\"delay_ms\":1}}\n{\"fetch\":\"https://example.com/\"")
                                  << jsonl
                                  << QStringList{"b.jsonl:2:32: invalid JSON: unterminated string"}
                                  << QStringList{"1 delay:1-1"};
    QTest::newRow("trailing garbage")
            << QByteArray(R"({"fetch":"https://x.org/"} trailing)") << jsonl
            << QStringList{"b.jsonl:1:28: invalid JSON: garbage at the end of the document"}
            << QStringList{};
    QTest::newRow("array") << QByteArray("[1,2]") << jsonl
                           << QStringList{"b.jsonl:1:1: expected a JSON object per line, like "
                                          "{\"fetch\":\"https://example.com/\"}"}
                           << QStringList{};
    QTest::newRow("NUL byte") << QByteArray("{\"a\":\0}", 7) << jsonl
                              << QStringList{"b.jsonl:1:6: unexpected NUL byte (is this a "
                                             "binary file?)"}
                              << QStringList{};
    QTest::newRow("invalid UTF-8 in a string")
            << QByteArray("{\"id\":\"\xff\"," + sum + "}") << jsonl
            << QStringList{"b.jsonl:1:8: invalid JSON: invalid UTF8 string"} << QStringList{};
    QTest::newRow("invalid UTF-8 outside strings")
            << QByteArray("\xfe\xff") << jsonl
            << QStringList{"b.jsonl:1:2: invalid JSON: illegal value"} << QStringList{};
    QTest::newRow("url content in a .jsonl")
            << QByteArray("https://x.org/") << jsonl
            << QStringList{"b.jsonl:1:2: invalid JSON: illegal value"} << QStringList{};

    // Fetch.
    QTest::newRow("unsupported scheme")
            << QByteArray(R"({"fetch":"ftp://x/"})") << jsonl
            << QStringList{"b.jsonl:1:2: unsupported URL scheme \"ftp\" (expected http, https "
                           "or file)"}
            << QStringList{};
    QTest::newRow("relative url")
            << QByteArray(R"({"fetch":"example.com"})") << jsonl
            << QStringList{"b.jsonl:1:2: expected an absolute URL starting with http://, "
                           "https:// or file://, got \"example.com\""}
            << QStringList{};
    QTest::newRow("no host") << QByteArray(R"({"fetch":"http:///path"})") << jsonl
                             << QStringList{"b.jsonl:1:2: expected a host name in the URL "
                                            "\"http:///path\""}
                             << QStringList{};
    QTest::newRow("relative file url")
            << QByteArray(R"({"fetch":"file:rel"})") << jsonl
            << QStringList{"b.jsonl:1:2: expected an absolute path in the file URL "
                           "\"file:rel\", like file:///data/input.txt"}
            << QStringList{};
    QTest::newRow("invalid url")
            << QByteArray(R"({"fetch":{"url":"http://a b/"}})") << jsonl
            << QStringList{"b.jsonl:1:11: invalid URL \"http://a b/\": a space (write it as %20)"}
            << QStringList{};
    QTest::newRow("empty url") << QByteArray(R"({"fetch":""})") << jsonl
                               << QStringList{"b.jsonl:1:2: expected a URL, got an empty string"}
                               << QStringList{};
    QTest::newRow("fetch number") << QByteArray(R"({"fetch":42})") << jsonl
                                  << QStringList{"b.jsonl:1:2: " + fetchExpected} << QStringList{};
    QTest::newRow("fetch empty object")
            << QByteArray(R"({"id":"x", "fetch":{}})") << jsonl
            << QStringList{"b.jsonl:1:12: " + fetchExpected} << QStringList{};
    QTest::newRow("url and delay")
            << QByteArray(R"({"fetch":{"url":"http://a/","delay_ms":5}})") << jsonl
            << QStringList{"b.jsonl:1:29: \"fetch\" takes \"url\" or \"delay_ms\", not both"}
            << QStringList{};
    const QString delayExpected = QStringLiteral(
            "expected \"delay_ms\" to be a number of milliseconds from 0 to 3600000, or [min, "
            "max] with 0 <= min <= max <= 3600000");
    QTest::newRow("negative delay")
            << QByteArray(R"({"fetch":{"delay_ms":-1}})") << jsonl
            << QStringList{"b.jsonl:1:11: " + delayExpected} << QStringList{};
    QTest::newRow("reversed range")
            << QByteArray(R"({"fetch":{"delay_ms":[5,1]}})") << jsonl
            << QStringList{"b.jsonl:1:11: " + delayExpected} << QStringList{};
    QTest::newRow("short range") << QByteArray(R"({"fetch":{"delay_ms":[1]}})") << jsonl
                                 << QStringList{"b.jsonl:1:11: " + delayExpected} << QStringList{};
    QTest::newRow("delay over an hour")
            << QByteArray(R"({"fetch":{"delay_ms":3600001}})") << jsonl
            << QStringList{"b.jsonl:1:11: " + delayExpected} << QStringList{};
    QTest::newRow("delay string") << QByteArray(R"({"fetch":{"delay_ms":"5"}})") << jsonl
                                  << QStringList{"b.jsonl:1:11: " + delayExpected} << QStringList{};
    QTest::newRow("fetch timeout zero")
            << QByteArray(R"({"fetch":{"url":"http://a/","timeout_ms":0}})") << jsonl
            << QStringList{"b.jsonl:1:29: expected \"timeout_ms\" to be an integer from 1 to "
                           "86400000 (milliseconds)"}
            << QStringList{};
    QTest::newRow("max_bytes negative")
            << QByteArray(R"({"fetch":{"url":"http://a/","max_bytes":-5}})") << jsonl
            << QStringList{"b.jsonl:1:29: expected \"max_bytes\" to be a positive integer"}
            << QStringList{};
    const QString failRateExpected = QStringLiteral(
            "expected \"fail_rate\" to be a number from 0 to 1 (the share of attempts that fail)");
    QTest::newRow("fail_rate over 1")
            << QByteArray(R"({"fetch":{"delay_ms":1,"fail_rate":1.5}})") << jsonl
            << QStringList{"b.jsonl:1:24: " + failRateExpected} << QStringList{};
    QTest::newRow("fail_rate string")
            << QByteArray(R"({"fetch":{"delay_ms":1,"fail_rate":"0.1"}})") << jsonl
            << QStringList{"b.jsonl:1:24: " + failRateExpected} << QStringList{};
    QTest::newRow("fail_rate on a url")
            << QByteArray(R"({"fetch":{"url":"http://a/","fail_rate":0.1}})") << jsonl
            << QStringList{"b.jsonl:1:29: \"fail_rate\" only applies to a fetch with "
                           "\"delay_ms\""}
            << QStringList{};
    QTest::newRow("headers on a delay")
            << QByteArray(R"({"fetch":{"delay_ms":1,"headers":{}}})") << jsonl
            << QStringList{"b.jsonl:1:24: \"headers\" only applies to a fetch with \"url\""}
            << QStringList{};
    QTest::newRow("bad header name")
            << QByteArray(R"({"fetch":{"url":"http://a/","headers":{"Bad Name":"x"}}})") << jsonl
            << QStringList{"b.jsonl:1:40: invalid header name \"Bad Name\""} << QStringList{};
    QTest::newRow("header value with newline")
            << QByteArray(R"({"fetch":{"url":"http://a/","headers":{"X":"a\nb"}}})") << jsonl
            << QStringList{"b.jsonl:1:40: expected the value of header \"X\" to be a string "
                           "without line breaks or control characters"}
            << QStringList{};
    QTest::newRow("headers not an object")
            << QByteArray(R"({"fetch":{"url":"http://a/","headers":["X"]}})") << jsonl
            << QStringList{"b.jsonl:1:29: expected \"headers\" to be an object of header names "
                           "to string values"}
            << QStringList{};
    QTest::newRow("unknown fetch key")
            << QByteArray(R"({"fetch":{"url":"http://a/","bogus":1}})") << jsonl
            << QStringList{"b.jsonl:1:29: unknown key \"bogus\" in \"fetch\" (known: url, "
                           "delay_ms, fail_rate, timeout_ms, max_bytes, headers, method, body, "
                           "body_file, auth, decompress, max_redirects, http_version)"}
            << QStringList{};

    // Compute.
    QTest::newRow("compute string")
            << QByteArray(R"({"compute":"sum_to"})") << jsonl
            << QStringList{"b.jsonl:1:2: expected \"compute\" to be an object with \"op\" (one "
                           "of sum_to, sha256, wordcount, exec, call), like "
                           "{\"op\":\"sum_to\",\"n\":1000}"}
            << QStringList{};
    QTest::newRow("unknown op")
            << QByteArray(R"({"compute":{"op":"nope"}})") << jsonl
            << QStringList{"b.jsonl:1:13: unknown compute op \"nope\" (known: sum_to, sha256, "
                           "wordcount, exec, call)"}
            << QStringList{};
    QTest::newRow("no op") << QByteArray(R"({"compute":{"n":5}})") << jsonl
                           << QStringList{"b.jsonl:1:2: expected \"op\" in \"compute\" to be one "
                                          "of sum_to, sha256, wordcount, exec, call"}
                           << QStringList{};
    QTest::newRow("bad param points at it")
            << QByteArray(R"({"compute":{"op":"sum_to","n":-1}})") << jsonl
            << QStringList{"b.jsonl:1:27: expected \"n\" to be an integer from 0 to 4294967295"}
            << QStringList{};
    QTest::newRow("missing param points at compute")
            << QByteArray(R"({"id":"a","compute":{"op":"sum_to"}})") << jsonl
            << QStringList{"b.jsonl:1:11: expected \"n\" to be an integer from 0 to 4294967295"}
            << QStringList{};
    QTest::newRow("sum_to overflow")
            << QByteArray(R"({"compute":{"op":"sum_to","n":4294967296}})") << jsonl
            << QStringList{"b.jsonl:1:27: expected \"n\" to be an integer from 0 to 4294967295"}
            << QStringList{};
    QTest::newRow("unknown op param")
            << QByteArray(R"({"compute":{"op":"sha256","rounds":2,"round":1}})") << jsonl
            << QStringList{"b.jsonl:1:38: unknown key \"round\" for sha256 (expected \"op\" "
                           "and \"rounds\")"}
            << QStringList{};

    // Other fields.
    QTest::newRow("max_attempts zero")
            << QByteArray("{\"max_attempts\":0," + sum + "}") << jsonl
            << QStringList{"b.jsonl:1:2: expected \"max_attempts\" to be an integer from 1 to "
                           "100"}
            << QStringList{};
    QTest::newRow("max_attempts string")
            << QByteArray("{" + sum + ",\"max_attempts\":\"3\"}") << jsonl
            << QStringList{"b.jsonl:1:34: expected \"max_attempts\" to be an integer from 1 "
                           "to 100"}
            << QStringList{};
    QTest::newRow("timeout fraction")
            << QByteArray("{\"timeout_ms\":1.5," + sum + "}") << jsonl
            << QStringList{"b.jsonl:1:2: expected \"timeout_ms\" to be an integer from 1 to "
                           "86400000 (milliseconds per attempt)"}
            << QStringList{};
    QTest::newRow("id number") << QByteArray("{\"id\":5," + sum + "}") << jsonl
                               << QStringList{"b.jsonl:1:2: expected \"id\" to be a non-empty "
                                              "string"}
                               << QStringList{};
    QTest::newRow("id empty") << QByteArray("{\"id\":\"\"," + sum + "}") << jsonl
                              << QStringList{"b.jsonl:1:2: expected \"id\" to be a non-empty "
                                             "string"}
                              << QStringList{};
    QTest::newRow("unknown field")
            << QByteArray("{" + sum + ",\"colour\":\"red\"}") << jsonl
            << QStringList{"b.jsonl:1:34: unknown field \"colour\" (known fields: id, input, "
                           "fetch, compute, max_attempts, timeout_ms, slots, priority)"}
            << QStringList{};
    QTest::newRow("nothing to do") << QByteArray("{}\n{\"id\":\"x\"}") << jsonl
                                   << QStringList{"b.jsonl:1:1: expected \"fetch\" or "
                                                  "\"compute\": the task has nothing to do",
                                                  "b.jsonl:2:1: expected \"fetch\" or "
                                                  "\"compute\": the task has nothing to do"}
                                   << QStringList{};
    QTest::newRow("two problems on a line, by column")
            << QByteArray(R"({"max_attempts":0,"fetch":42})") << jsonl
            << QStringList{"b.jsonl:1:2: expected \"max_attempts\" to be an integer from 1 to "
                           "100",
                           "b.jsonl:1:19: " + fetchExpected}
            << QStringList{};

    // Defaults.
    QTest::newRow("defaults not first")
            << QByteArray("{" + sum + "}\n{\"defaults\":{}}") << jsonl
            << QStringList{"b.jsonl:2:2: \"defaults\" is only allowed on the first line, as "
                           "{\"defaults\":{...}}"}
            << QStringList{"1 op:sum_to:0100000000000000"};
    QTest::newRow("bad defaults: valid fields still apply")
            << QByteArray(R"({"defaults":{"max_attempts":3,"id":"x","bad":1,"timeout_ms":0},"x":1})"
                          "\n{"
                          + sum + "}")
            << jsonl
            << QStringList{"b.jsonl:1:31: \"id\" cannot have a default: every task has its own",
                           "b.jsonl:1:40: unknown field \"bad\" in \"defaults\" (known fields: "
                           "fetch, compute, max_attempts, timeout_ms, slots, priority)",
                           "b.jsonl:1:48: expected \"timeout_ms\" to be an integer from 1 to "
                           "86400000 (milliseconds per attempt)",
                           "b.jsonl:1:64: the first line may only contain \"defaults\", "
                           "\"programs\" and \"pacing\" (found \"x\"); put tasks on the "
                           "following lines"}
            << QStringList{"2 op:sum_to:0100000000000000 attempts:3"};
    QTest::newRow("defaults not an object")
            << QByteArray("{\"defaults\":5}") << jsonl
            << QStringList{"b.jsonl:1:2: expected \"defaults\" to be an object of task fields, "
                           "like {\"defaults\":{\"max_attempts\":3}}"}
            << QStringList{};

    // Plain text.
    QTest::newRow("text: bad urls")
            << QByteArray("ftp://x\n  http://a b/\nhttp://ok.example/\nhttp://\xff/\nrel/path\n")
            << QStringLiteral("u.txt")
            << QStringList{"u.txt:1:1: unsupported URL scheme \"ftp\" (expected http, https or "
                           "file)",
                           "u.txt:2:11: invalid URL \"http://a b/\": a space (write it as %20)",
                           "u.txt:4:8: invalid UTF-8",
                           "u.txt:5:1: expected an absolute URL starting with http://, https:// "
                           "or file://, got \"rel/path\""}
            << QStringList{"3 url:http://ok.example/"};
    QTest::newRow("text: json in a .txt")
            << QByteArray(R"({"fetch":"https://x.org/"})") << QStringLiteral("u.txt")
            << QStringList{"u.txt:1:1: expected an absolute URL starting with http://, https:// "
                           "or file://, got \"{\"fetch\":\"https://x.org/\"}\""}
            << QStringList{};
    QTest::newRow("text: NUL")
            << QByteArray("http://a\0b/", 11) << QStringLiteral("u.txt")
            << QStringList{"u.txt:1:9: unexpected NUL byte (is this a binary file?)"}
            << QStringList{};
}

void TestBatchParser::badInput()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, fileName);
    QFETCH(QStringList, errors);
    QFETCH(QStringList, tasks);
    const Batch batch = parse(data, fileName);
    QCOMPARE(errorStrings(batch), errors);
    QCOMPARE(batch.errorCount, errors.size());
    QCOMPARE(describeAll(batch), tasks);
    checkInvariants(batch, 100);
}

void TestBatchParser::duplicateIds_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QStringList>("errors");
    QTest::addColumn<QStringList>("ids");
    const QByteArray fetch = R"("fetch":{"delay_ms":1})";
    QTest::newRow("explicit twice")
            << QByteArray("{\"id\":\"a\"," + fetch + "}\n{" + fetch + ",\"id\":\"a\"}")
            << QStringList{"b.jsonl:2:25: duplicate id \"a\" (first used on line 1)"}
            << QStringList{"a"};
    QTest::newRow("three times")
            << QByteArray("{\"id\":\"a\"," + fetch + "}\n{\"id\":\"a\"," + fetch
                          + "}\n{\"id\":\"b\"," + fetch + "}\n{\"id\":\"a\"," + fetch + "}")
            << QStringList{"b.jsonl:2:2: duplicate id \"a\" (first used on line 1)",
                           "b.jsonl:4:2: duplicate id \"a\" (first used on line 1)"}
            << QStringList{"a", "b"};
    QTest::newRow("explicit after a line-number id")
            << QByteArray("{" + fetch + "}\n{\"id\":\"1\"," + fetch + "}")
            << QStringList{"b.jsonl:2:2: duplicate id \"1\" (first used on line 1)"}
            << QStringList{"1"};
    QTest::newRow("line-number id after explicit")
            << QByteArray("{\"id\":\"3\"," + fetch + "}\n\n{" + fetch + "}")
            << QStringList{"b.jsonl:3:1: duplicate id \"3\" (first used on line 1)"}
            << QStringList{"3"};
    QTest::newRow("a line-number id has no column, whatever \"id\" its line has")
            << QByteArray("{\"id\":\"3\"," + fetch
                          + "}\n\n{\"fetch\":{\"url\":\"http://h/\",\"headers\":{\"id\":\"v\"}}}")
            << QStringList{"b.jsonl:3:1: duplicate id \"3\" (first used on line 1)"}
            << QStringList{"3"};
    QTest::newRow("a line with errors still claims its id")
            << QByteArray("{\"id\":\"a\",\"fetch\":42}\n{\"id\":\"a\"," + fetch + "}")
            << QStringList{"b.jsonl:1:11: expected \"fetch\" to be a URL string or an object "
                           "with \"url\" or \"delay_ms\"",
                           "b.jsonl:2:2: duplicate id \"a\" (first used on line 1)"}
            << QStringList{};
    QTest::newRow("no collisions")
            << QByteArray("{\"id\":\"01\"," + fetch + "}\n{\"id\":\"x\"," + fetch
                          + "}\n\n{\"id\":"
                            "\"3\","
                          + fetch + "}\n{" + fetch + "}")
            << QStringList{} << QStringList{"01", "x", "3", "5"};
    QTest::newRow("ids are case sensitive")
            << QByteArray("{\"id\":\"A\"," + fetch + "}\n{\"id\":\"a\"," + fetch + "}")
            << QStringList{} << QStringList{"A", "a"};
}

void TestBatchParser::duplicateIds()
{
    QFETCH(QByteArray, data);
    QFETCH(QStringList, errors);
    QFETCH(QStringList, ids);
    const Batch batch = parse(data);
    QCOMPARE(errorStrings(batch), errors);
    QCOMPARE(batch.errorCount, errors.size());
    QStringList got;
    for (const TaskSpec &task : batch.tasks)
        got << task.id;
    QCOMPARE(got, ids);
    checkInvariants(batch, 100);
}

void TestBatchParser::manyLineNumberClashes()
{
    // Lines 1..n without ids, then lines with the ids "1".."n": every later line clashes.
    const int n = 30000;
    QByteArray data;
    for (int i = 1; i <= n; ++i)
        data += "{\"fetch\":{\"delay_ms\":1}}\n";
    for (int i = 1; i <= n; ++i)
        data += "{\"id\":\"" + QByteArray::number(i) + "\",\"fetch\":{\"delay_ms\":2}}\n";
    const Batch batch = parse(data, QStringLiteral("b.jsonl"), 3);
    QCOMPARE(batch.errorCount, qint64(n));
    QCOMPARE(batch.tasks.size(), n);
    QCOMPARE(errorStrings(batch),
             (QStringList{"b.jsonl:30001:2: duplicate id \"1\" (first used on line 1)",
                          "b.jsonl:30002:2: duplicate id \"2\" (first used on line 2)",
                          "b.jsonl:30003:2: duplicate id \"3\" (first used on line 3)"}));
    QCOMPARE(describe(batch.tasks.last()), QStringLiteral("30000 delay:1-1"));
    checkInvariants(batch, 3);
}

void TestBatchParser::lineCount_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("lines");
    QTest::newRow("empty") << QByteArray() << qint64(0);
    QTest::newRow("BOM only") << QByteArray("\xef\xbb\xbf") << qint64(0);
    QTest::newRow("one newline") << QByteArray("\n") << qint64(1);
    QTest::newRow("no final newline") << QByteArray("{}\n{}") << qint64(2);
    QTest::newRow("final newline") << QByteArray("{}\n{}\n") << qint64(2);
    QTest::newRow("CRLF") << QByteArray("{}\r\n{}\r\n\r\n") << qint64(3);
    QTest::newRow("defaults counted")
            << QByteArray("{\"defaults\":{}}\n{\"fetch\":{\"delay_ms\":1}}") << qint64(2);
}

void TestBatchParser::lineCount()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, lines);
    QCOMPARE(parse(data).lines, lines);
}

void TestBatchParser::defaultsText()
{
    const Batch batch
            = parse("  {\"defaults\": {\"max_attempts\": 2}}  \r\n{\"fetch\":\"http://a.org/\"}");
    QCOMPARE(batch.defaultsText, QStringLiteral("{\"defaults\": {\"max_attempts\": 2}}"));
    QCOMPARE(parse("{\"fetch\":\"http://a.org/\"}").defaultsText, QString());
}

void TestBatchParser::pacingOnTheFirstLine()
{
    const Batch batch
            = parse(R"({"defaults":{"priority":2},"pacing":{"rate":["a.org=10/s:burst=2",)"
                    R"("*=60/min"],"host_in_flight":4,"breaker":5}})"
                    "\n{\"fetch\":\"http://a.org/\"}\n"
                    R"({"fetch":"http://b.org/","priority":-3})");
    QVERIFY2(!batch.hasErrors(), qPrintable(batch.errors.value(0).toString()));
    QVERIFY(batch.hasPacing);
    QCOMPARE(batch.pacing.rates.size(), 2);
    QCOMPARE(batch.pacing.rates[0].host, QStringLiteral("a.org"));
    QCOMPARE(batch.pacing.rates[0].burst, 2);
    QCOMPARE(batch.pacing.rates[1].perSecond, 1.0);
    QCOMPARE(batch.pacing.hostInFlight, 4);
    QCOMPARE(batch.pacing.breakerFailures, 5);
    QCOMPARE(batch.tasks[0].shape->priority, 2);
    QCOMPARE(batch.tasks[1].shape->priority, -3);
    // The run's own settings win where it set them; rates add up, the run's last.
    HostPacing run;
    run.breakerFailures = 9;
    run.rates = {{QStringLiteral("a.org"), 1, 0}};
    const HostPacing merged = batch.pacing.under(run);
    QCOMPARE(merged.breakerFailures, 9);
    QCOMPARE(merged.hostInFlight, 4);
    QCOMPARE(merged.rateFor(QStringLiteral("http://a.org:80"))->perSecond, 1.0);
    QCOMPARE(merged.rateFor(QStringLiteral("http://c.org:80"))->perSecond, 1.0);
    QVERIFY(!parse("{\"fetch\":\"http://a.org/\"}").hasPacing);

    const Batch bad = parse(R"({"pacing":{"rate":"a.org=fast","breaker":-1,"speed":3}})"
                            "\n{\"fetch\":\"http://a.org/\"}",
                            QStringLiteral("b.jsonl"));
    QCOMPARE(bad.errors.size(), 3);
    QVERIFY2(bad.errors[0].toString().startsWith(QStringLiteral("b.jsonl:1:12: ")),
             qPrintable(bad.errors[0].toString()));
    QVERIFY(bad.errors[0].toString().contains(QStringLiteral("is not a rate")));
    QVERIFY(bad.errors[1].toString().contains(
            QStringLiteral("expected \"breaker\" to be an integer from 0 to 1000000")));
    QVERIFY(bad.errors[2].toString().contains(QStringLiteral("unknown field \"speed\"")));
    QCOMPARE(bad.pacing.breakerFailures, 0);
    QVERIFY(bad.pacing.rates.isEmpty());
}

void TestBatchParser::errorCapAndCount()
{
    QByteArray data;
    for (int i = 0; i < 250; ++i)
        data += "{}\n";
    const Batch batch = parse(data, QStringLiteral("b.jsonl"), 10);
    QCOMPARE(batch.errors.size(), 10);
    QCOMPARE(batch.errorCount, 250);
    QVERIFY(batch.hasErrors());
    for (int i = 0; i < 10; ++i)
        QCOMPARE(batch.errors[i].line, i + 1); // the first ones, in order
    QCOMPARE(parse(data, QStringLiteral("b.jsonl"), 0).errors.size(), 0);
}

void TestBatchParser::errorCapAcrossChunks()
{
    // Big enough for several chunks; errors and duplicates spread over all of them.
    QByteArray data;
    const int lines = 150000;
    qint64 expectedErrors = 0;
    QList<int> expectedLines;
    for (int i = 1; i <= lines; ++i) {
        if (i % 1000 == 0) {
            data += "{\"fetch\":42}\n";
        } else if (i % 1000 == 500) {
            data += "{\"id\":\"dup\",\"fetch\":{\"delay_ms\":1}}\n"; // first at line 500
        } else {
            data += "{\"id\":\"k" + QByteArray::number(i) + "\",\"fetch\":{\"delay_ms\":1}}\n";
            continue;
        }
        if (i != 500) {
            ++expectedErrors;
            expectedLines << i;
        }
    }
    QVERIFY(data.size() > 4 * 256 * 1024);
    const Batch batch = parse(data, QStringLiteral("b.jsonl"), 50);
    QCOMPARE(batch.errorCount, expectedErrors);
    QCOMPARE(batch.errors.size(), 50);
    for (int i = 0; i < 50; ++i)
        QCOMPARE(batch.errors[i].line, expectedLines[i]);
    QCOMPARE(batch.errors[1].toString(),
             QStringLiteral("b.jsonl:1500:2: duplicate id \"dup\" (first used on line 500)"));
    QCOMPARE(batch.tasks.size(), lines - 2 * (lines / 1000) + 1);
    checkInvariants(batch, 50);
}

void TestBatchParser::urlListAcrossChunks()
{
    // A URL list of several chunks, some URLs repeated, one bad: each task keeps its own
    // URL and line, and the summary counts every task once.
    QByteArray data;
    const int lines = 60000;
    for (int i = 1; i <= lines; ++i) {
        if (i == 40000)
            data += "not a url\n";
        else if (i % 1000 == 0)
            data += "# comment\n";
        else
            data += "https://example.com/p/" + QByteArray::number(i % 30000) + "\n";
    }
    QVERIFY(data.size() > 4 * 256 * 1024);
    const Batch batch = parse(data, QStringLiteral("urls.txt"));
    QCOMPARE(batch.errorCount, 1);
    QCOMPARE(batch.errors.first().line, 40000);
    const qsizetype expected = lines - lines / 1000;
    QCOMPARE(batch.tasks.size(), expected);
    QCOMPARE(batch.fetchKinds.value(QStringLiteral("https")), expected);
    qsizetype k = 0;
    for (int i = 1; i <= lines; ++i) {
        if (i == 40000 || i % 1000 == 0)
            continue;
        const TaskSpec &task = batch.tasks[k++];
        QCOMPARE(task.line, i);
        QCOMPARE(task.id, QString::number(i));
        QCOMPARE(task.shape->fetch.kind, FetchKind::Url);
        QCOMPARE(task.url(), "https://example.com/p/" + QByteArray::number(i % 30000));
    }
    // The lines differ only in their URLs: their tasks share a shape per parsed chunk (a
    // shape each cost ~150 bytes a task), each task's URL its own in the shape's list.
    QSet<const TaskShape *> shapes;
    for (const TaskSpec &task : batch.tasks)
        shapes.insert(task.shape.get());
    QVERIFY2(shapes.size() <= 64, qPrintable(QString::number(shapes.size())));
    QVERIFY(batch.tasks.first().shape->fetch.urls);
    checkInvariants(batch, 100);
}

void TestBatchParser::urlListTakenAsWritten()
{
    // After a plain URL of a host, other plain paths on it are taken as written; anything
    // else still gets libcurl's normalised form, which each task must have. Three hosts
    // take turns, as in a list that spreads its URLs over a few servers.
    const QList<QByteArray> tricky = {"http://example.com/a/../b",
                                      "http://example.com/a/./b",
                                      "http://example.com/a//b",
                                      "http://example.com/%41%2f",
                                      "http://example.com/x?y=1",
                                      "http://example.com/x?y=1&z=a-b.c_d~e",
                                      "http://example.com/x?",
                                      "http://example.com/x?a=b?c",
                                      "http://example.com/x?a=/b",
                                      "http://example.com/x?a=%41",
                                      "http://example.com/x?a+b",
                                      "http://example.com/x?a=1#f",
                                      "http://example.com/x?caf\xc3\xa9",
                                      "http://example.com/a/../b?y=1",
                                      "http://example.com/a//b?y=1",
                                      "http://example.com/?y=1",
                                      "http://example.com/x#frag",
                                      "http://example.com",
                                      "http://example.com:80/x",
                                      "http://EXAMPLE.com/x",
                                      "HTTP://example.com/x",
                                      "http://example.com/caf\xc3\xa9",
                                      "http://example.com/a b",
                                      "http://user@example.com/x",
                                      "http://example.com/x/",
                                      "http://example.com/",
                                      "http://example.com.evil/x",
                                      "file:///tmp/a/../b",
                                      "file:///tmp/x",
                                      "https://example.com/x",
                                      "http://example.com/~u/a.b-c_d",
                                      "http://example.com/a,b;c=d:e@f!g*h'i(j)k$l+m",
                                      "http://example.com/x?q=a,b;c:d@e!f*g'(h)$+/?i",
                                      "http://example.com/caf%C3%A9?q=%20%2B",
                                      "http://example.com/x?q=%2b",
                                      "http://example.com/%2e%2E/b",
                                      "http://example.com/a/%2E%2E/b",
                                      "http://example.com/a/%2E/b",
                                      "http://example.com/%7E",
                                      "http://example.com/%zz",
                                      "http://example.com/x%4",
                                      "http://example.com/x%4?q=1",
                                      "http://example.com/x?q=%",
                                      "http://example.com/x?q=%4",
                                      "http://example.com/x\\y",
                                      "http://example.com/x?q=a\"b",
                                      "http://example.com/x?q=<b>",
                                      "http://example.com:8080/x?y=1",
                                      "http://example.com:8080/a/../b",
                                      "http://example.com:8081/x"};
    QByteArray data;
    for (const QByteArray &url : tricky)
        data += "http://example.com/plain?k=1\nfile:///tmp/plain\nhttp://example.com:8080/p\n" + url
                + '\n';
    const Batch batch = parse(data, QStringLiteral("urls.txt"));
    qsizetype k = 0;
    int line = 0;
    for (const QByteArray &url : tricky) {
        k += 3;
        line += 4;
        const Url expected = Url::parse(url);
        if (!expected.isValid()) {
            QVERIFY2(std::any_of(batch.errors.begin(), batch.errors.end(),
                                 [&](const BatchError &e) { return e.line == line; }),
                     url.constData());
            continue;
        }
        QCOMPARE(batch.tasks[k].line, line);
        QCOMPARE(batch.tasks[k].url(), expected.encoded());
        ++k;
    }
    QCOMPARE(batch.tasks.size(), k);
    checkInvariants(batch, 100);
}

void TestBatchParser::hugeLine()
{
    QByteArray data = "{\"fetch\":{\"delay_ms\":1}}\n{\"id\":\"";
    data += QByteArray(2 * 1024 * 1024, 'x');
    data += "\",\"fetch\":{\"delay_ms\":1}}\n{\"fetch\":{\"delay_ms\":2}}";
    const Batch batch = parse(data);
    QCOMPARE(errorStrings(batch),
             QStringList{"b.jsonl:2:1: line too long (2097184 bytes; at most 1048576)"});
    QCOMPARE(describeAll(batch), (QStringList{"1 delay:1-1", "3 delay:2-2"}));

    // Just under the limit is fine.
    QByteArray id(1024 * 1024 - 100, 'y');
    const Batch ok = parse("{\"id\":\"" + id + "\",\"fetch\":{\"delay_ms\":1}}");
    QCOMPARE(ok.errorCount, 0);
    QCOMPARE(ok.tasks.size(), 1);
}

void TestBatchParser::randomGarbageNeverCrashes()
{
    const QList<QByteArray> seeds = {
            R"({"id":"a","fetch":{"url":"https://x.org/p","headers":{"A":"b"}},"max_attempts":3})",
            R"({"defaults":{"compute":{"op":"sha256","rounds":2},"timeout_ms":10}})",
            R"({"fetch":{"delay_ms":[1,2]},"compute":{"op":"wordcount","top":3}})",
            R"({"compute":{"op":"sum_to","n":10}})",
            "http://example.com/a\n# c\nfile:///x",
    };
    const QByteArray alphabet
            = "{}[]\":,0123456789 \t\r\n\\/-.eEabcdefhilmnoprstuxyz_#\x00\xff\xc3";
    QRandomGenerator random(424242);
    for (int round = 0; round < 3000; ++round) {
        QByteArray data;
        switch (round % 3) {
        case 0: // random bytes
            data.resize(qsizetype(random.bounded(300)));
            for (char &c : data)
                c = char(random.bounded(256));
            break;
        case 1: // JSON-ish characters
            data.resize(qsizetype(random.bounded(300)));
            for (char &c : data)
                c = alphabet[qsizetype(random.bounded(int(alphabet.size())))];
            break;
        default: // valid lines, mutated
            for (int i = 0; i < 4; ++i)
                data += seeds[qsizetype(random.bounded(int(seeds.size())))] + '\n';
            for (int m = 0; m < 1 + int(random.bounded(6)); ++m) {
                const qsizetype at = qsizetype(random.bounded(int(data.size())));
                switch (random.bounded(3)) {
                case 0:
                    data[at] = char(random.bounded(256));
                    break;
                case 1:
                    data.remove(at, 1 + qsizetype(random.bounded(5)));
                    break;
                default:
                    data.insert(at, alphabet[qsizetype(random.bounded(int(alphabet.size())))]);
                }
            }
        }
        for (const QString &name :
             {QStringLiteral("g.jsonl"), QStringLiteral("g.txt"), QStringLiteral("g")}) {
            const Batch batch = parse(data, name, 20);
            checkInvariants(batch, 20);
            if (QTest::currentTestFailed()) {
                qWarning() << "input:" << data.toHex();
                return;
            }
        }
    }
}

void TestBatchParser::fuzzCorpus()
{
    // The fuzzer's seed files: the valid ones parse cleanly, the others with errors.
    const QDir dir(QStringLiteral(BRIGADE_SOURCE_DIR "/tests/fuzz/corpus/batch"));
    const QStringList files = dir.entryList({QStringLiteral("*.jsonl")}, QDir::Files);
    QVERIFY(files.size() >= 5);
    for (const QString &name : files) {
        const Batch batch = BatchParser::parseFile(dir.filePath(name));
        checkInvariants(batch, 100);
        QVERIFY2(name.startsWith(u"valid") ? !batch.hasErrors() && !batch.tasks.isEmpty()
                                           : batch.hasErrors(),
                 qPrintable(name + QStringLiteral(": ") + errorStrings(batch).join(u'\n')));
    }
}

void TestBatchParser::parallelMatchesExpected()
{
    const int lines = 200000;
    const QByteArray data = generatedBatch(lines);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("big.jsonl"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(data), data.size());
    }

    QList<QPair<qint64, qint64>> progress;
    BatchParser::Options options;
    options.progress = [&](qint64 done, qint64 total) {
        progress.append({done, total});
    };
    const Batch batch = BatchParser::parseFile(path, options);

    QCOMPARE(errorStrings(batch), QStringList{});
    QCOMPARE(batch.lines, lines);
    QStringList expected;
    for (int i = 1; i <= lines; ++i) {
        const QString task = generatedTask(i);
        if (!task.isEmpty())
            expected << task;
    }
    const QStringList got = describeAll(batch);
    QCOMPARE(got.size(), expected.size());
    for (qsizetype i = 0; i < got.size(); ++i) {
        if (got[i] != expected[i])
            QFAIL(qPrintable(QStringLiteral("task %1: got \"%2\", expected \"%3\"")
                                     .arg(i)
                                     .arg(got[i], expected[i])));
    }
    checkInvariants(batch, 100);

    // Progress: from this thread, at most about once per percent, ending at the total.
    QVERIFY(!progress.isEmpty());
    QVERIFY(progress.size() <= 102);
    QCOMPARE(progress.last(), qMakePair(qint64(data.size()), qint64(data.size())));
    for (qsizetype i = 1; i < progress.size(); ++i)
        QVERIFY(progress[i].first >= progress[i - 1].first);

    // The same bytes from memory give the same batch.
    const Batch fromData = parse(data, path);
    QCOMPARE(describeAll(fromData), got);
}

void TestBatchParser::shapesAreShared()
{
    // Identical lines, equal shapes written differently or with other ids, and shapes from
    // the defaults line: one TaskShape each, across chunks.
    QByteArray data = "{\"defaults\":{\"max_attempts\":2}}\n";
    for (int i = 0; i < 60000; ++i) {
        data += "{\"compute\":{\"op\":\"sum_to\",\"n\":7}}\n";
        data += "{\"id\":\"i" + QByteArray::number(i)
                + "\",\"compute\":{\"n\":7,\"op\":\"sum_to\"}}\n";
        data += "{\"compute\":{\"op\":\"sum_to\",\"n\":7},\"max_attempts\":2}\n";
        data += "{\"fetch\":\"https://example.com/" + QByteArray::number(i % 3) + "\"}\n";
    }
    QVERIFY(data.size() > 4 * 1024 * 1024);
    const Batch batch = parse(data);
    QCOMPARE(batch.errorCount, 0);
    QCOMPARE(batch.tasks.size(), 4 * 60000);
    std::set<const TaskShape *> shapes;
    for (const TaskSpec &task : batch.tasks)
        shapes.insert(task.shape.get());
    QCOMPARE(shapes.size(), size_t(4)); // the sum_to one and three URLs
    QCOMPARE(batch.tasks[0].shape.get(), batch.tasks[1].shape.get());
    QCOMPARE(batch.tasks[0].shape.get(), batch.tasks[2].shape.get());
    QCOMPARE(batch.tasks[3].shape.get(), batch.tasks[15].shape.get()); // same URL
    QVERIFY(batch.tasks[3].shape.get() != batch.tasks[7].shape.get()); // another URL
}

void TestBatchParser::summary()
{
    const Batch batch
            = parse("{\"fetch\":\"https://a.org/\",\"compute\":{\"op\":\"sha256\",\"rounds\":1}}\n"
                    "{\"fetch\":\"http://a.org/\"}\n"
                    "{\"fetch\":\"file:///a\",\"compute\":{\"op\":\"wordcount\",\"top\":1}}\n"
                    "{\"fetch\":{\"delay_ms\":1},\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n"
                    "{\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n"
                    "{\"id\":\"x\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n"
                    "{\"id\":\"x\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n");
    QCOMPARE(batch.errorCount, 1); // the duplicate is not counted in the summary
    const QMap<QString, qint64> kinds{
            {"https", 1}, {"http", 1}, {"file", 1}, {"delay", 1}, {"none", 2}};
    const QMap<QString, qint64> ops{{"sha256", 1}, {"none", 1}, {"wordcount", 1}, {"sum_to", 3}};
    QCOMPARE(batch.fetchKinds, kinds);
    QCOMPARE(batch.computeOps, ops);
}

void TestBatchParser::cancel()
{
    std::atomic_bool cancel{true};
    BatchParser::Options options;
    options.cancel = &cancel;
    const Batch small
            = BatchParser::parseData("{\"fetch\":\"https://a.org/\"}", "c.jsonl", options);
    QVERIFY(small.cancelled);
    QVERIFY(small.tasks.isEmpty());

    const Batch big = BatchParser::parseData(generatedBatch(100000), "c.jsonl", options);
    QVERIFY(big.cancelled);
    QVERIFY(big.tasks.isEmpty());
    QCOMPARE(big.errorCount, 0);
}

void TestBatchParser::cancelFromProgress()
{
    std::atomic_bool cancel{false};
    int calls = 0;
    BatchParser::Options options;
    options.cancel = &cancel;
    options.progress = [&](qint64 done, qint64 total) {
        ++calls;
        if (done < total)
            cancel = true;
    };
    const Batch batch = BatchParser::parseData(generatedBatch(200000), "c.jsonl", options);
    QVERIFY(batch.cancelled);
    QVERIFY(batch.tasks.isEmpty());
    QVERIFY(calls >= 1);
}

void TestBatchParser::parseFileErrors()
{
    const Batch missing = BatchParser::parseFile(QStringLiteral("/nonexistent/dir/b.jsonl"));
    QCOMPARE(missing.errorCount, 1);
    QCOMPARE(missing.errors.size(), 1);
    QCOMPARE(missing.errors[0].line, 0);
    QVERIFY2(missing.errors[0].toString().startsWith(
                     QStringLiteral("/nonexistent/dir/b.jsonl: cannot open: ")),
             qPrintable(missing.errors[0].toString()));

    QTemporaryDir dir;
    const QString empty = dir.filePath(QStringLiteral("empty.jsonl"));
    QFile file(empty);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const Batch batch = BatchParser::parseFile(empty);
    QCOMPARE(batch.errorCount, 0);
    QCOMPARE(batch.tasks.size(), 0);
    QCOMPARE(batch.lines, 0);
    QCOMPARE(batch.path, empty);
}

void TestBatchParser::mappedFileEndingMidToken_data()
{
    QTest::addColumn<QByteArray>("tail");
    QTest::addColumn<QString>("error");
    QTest::newRow("number") << QByteArray("{\"fetch\":{\"delay_ms\":1")
                            << QStringLiteral("invalid JSON: invalid termination by number");
    QTest::newRow("string") << QByteArray("{\"id\":\"abc")
                            << QStringLiteral("invalid JSON: unterminated string");
    QTest::newRow("literal") << QByteArray("{\"fetch\":nul")
                             << QStringLiteral("invalid JSON: illegal value");
    QTest::newRow("escape") << QByteArray("{\"id\":\"\\")
                            << QStringLiteral("invalid JSON: "
                                              "unterminated string");
}

void TestBatchParser::mappedFileEndingMidToken()
{
    // A file of exactly one page, mapped, ending in the middle of a token: the parser must
    // not read past the end of the mapping.
    QFETCH(QByteArray, tail);
    QFETCH(QString, error);
    QByteArray data;
    const QByteArray line = "{\"fetch\":{\"delay_ms\":1}}\n";
    while (data.size() + line.size() + tail.size() <= 4096)
        data += line;
    data += QByteArray(4096 - data.size() - tail.size(), ' ');
    data += tail;
    QCOMPARE(data.size(), 4096);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("page.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(data), data.size());
    file.close();
    const Batch batch = BatchParser::parseFile(path);
    QCOMPARE(batch.errorCount, 1);
    QCOMPARE(batch.errors[0].line, int(batch.lines));
    QCOMPARE(batch.errors[0].message, error);
    QCOMPARE(batch.tasks.size(), batch.lines - 1);
}

void TestBatchParser::httpFetchFields()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile body(dir.filePath(QStringLiteral("body.json")));
    QVERIFY(body.open(QIODevice::WriteOnly));
    body.write("{\"a\":1}");
    body.close();
    const BatchBeside batch(dir);

    batch.expectTasks(R"({"fetch":{"url":"http://a/","method":"HEAD"}})",
                      QStringList{"1 url:http://a/ method:HEAD"});
    batch.expectTasks(R"({"fetch":{"url":"http://a/","method":"POST","body":"x=1"}})",
                      QStringList{"1 url:http://a/ method:POST body:x=1"});
    // body_file is relative to the batch file, and read by the worker when it sends.
    batch.expectTasks(R"({"fetch":{"url":"http://a/","method":"PUT","body_file":"body.json"}})",
                      QStringList{"1 url:http://a/ method:PUT body_file:body.json"});
    batch.expectTasks(R"({"fetch":{"url":"https://a/","decompress":false,"max_redirects":0,)"
                      R"("http_version":"1.1"}})",
                      QStringList{"1 url:https://a/ raw redirects:0 http:1"});
    batch.expectTasks(R"({"fetch":{"url":"https://a/","http_version":"2-prior-knowledge"}})",
                      QStringList{"1 url:https://a/ http:3"});
    // Equal options share a shape; different ones do not.
    const Batch shared
            = BatchParser::parseData("{\"fetch\":{\"url\":\"http://a/\",\"method\":\"HEAD\"}}\n"
                                     "{\"fetch\":{\"method\":\"HEAD\",\"url\":\"http://a/\"}}\n"
                                     "{\"fetch\":{\"url\":\"http://a/\",\"method\":\"GET\"}}\n",
                                     batch.file, {});
    QCOMPARE(shared.tasks.size(), 3);
    QCOMPARE(shared.tasks[0].shape.get(), shared.tasks[1].shape.get());
    QVERIFY(shared.tasks[0].shape.get() != shared.tasks[2].shape.get());

    batch.expectErrors(R"({"fetch":{"url":"http://a/","method":"DELETE"}})",
                       QStringList{"1:29: expected \"method\" to be one of GET, HEAD, POST, PUT"});
    batch.expectErrors(R"({"fetch":{"url":"http://a/","body":"x"}})",
                       QStringList{"1:29: a body is sent with \"method\": \"POST\" or \"PUT\""});
    batch.expectErrors(R"({"fetch":{"url":"http://a/","method":"POST","body":"x",)"
                       R"("body_file":"body.json"}})",
                       QStringList{"1:56: \"fetch\" takes \"body\" or \"body_file\", not both"});
    batch.expectErrors(R"({"fetch":{"url":"http://a/","method":"POST","body_file":"nope"}})",
                       QStringList{QStringLiteral("1:45: cannot read \"%1\" (no such file)")
                                           .arg(dir.filePath(QStringLiteral("nope")))});
    batch.expectErrors(R"({"fetch":{"url":"http://a/","decompress":"yes"}})",
                       QStringList{"1:29: expected \"decompress\" to be true or false"});
    batch.expectErrors(
            (R"({"fetch":{"url":"http://a/","max_redirects":101}})"),
            QStringList{"1:29: expected \"max_redirects\" to be an integer from 0 to 100"});
    batch.expectErrors(R"({"fetch":{"url":"http://a/","http_version":"3"}})",
                       QStringList{"1:29: expected \"http_version\" to be \"1.1\", \"2\" or "
                                   "\"2-prior-knowledge\""});
    batch.expectErrors(R"({"fetch":{"delay_ms":1,"method":"HEAD"}})",
                       QStringList{"1:24: \"method\" only applies to a fetch with \"url\""});
    batch.expectErrors(R"({"fetch":{"url":"file:///x","method":"HEAD"}})",
                       QStringList{"1:29: \"method\" only applies to http and https URLs"});
    // Framing headers are the client's; the check is the one the client itself makes.
    batch.expectErrors(
            (R"({"fetch":{"url":"http://a/","headers":{"Content-Length":"5"}}})"),
            QStringList{"1:40: header \"Content-Length\" is set by Brigade from the request "
                        "body"});
}

void TestBatchParser::credentialsNeverInTheBatch()
{
    // Secrets come from the environment (or a netrc file) when the batch loads: the batch,
    // which the journal copies, holds only their names.
    qputenv("BRIGADE_TEST_TOKEN", "Bearer t0ken");
    qputenv("BRIGADE_TEST_PASSWORD", "pa55");
    qunsetenv("BRIGADE_TEST_UNSET");
    QTemporaryDir dir;
    QFile netrc(dir.filePath(QStringLiteral("netrc")));
    QVERIFY(netrc.open(QIODevice::WriteOnly));
    netrc.write("machine a login u password p\n");
    netrc.close();
    const BatchBeside batch(dir);
    batch.expectTasks(
            (R"({"fetch":{"url":"http://a/","headers":{"Authorization":)"
             R"({"env":"BRIGADE_TEST_TOKEN"},"X-A":"1"}}})"),
            QStringList{"1 url:http://a/ header:X-A=1 secret:Authorization=Bearer t0ken"});
    batch.expectTasks(R"({"fetch":{"url":"http://a/","auth":{"user":"bob",)"
                      R"("password_env":"BRIGADE_TEST_PASSWORD"}}})",
                      QStringList{"1 url:http://a/ auth:bob:pa55"});
    batch.expectTasks(R"({"fetch":{"url":"http://a/","auth":{"netrc":"netrc"}}})",
                      QStringList{"1 url:http://a/ netrc:netrc"});
    batch.expectTasks(R"({"fetch":{"url":"http://a/","auth":{"netrc":true}}})",
                      QStringList{"1 url:http://a/ netrc:"});

    batch.expectErrors(
            (R"({"fetch":{"url":"http://a/","headers":{"Cookie":"s=1"}}})"),
            QStringList{"1:40: header \"Cookie\" holds credentials, and the batch is copied "
                        "into the run's journal: put the value in an environment variable and "
                        "write {\"env\": \"NAME\"}"});
    const QStringList lowerCase
            = batch.errors(R"({"fetch":{"url":"http://a/","headers":{"authorization":"x"}}})");
    QCOMPARE(lowerCase.size(), 1);
    batch.expectErrors(
            (R"({"fetch":{"url":"http://a/","headers":{"X":{"env":"BRIGADE_TEST_UNSET"}}}})"),
            QStringList{"1:40: the environment variable \"BRIGADE_TEST_UNSET\" for header "
                        "\"X\" is not set"});
    batch.expectErrors(
            (R"({"fetch":{"url":"http://a/","auth":{"user":"bob","password":"pa55"}}})"),
            QStringList{"1:50: a password written in the batch would be copied into the run's "
                        "journal: put it in an environment variable and name that with "
                        "\"password_env\", or use \"netrc\""});
    batch.expectErrors(
            (R"({"fetch":{"url":"http://a/","auth":{"password_env":"BRIGADE_TEST_PASSWORD"}}})"),
            QStringList{"1:29: expected \"user\" (or \"user_env\") in \"auth\""});
    batch.expectErrors(R"({"fetch":{"url":"http://a/","auth":{"user":"bob","password_env":)"
                       R"("BRIGADE_TEST_UNSET"}}})",
                       QStringList{"1:50: the environment variable \"BRIGADE_TEST_UNSET\" for "
                                   "\"password_env\" is not set"});
    batch.expectErrors(
            (R"({"fetch":{"url":"http://a/","auth":"netrc"}})"),
            QStringList{"1:29: expected \"auth\" to be {\"user\": \"NAME\", \"password_env\": "
                        "\"VARIABLE\"} or {\"netrc\": true}"});
    // An unset variable is reported, and the task is still made (flagged, so its fetch
    // fails saying why): a journal's copy of the batch, reopened where the variable is not
    // set, gives the same rows, which the journal's results refer to.
    const Batch unset = BatchParser::parseData(
            "{\"fetch\":{\"url\":\"http://a/\",\"headers\":{\"X\":{\"env\":"
            "\"BRIGADE_TEST_UNSET\"}}}}\n{\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n",
            batch.file, {});
    QCOMPARE(unset.errorCount, 1);
    QCOMPARE(unset.tasks.size(), 2);
    QCOMPARE(unset.tasks[0].shape->fetch.http().unsetVariable, QByteArray("BRIGADE_TEST_UNSET"));
    QVERIFY(unset.tasks[0].shape->fetch.secretHeaders().isEmpty());
    QCOMPARE(unset.tasks[1].line, 2);
    // A URL with credentials in it is refused where it is written, not when fetched.
    batch.expectErrors(
            (R"({"fetch":"http://bob:pa55@a/"})"),
            QStringList{"1:2: invalid URL \"http://bob:pa55@a/\": a user name or password in "
                        "a URL would be kept in the journal; use \"auth\""});
    qunsetenv("BRIGADE_TEST_TOKEN");
    qunsetenv("BRIGADE_TEST_PASSWORD");
}

void TestBatchParser::oneUrlParser_data()
{
    // The rules of net/Url, which the worker's fetch applies too: what loads is fetched as
    // loaded.
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("result");
    QTest::newRow("ipv6") << QByteArray("http://[::1]:8080/x") << "1 url:http://[::1]:8080/x";
    QTest::newRow("idn") << QByteArray("http://b\xc3\xbc"
                                       "cher.example/")
                         << "1 url:http://xn--bcher-kva.example/";
    QTest::newRow("fragment dropped")
            << QByteArray("http://a/p?q=1#frag") << "1 url:http://a/p?q=1";
    QTest::newRow("dot segments") << QByteArray("http://a/b/../c") << "1 url:http://a/c";
    QTest::newRow("one slash") << QByteArray("http:/a/x")
                               << "urls.txt:1:1: expected a host name in the URL \"http:/a/x\"";
    QTest::newRow("port 0") << QByteArray("http://a:0/")
                            << "urls.txt:1:1: invalid URL \"http://a:0/\": expected a port from 1 "
                               "to 65535";
    QTest::newRow("big port") << QByteArray("http://a:65536/")
                              << "urls.txt:1:1: invalid URL \"http://a:65536/\": expected a port "
                                 "from 1 to 65535";
    QTest::newRow("bad ipv6") << QByteArray("http://[::1/")
                              << "urls.txt:1:1: invalid URL \"http://[::1/\": invalid IPv6 address";
    QTest::newRow("user info") << QByteArray("https://u@a/")
                               << "urls.txt:1:10: invalid URL \"https://u@a/\": a user name or "
                                  "password in a URL would be kept in the journal; use \"auth\"";
    QTest::newRow("remote file") << QByteArray("file://server/x")
                                 << "urls.txt:1:1: expected a file URL naming a file on this "
                                    "machine, like file:///data/input.txt, got "
                                    "\"file://server/x\"";
    QTest::newRow("host:port") << QByteArray("localhost:8080/x")
                               << "urls.txt:1:1: expected an absolute URL starting with http://, "
                                  "https:// or file://, got \"localhost:8080/x\"";
}

void TestBatchParser::oneUrlParser()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, result);
    const Batch batch = parse(line, QStringLiteral("urls.txt"));
    QCOMPARE(batch.errors.isEmpty() ? describeAll(batch) : errorStrings(batch),
             QStringList{result});
}

void TestBatchParser::errorToString()
{
    QCOMPARE((BatchError{"f.jsonl", 3, 7, "bad"}).toString(), QStringLiteral("f.jsonl:3:7: bad"));
    QCOMPARE((BatchError{"f.jsonl", 3, 0, "bad"}).toString(), QStringLiteral("f.jsonl:3: bad"));
    QCOMPARE((BatchError{"f.jsonl", 0, 0, "gone"}).toString(), QStringLiteral("f.jsonl: gone"));
    QCOMPARE((BatchError{"%1.jsonl", 1, 2, "%2"}).toString(), QStringLiteral("%1.jsonl:1:2: %2"));
}

void TestBatchParser::skeletonsGiveTheFullParse()
{
    // Lines that share a skeleton with a clean line parsed before them, but whose own
    // strings or bytes differ: each must come out as the full parse of it alone (its line
    // number kept by blank lines before it) does, tasks and messages alike.
    const QList<QByteArray> lines{
            R"({"id":"a1","compute":{"op":"sum_to","n":1}})",
            R"({"id":"a2","compute":{"op":"sum_to","n":1}})",
            R"({"id":"","compute":{"op":"sum_to","n":1}})",
            R"({"id":"a\u0033","compute":{"op":"sum_to","n":1}})",
            R"({"id":"a4","compute":{"op":"sum_to","n":1}} 1)",
            R"({"id":"a5","compute":{"op":"nope","n":1}})",
            R"({"id":"a6","compute":{"op":"nope","n":1}})",
            R"({"id":"a7","input":"","compute":{"op":"sum_to","n":1}})",
            R"({"id":"a8","input":"x y","compute":{"op":"sum_to","n":1}})",
            R"({"id":"a9","input":"x\ty","compute":{"op":"sum_to","n":1}})",
            R"({"input":"z","compute":{"op":"sum_to","n":1}})",
            R"({"input":"w","compute":{"op":"sum_to","n":1}})",
            "{\"id\":\"caf\xc3\xa9\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}",
            "{\"id\":\"b\xff\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}",
            R"({"id":"a1","compute":{"op":"sum_to","n":1}})",
            R"({"id":"12","compute":{"op":"sum_to","n":1}})",
    };
    QByteArray data = "{\"defaults\":{\"max_attempts\":2}}\n";
    for (const QByteArray &line : lines)
        data += line + '\n';
    const Batch batch = parse(data);

    QStringList expectedTasks, expectedErrors;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray alone
                = "{\"defaults\":{\"max_attempts\":2}}\n" + QByteArray(i, '\n') + lines[i] + '\n';
        const Batch one = parse(alone);
        expectedTasks += describeAll(one);
        expectedErrors += errorStrings(one);
    }
    // What only the whole batch can know: ids used twice, and a line number used as an id.
    expectedTasks.removeAt(expectedTasks.size() - 2); // line 16, a1 again
    expectedTasks.removeLast();                       // line 17, "12" is line 12's id
    expectedErrors << "b.jsonl:16:2: duplicate id \"a1\" (first used on line 2)"
                   << "b.jsonl:17:2: duplicate id \"12\" (first used on line 12)";
    QCOMPARE(describeAll(batch), expectedTasks);
    QCOMPARE(errorStrings(batch), expectedErrors);
    QCOMPARE(expectedErrors.size(), 7); // the bad lines really are bad
    QCOMPARE(batch.tasks.at(3).input, QString(""));
    QVERIFY(!batch.tasks.at(3).input.isNull());
    QCOMPARE(batch.tasks.at(4).input, QString("x y"));
    QVERIFY(batch.tasks.at(0).input.isNull());
}

void TestBatchParser::bigBatchesKeepEveryIdAndUrl()
{
    // Batches of many chunks, large enough for the arenas of large blocks that a thread's
    // chunks fill in turn (and the URL lists' shared region): every task keeps its own id
    // and URL, whichever chunk and thread made it.
    const auto url = [](int i) {
        return "http://127.0.0.1:" + QByteArray::number(8080 + i % 4) + "/item/"
               + QByteArray::number(i) + "?id=" + QByteArray::number(i);
    };
    constexpr int Lines = 120000;
    QByteArray json, text;
    for (int i = 0; i < Lines; ++i) {
        json += R"({"id":"u)" + QByteArray::number(i) + R"(","fetch":")" + url(i)
                + R"(","compute":{"op":"sha256","rounds":1}})" + '\n';
    }
    for (int i = 0; i < 2 * Lines; ++i)
        text += url(i) + '\n';
    QVERIFY(json.size() > 8 * 1024 * 1024);
    QVERIFY(text.size() > 8 * 1024 * 1024);
    const Batch fromJson = parse(json);
    QCOMPARE(fromJson.errorCount, 0);
    QCOMPARE(fromJson.tasks.size(), Lines);
    const Batch fromText = parse(text, QStringLiteral("urls.txt"));
    QCOMPARE(fromText.errorCount, 0);
    QCOMPARE(fromText.tasks.size(), 2 * Lines);
    for (int i = 0; i < Lines; ++i) {
        QCOMPARE(fromJson.tasks[i].id, QStringLiteral("u%1").arg(i));
        QCOMPARE(fromJson.tasks[i].url(), url(i));
    }
    for (int i = 0; i < 2 * Lines; ++i) {
        QCOMPARE(fromText.tasks[i].id, QString::number(i + 1));
        QCOMPARE(fromText.tasks[i].url(), url(i));
    }
    checkInvariants(fromJson, 100);
    checkInvariants(fromText, 100);
}

void TestBatchParser::argumentListsGiveTheMadeBatchsParse_data()
{
    QTest::addColumn<QByteArray>("list");
    QTest::addColumn<QStringList>("command");
    const QStringList echo{QStringLiteral("echo")};
    const QStringList shell{QStringLiteral("sh"), QStringLiteral("-c"),
                            QStringLiteral("echo {} {x}")};
    QTest::newRow("plain") << QByteArray("a\nb c\n/data/set1/file-1.csv\n") << echo;
    QTest::newRow("placeholder in the command") << QByteArray("a\nb\n") << shell;
    QTest::newRow("no final newline") << QByteArray("a\nb") << echo;
    QTest::newRow("empty list") << QByteArray() << echo;
    QTest::newRow("one empty line") << QByteArray("\n") << echo;
    QTest::newRow("blank lines") << QByteArray("\n\na\n \n\n") << echo;
    QTest::newRow("crlf") << QByteArray("a\r\nb\r\n\r\n") << echo;
    QTest::newRow("cr inside") << QByteArray("a\rb\n") << echo;
    QTest::newRow("quotes and backslashes") << QByteArray("say \"hi\"\nC:\\dir\\f\n\\\n") << shell;
    QTest::newRow("tabs and controls") << QByteArray("a\tb\n\x01x\n\x7f\nx\x1f\n") << echo;
    QTest::newRow("controls first") << QByteArray("\x01\nplain\n") << echo;
    QTest::newRow("utf-8") << QByteArray(
            "caf\xc3\xa9\nna\xc3\xafve/\xe6\x96\x87.txt\n\xf0\x9f\x98\x80\n")
                           << echo;
    QTest::newRow("noncharacters and separators")
            << QByteArray("plain\n\xef\xbf\xbe\n\xef\xbf\xbf\n\xf4\x8f\xbf\xbf\n\xe2\x80\xa8\n")
            << echo;
    QTest::newRow("not utf-8") << QByteArray("plain\n\xff\xfe\n\xc3\n\xed\xa0\x80\n\xc0\xaf\nok\n")
                               << echo;
    QTest::newRow("nul") << QByteArray("plain\na\0b\n\0\n", 13) << echo;
    QTest::newRow("byte order mark first") << QByteArray("\xef\xbb\xbf"
                                                         "a\nb\n")
                                           << echo;
    // Found by the fuzzer: a later line's mark before a character the batch escapes.
    QTest::newRow("byte order marks beginning later lines")
            << QByteArray("a\n\xef\xbb\xbf\"\n\xef\xbb\xbf\\\n\xef\xbb\xbf"
                          "b\nc\xef\xbb\xbf\"\n")
            << echo;
    QTest::newRow("braces") << QByteArray("{}\n{x}\n{\"id\":\"1\"}\n") << shell;
    QTest::newRow("long lines") << QByteArray("a\n") + QByteArray(70 * 1024, 'x') + '\n'
                                           + QByteArray(200 * 1024, '"') + '\n'
                                           + QByteArray(1100 * 1024, 'y') + "\nb\n"
                                << echo;
    // Many chunks, each learning its shape: a line of each kind now and then.
    QByteArray big;
    for (int i = 0; i < 60000; ++i) {
        big += "/data/set" + QByteArray::number(i % 97) + "/file-" + QByteArray::number(i);
        if (i % 1000 == 7)
            big += "\t\xc3\xa9\"\\";
        if (i % 5000 == 9)
            big += "\xff";
        big += i % 3 == 0 ? "\r\n" : "\n";
    }
    QTest::newRow("many chunks") << big << shell;
}

void TestBatchParser::argumentListsGiveTheMadeBatchsParse()
{
    // brigade run LIST -- PROG reads its list without making the batch it journals; a
    // resume parses that batch. Both must give the same tasks, lines and messages, or the
    // resumed run's rows would not be the first run's.
    QFETCH(QByteArray, list);
    QFETCH(QStringList, command);
    const QString name = QStringLiteral("/tmp/list.txt.jsonl");
    const QString cwd = QStringLiteral("/tmp");
    const Batch made = BatchParser::parseData(CommandLineBatch::make(list, command, cwd), name);
    const Batch direct = BatchParser::parseArgumentList(
            list, CommandLineBatch::defaultsLine(command, cwd), name);
    QCOMPARE(direct.tasks.size(), made.tasks.size());
    for (qsizetype i = 0; i < made.tasks.size(); ++i) {
        const TaskSpec &a = direct.tasks[i];
        const TaskSpec &b = made.tasks[i];
        QCOMPARE(a.id, b.id);
        QCOMPARE(a.line, b.line);
        QCOMPARE(a.input.isNull(), b.input.isNull());
        QCOMPARE(a.input.toString(), b.input.toString());
        QCOMPARE(BatchLineParser::shapeKey(*a.shape), BatchLineParser::shapeKey(*b.shape));
    }
    QCOMPARE(errorStrings(direct), errorStrings(made));
    QCOMPARE(direct.errorCount, made.errorCount);
    QCOMPARE(direct.lines, made.lines);
    QCOMPARE(direct.lastLineOpen, made.lastLineOpen);
    QCOMPARE(direct.defaultsText, made.defaultsText);
    QCOMPARE(direct.computeOps, made.computeOps);
    QCOMPARE(direct.commands, made.commands);
    QCOMPARE(direct.fetchKinds, made.fetchKinds);
    checkInvariants(direct, 100);
}

void TestBatchParser::urlTemplatesGiveTheFullParse()
{
    // JSON lines alike but for their ids and "fetch" URLs share a shape per host that
    // holds their URLs, once a full parse of one took its URL as written. Each line must
    // still come out as its full parse alone does: URLs libcurl rewrites, bad URLs and
    // other hosts take the full parse.
    QList<QByteArray> lines;
    const auto line = [](const QByteArray &id, const QByteArray &url) {
        return R"({"id":")" + id + R"(","fetch":")" + url
               + R"(","compute":{"op":"sha256","rounds":1}})";
    };
    for (int i = 0; i < 40; ++i) {
        const QByteArray n = QByteArray::number(i);
        switch (i % 8) {
        case 0:
            lines << line("h" + n, "http://a.example:8080/item/" + n + "?q=size%3A" + n);
            break;
        case 1:
            lines << line("s" + n, "https://b.example/p/" + n);
            break;
        case 2:
            lines << line("r" + n, "http://a.example:8080/x/../item/" + n); // rewritten
            break;
        case 3:
            lines << line("l" + n, "http://a.example:8080/item/%2e" + n); // lower case
            break;
        case 4:
            lines << line("f" + n, "file:///tmp/f" + n);
            break;
        case 5:
            lines << line("bad" + n, "http://a.example:8080/item/" + n + " x"); // a space
            break;
        case 6:
            lines << line("H" + n, "HTTP://a.example:8080/item/" + n); // a scheme rewritten
            break;
        default:
            lines << R"({"id":"o)" + n + R"(","fetch":{"url":"http://a.example:8080/o/)" + n
                             + R"("},"compute":{"op":"sha256","rounds":1}})";
        }
    }
    QByteArray data;
    for (const QByteArray &l : lines)
        data += l + '\n';
    const Batch batch = parse(data);
    QStringList expectedTasks, expectedErrors;
    QMap<QString, qint64> expectedKinds;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const Batch one = parse(QByteArray(i, '\n') + lines[i] + '\n');
        expectedTasks += describeAll(one);
        expectedErrors += errorStrings(one);
        for (auto it = one.fetchKinds.cbegin(); it != one.fetchKinds.cend(); ++it)
            expectedKinds[it.key()] += it.value();
    }
    QCOMPARE(describeAll(batch), expectedTasks);
    QCOMPARE(errorStrings(batch), expectedErrors);
    QCOMPARE(expectedErrors.size(), 5); // the bad lines really are bad
    QCOMPARE(batch.fetchKinds, expectedKinds);
    checkInvariants(batch, 100);
    // The plain URLs on one host after the first share its template; the others do not.
    QSet<const TaskShape *> templates;
    int templated = 0;
    for (const TaskSpec &task : batch.tasks) {
        if (task.shape->fetch.urls) {
            templates.insert(task.shape.get());
            ++templated;
            QVERIFY2(task.id.startsWith(u'h') || task.id.startsWith(u's')
                             || task.id.startsWith(u'f'),
                     qPrintable(task.id));
        }
    }
    QCOMPARE(templates.size(), 3); // http://a.example:8080, https://b.example, file://
    QCOMPARE(templated, 3 * 4);    // all but the first of five on each
}

void TestBatchParser::timingReport()
{
    // Prints parse times for the record; asserts correctness only, never speed.
    const QByteArray identical
            = QByteArray("{\"compute\":{\"op\":\"sum_to\",\"n\":0}}\n").repeated(1000000);
    QElapsedTimer timer;
    timer.start();
    const Batch a = parse(identical);
    const qint64 identicalMs = timer.elapsed();
    QCOMPARE(a.tasks.size(), 1000000);
    QCOMPARE(a.tasks.last().id, QStringLiteral("1000000"));

    QByteArray distinct;
    for (int i = 1; i <= 200000; ++i) {
        distinct += "{\"id\":\"task-" + QByteArray::number(i)
                    + "\",\"fetch\":\"https://example.com/items/" + QByteArray::number(i)
                    + "\",\"compute\":{\"op\":\"sha256\",\"rounds\":"
                    + QByteArray::number(i % 1000 + 1) + "}}\n";
    }
    timer.restart();
    const Batch b = parse(distinct);
    const qint64 distinctMs = timer.elapsed();
    QCOMPARE(b.tasks.size(), 200000);
    QCOMPARE(b.errorCount, 0);
    qInfo("parse times: 1,000,000 identical lines (%lld MB): %lld ms; 200,000 distinct lines "
          "(%lld MB): %lld ms",
          qint64(identical.size() >> 20), identicalMs, qint64(distinct.size() >> 20), distinctMs);
}

QTEST_GUILESS_MAIN(TestBatchParser)
#include "tst_batchparser.moc"
