// BatchFileCheck: files that are not JSON Lines as a whole (UTF-16, a JSON array, JSON over
// several lines) get one message saying what to do, through BatchParser as the front ends
// see it; ordinary files and ordinary errors are left to the line parser.
#include "batch/BatchFileCheck.h"
#include "batch/BatchParser.h"

#include <QStringDecoder>
#include <QStringEncoder>
#include <QTest>

using namespace Brigade;

class TestBatchFileCheck : public QObject
{
    Q_OBJECT
private slots:
    void wholeFileProblems_data();
    void wholeFileProblems();
    void ordinaryFilesPass_data();
    void ordinaryFilesPass();
};

namespace {

const QByteArray Lines = "{\"id\":\"a\",\"fetch\":\"https://example.com/a\"}\n"
                         "{\"id\":\"b\",\"fetch\":\"https://example.com/b\"}\n";

QByteArray utf16(const QByteArray &utf8, QStringConverter::Encoding e, bool bom)
{
    QStringEncoder encoder(e, bom ? QStringConverter::Flag::WriteBom
                                  : QStringConverter::Flag::Default);
    return encoder.encode(QString::fromUtf8(utf8));
}

} // namespace

void TestBatchFileCheck::wholeFileProblems_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<int>("line");

    QTest::newRow("UTF-16LE with BOM")
            << utf16(Lines, QStringConverter::Utf16LE, true) << QStringLiteral("b.jsonl")
            << QStringLiteral("b.jsonl:1:1: the file is UTF-16 (little-endian) text; a batch "
                              "must be UTF-8. Convert it with: iconv -f UTF-16 -t UTF-8 b.jsonl "
                              "> utf8-b.jsonl")
            << 1;
    QTest::newRow("UTF-16BE without BOM")
            << utf16(Lines, QStringConverter::Utf16BE, false) << QStringLiteral("b.jsonl")
            << QStringLiteral("b.jsonl:1:1: the file is UTF-16 (big-endian) text; a batch must "
                              "be UTF-8. Convert it with: iconv -f UTF-16 -t UTF-8 b.jsonl > "
                              "utf8-b.jsonl")
            << 1;
    QTest::newRow("UTF-16LE URL list")
            << utf16("https://example.com/\n", QStringConverter::Utf16LE, false)
            << QStringLiteral("urls.txt")
            << QStringLiteral("urls.txt:1:1: the file is UTF-16 (little-endian) text; a batch "
                              "must be UTF-8. Convert it with: iconv -f UTF-16 -t UTF-8 urls.txt "
                              "> utf8-urls.txt")
            << 1;
    const QString arrayMessage
            = QStringLiteral("the file is a JSON array; a batch has one JSON object per line "
                             "(JSON Lines), like {\"fetch\":\"https://example.com/\"}. Convert it "
                             "with: jq -c '.[]' %1 > %2");
    QTest::newRow("pretty array in .json")
            << QByteArray("[\n  {\"fetch\": \"https://example.com/a\"},\n"
                          "  {\"fetch\": \"https://example.com/b\"}\n]\n")
            << QStringLiteral("tasks.json")
            << QStringLiteral("tasks.json:1:1: ") + arrayMessage.arg("tasks.json", "tasks.jsonl")
            << 1;
    QTest::newRow("one-line array in .json")
            << QByteArray("[{\"fetch\": \"https://example.com/a\"}]") << QStringLiteral("t.json")
            << QStringLiteral("t.json:1:1: ") + arrayMessage.arg("t.json", "t.jsonl") << 1;
    QTest::newRow("array over lines in .jsonl, after blank lines")
            << QByteArray("\n\n[{\"fetch\": \"https://example.com/a\"},\n"
                          "{\"fetch\": \"https://example.com/b\"}]\n")
            << QStringLiteral("my batch.jsonl")
            << QStringLiteral("my batch.jsonl:3:1: ") + arrayMessage.arg("in.json", "in.jsonl")
            << 3;
    const QString prettyMessage
            = QStringLiteral("the file is JSON spread over several lines; a batch has one JSON "
                             "object per line (JSON Lines), like "
                             "{\"fetch\":\"https://example.com/\"}. Convert it with: jq -c . %1 "
                             "> %2");
    QTest::newRow("pretty objects")
            << QByteArray("{\n  \"id\": \"a\",\n  \"fetch\": \"https://example.com/a\"\n}\n"
                          "{\n  \"id\": \"b\",\n  \"fetch\": \"https://example.com/b\"\n}\n")
            << QStringLiteral("b.jsonl")
            << QStringLiteral("b.jsonl:1:1: ") + prettyMessage.arg("b.jsonl", "b.lines.jsonl") << 1;
    QTest::newRow("pretty object opening on its first line")
            << QByteArray("{\"id\": \"a\",\n  \"fetch\": \"https://example.com/a\"}\n")
            << QStringLiteral("one.json")
            << QStringLiteral("one.json:1:1: ") + prettyMessage.arg("one.json", "one.jsonl") << 1;
}

void TestBatchFileCheck::wholeFileProblems()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, fileName);
    QFETCH(QString, expected);
    QFETCH(int, line);
    const Batch batch = BatchParser::parseData(data, fileName);
    // One message, not one per line.
    QCOMPARE(batch.errorCount, 1);
    QCOMPARE(batch.errors.size(), 1);
    QCOMPARE(batch.errors.first().toString(), expected);
    QCOMPARE(batch.errors.first().line, line);
    QVERIFY(batch.errors.first().line <= batch.lines);
    QVERIFY(batch.tasks.isEmpty());
}

void TestBatchFileCheck::ordinaryFilesPass_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("fileName");

    QTest::newRow("JSON Lines") << Lines << QStringLiteral("b.jsonl");
    QTest::newRow("JSON Lines named .json") << Lines << QStringLiteral("b.json");
    QTest::newRow("UTF-8 BOM") << QByteArray("\xef\xbb\xbf") + Lines << QStringLiteral("b.jsonl");
    QTest::newRow("URL list") << QByteArray("https://example.com/\n") << QStringLiteral("u.txt");
    // Ordinary errors keep their own file:line:column messages.
    QTest::newRow("one-line array in .jsonl")
            << QByteArray("[1,2]\n") + Lines << QStringLiteral("b.jsonl");
    QTest::newRow("first line cut off")
            << QByteArray("{\"id\":\"a\",\n") + Lines << QStringLiteral("b.jsonl");
    QTest::newRow("just a BOM-like pair") << QByteArray("\xfe\xff") << QStringLiteral("b.jsonl");
    QTest::newRow("one NUL") << QByteArray("{\"a\":\0}", 7) << QStringLiteral("b.jsonl");
}

void TestBatchFileCheck::ordinaryFilesPass()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, fileName);
    QVERIFY(!BatchFileCheck::check(data, fileName).has_value());
}

QTEST_GUILESS_MAIN(TestBatchFileCheck)
#include "tst_batchfilecheck.moc"
