// The compute ops: results against known values, parameter checks, cancellation.
#include "compute/ComputeRegistry.h"
#include "compute/Sha256Op.h"
#include "compute/SumToOp.h"
#include "compute/WordCountOp.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QtEndian>
#include <QtTest>

#include <thread>

using namespace Brigade;

namespace {

const ComputeOp *opNamed(const char *name)
{
    const ComputeRegistry &registry = ComputeRegistry::instance();
    return registry.op(registry.idOf(QByteArray(name)));
}

QJsonObject jsonObject(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", text.constData());
    return doc.object();
}

// Parses compute (a JSON object) and runs the op over input; returns the result JSON, or
// "error: ..." on failure.
QByteArray runOp(const QByteArray &compute, const QByteArray &input = {})
{
    const QJsonObject object = jsonObject(compute);
    const ComputeOp *op = opNamed(object.value(QLatin1String("op")).toString().toUtf8());
    if (!op)
        return "error: no such op";
    QByteArray params;
    QString error, errorKey;
    if (!op->parseParams(object, &params, &error, &errorKey))
        return "error: " + error.toUtf8();
    std::atomic_bool cancel{false};
    QByteArray result;
    if (!op->run(params, input, cancel, &result, &error))
        return "error: " + error.toUtf8();
    return result;
}

// SHA-256 of input, then of the raw digest, rounds times in all (reference for Sha256Op).
QByteArray referenceRounds(const QByteArray &input, int rounds)
{
    QByteArray h = QCryptographicHash::hash(input, QCryptographicHash::Sha256);
    for (int i = 1; i < rounds; ++i)
        h = QCryptographicHash::hash(h, QCryptographicHash::Sha256);
    return '"' + h.toHex() + '"';
}

QByteArray encodeN(quint64 n)
{
    QByteArray params(8, '\0');
    qToLittleEndian<quint64>(n, params.data());
    return params;
}

} // namespace

class TestComputeOps : public QObject
{
    Q_OBJECT

private slots:
    void registryIds();
    void sumTo_data();
    void sumTo();
    void sumToLargest();
    void sumToRefusesOverflowOnTheWire();
    void sha256_data();
    void sha256();
    void sha256AgainstQCryptographicHash_data();
    void sha256AgainstQCryptographicHash();
    void wordCount_data();
    void wordCount();
    void wordCountOutputIsAlwaysValidJson();
    void badParams_data();
    void badParams();
    void cancelStopsLongSumTo();
    void cancelStopsOtherOps();
    void quickOnlyWhenSmall();
};

void TestComputeOps::registryIds()
{
    const ComputeRegistry &registry = ComputeRegistry::instance();
    // The ids are on the wire between engine and workers: they must never move.
    QCOMPARE(registry.idOf("sum_to"), quint8(1));
    QCOMPARE(registry.idOf("sha256"), quint8(2));
    QCOMPARE(registry.idOf("wordcount"), quint8(3));
    QCOMPARE(registry.idOf("nope"), quint8(0));
    // The map steps of MapReduce jobs are internal: not in names(), not usable in a batch.
    QCOMPARE(registry.idOf("map_ngram"), quint8(4));
    QCOMPARE(registry.idOf("map_words"), quint8(5));
    QVERIFY(!registry.op(4)->isPublic());
    // The user's own code: commands and programs, run by runners of their own.
    QCOMPARE(registry.idOf("exec"), quint8(6));
    QCOMPARE(registry.idOf("call"), quint8(7));
    QVERIFY(registry.op(6)->hasOwnRunner() && registry.op(7)->hasOwnRunner());
    QVERIFY(!registry.op(1)->hasOwnRunner());
    QCOMPARE(registry.names(),
             (QList<QByteArray>{"sum_to", "sha256", "wordcount", "exec", "call"}));
    QVERIFY(registry.op(0) == nullptr);
    QVERIFY(registry.op(8) == nullptr);
    QCOMPARE(registry.op(1)->name(), QByteArray("sum_to"));
    QCOMPARE(registry.op(3)->name(), QByteArray("wordcount"));
}

void TestComputeOps::sumTo_data()
{
    QTest::addColumn<QByteArray>("compute");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("0") << QByteArray(R"({"op":"sum_to","n":0})") << QByteArray("0");
    QTest::newRow("1") << QByteArray(R"({"op":"sum_to","n":1})") << QByteArray("1");
    QTest::newRow("10") << QByteArray(R"({"op":"sum_to","n":10})") << QByteArray("55");
    QTest::newRow("100000") << QByteArray(R"({"op":"sum_to","n":100000})")
                            << QByteArray("5000050000");
    QTest::newRow("whole number as double")
            << QByteArray(R"({"op":"sum_to","n":1e3})") << QByteArray("500500");
    // Around the 2^20 steps between looks at the cancel flag.
    QTest::newRow("2^20-1") << QByteArray(R"({"op":"sum_to","n":1048575})")
                            << QByteArray("549755289600");
    QTest::newRow("2^20") << QByteArray(R"({"op":"sum_to","n":1048576})")
                          << QByteArray("549756338176");
    QTest::newRow("2^20+1") << QByteArray(R"({"op":"sum_to","n":1048577})")
                            << QByteArray("549757386753");
    QTest::newRow("input ignored") << QByteArray(R"({"op":"sum_to","n":3})") << QByteArray("6");
}

void TestComputeOps::sumTo()
{
    QFETCH(QByteArray, compute);
    QFETCH(QByteArray, expected);
    QCOMPARE(runOp(compute, "some input"), expected);
}

void TestComputeOps::sumToLargest()
{
    // 4294967295 * 4294967296 / 2 is the largest sum that fits in a qint64.
    QCOMPARE(runOp(R"({"op":"sum_to","n":4294967295})"), QByteArray("9223372034707292160"));
}

void TestComputeOps::sumToRefusesOverflowOnTheWire()
{
    const ComputeOp *op = opNamed("sum_to");
    std::atomic_bool cancel{false};
    QByteArray result;
    QString error;
    QVERIFY(!op->run(encodeN(4294967296ull), {}, cancel, &result, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!op->run(QByteArray("\x01\x02", 2), {}, cancel, &result, &error));
}

void TestComputeOps::sha256_data()
{
    QTest::addColumn<QByteArray>("compute");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("abc, 1 round")
            << QByteArray(R"({"op":"sha256","rounds":1})") << QByteArray("abc")
            << QByteArray("\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"");
    QTest::newRow("empty, 1 round")
            << QByteArray(R"({"op":"sha256","rounds":1})") << QByteArray()
            << QByteArray("\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"");
    // Computed independently with Python's hashlib:
    //   h = hashlib.sha256(data).digest(); then h = hashlib.sha256(h).digest(), rounds-1 times.
    QTest::newRow("abc, 1000 rounds (hashlib)")
            << QByteArray(R"({"op":"sha256","rounds":1000})") << QByteArray("abc")
            << QByteArray("\"fc8a6b86a13f71cd9a67f558ab6fd82a3dd89186163a017ed8051acf6d3f8f99\"");
    QTest::newRow("empty, 3 rounds (hashlib)")
            << QByteArray(R"({"op":"sha256","rounds":3})") << QByteArray()
            << QByteArray("\"aa6ac2d4961882f42a345c7615f4133dde8e6d6e7c1b6b40ae4ff6ee52c393d0\"");
    QTest::newRow("brigade, 200001 rounds (hashlib)")
            << QByteArray(R"({"op":"sha256","rounds":200001})") << QByteArray("brigade")
            << QByteArray("\"fca6f7aa95fe99942d329a2a037e6221117ab3282d9aefd83acd211ff3008492\"");
}

void TestComputeOps::sha256()
{
    QFETCH(QByteArray, compute);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QCOMPARE(runOp(compute, input), expected);
}

void TestComputeOps::sha256AgainstQCryptographicHash_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("rounds");
    QTest::newRow("abc, 2") << QByteArray("abc") << 2;
    QTest::newRow("empty, 2") << QByteArray() << 2;
    // Padding edge cases of the first (arbitrary length) hash.
    QTest::newRow("55 bytes") << QByteArray(55, 'x') << 3;
    QTest::newRow("56 bytes") << QByteArray(56, 'x') << 3;
    QTest::newRow("64 bytes") << QByteArray(64, 'x') << 3;
    QTest::newRow("1 MB") << QByteArray(1 << 20, '\xab') << 5;
    // Around the 4096-round batches between looks at the cancel flag.
    QTest::newRow("4096") << QByteArray("x") << 4096;
    QTest::newRow("4097") << QByteArray("x") << 4097;
    QTest::newRow("8193") << QByteArray("x") << 8193;
}

void TestComputeOps::sha256AgainstQCryptographicHash()
{
    QFETCH(QByteArray, input);
    QFETCH(int, rounds);
    const QByteArray compute = R"({"op":"sha256","rounds":)" + QByteArray::number(rounds) + '}';
    QCOMPARE(runOp(compute, input), referenceRounds(input, rounds));
}

void TestComputeOps::wordCount_data()
{
    QTest::addColumn<int>("top");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("most frequent first")
            << 2 << QByteArray("b a c a b a") << QByteArray(R"([["a",3],["b",2]])");
    QTest::newRow("ties in byte order")
            << 10 << QByteArray("b c a B") << QByteArray(R"([["B",1],["a",1],["b",1],["c",1]])");
    QTest::newRow("tie break is bytewise, not signed char")
            << 10 << QByteArray("\xc3\xa9 z") << QByteArray("[[\"z\",1],[\"\xc3\xa9\",1]]");
    QTest::newRow("prefix sorts first")
            << 10 << QByteArray("ab a ab a") << QByteArray(R"([["a",2],["ab",2]])");
    QTest::newRow("all ASCII whitespace") << 10 << QByteArray("x\ty\nx\rz\vx\fy   \t\n")
                                          << QByteArray(R"([["x",3],["y",2],["z",1]])");
    QTest::newRow("empty") << 10 << QByteArray() << QByteArray("[]");
    QTest::newRow("only spaces") << 10 << QByteArray(" \n\t ") << QByteArray("[]");
    QTest::newRow("top 1") << 1 << QByteArray("z z y") << QByteArray(R"([["z",2]])");
    QTest::newRow("quote and backslash")
            << 10 << QByteArray(R"(say"hi" a\b)") << QByteArray(R"([["a\\b",1],["say\"hi\"",1]])");
    QTest::newRow("control characters")
            << 10 << QByteArray("a\x01z \x1f") << QByteArray(R"([["\u001f",1],["a\u0001z",1]])");
    QTest::newRow("NUL byte") << 10 << QByteArray("a\0b", 3) << QByteArray(R"([["a\u0000b",1]])");
    QTest::newRow("valid UTF-8 kept")
            << 10 << QByteArray("gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80")
            << QByteArray("[[\"gr\xc3\xbc\xc3\x9f\",1],[\"\xe2\x82\xac\",1],[\"\xf0\x9f\x98\x80\","
                          "1]]");
    QTest::newRow("invalid byte") << 10 << QByteArray("a\xff")
                                  << QByteArray("[[\"a\xef\xbf\xbd\",1]]");
    QTest::newRow("truncated sequence is one U+FFFD")
            << 10 << QByteArray("\xe2\x82x") << QByteArray("[[\"\xef\xbf\xbdx\",1]]");
    QTest::newRow("overlong and surrogate")
            << 10 << QByteArray("\xc0\xaf \xed\xa0\x80")
            << QByteArray("[[\"\xef\xbf\xbd\xef\xbf\xbd\",1],[\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf"
                          "\xbd\",1]]");
}

void TestComputeOps::wordCount()
{
    QFETCH(int, top);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    const QByteArray compute = R"({"op":"wordcount","top":)" + QByteArray::number(top) + '}';
    const QByteArray result = runOp(compute, input);
    QCOMPARE(result, expected);
    QJsonParseError error;
    QJsonDocument::fromJson(result, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
}

void TestComputeOps::wordCountOutputIsAlwaysValidJson()
{
    QRandomGenerator random(20240601);
    for (int i = 0; i < 500; ++i) {
        QByteArray input(int(random.bounded(200)), Qt::Uninitialized);
        for (char &c : input)
            c = char(random.bounded(256));
        const QByteArray result = runOp(R"({"op":"wordcount","top":1000})", input);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(result, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, result.toHex().constData());
        QVERIFY(doc.isArray());
        qint64 total = 0;
        for (const QJsonValue &entry : doc.array())
            total += entry.toArray().at(1).toInteger();
        QCOMPARE(total,
                 qint64(input.simplified().isEmpty() ? 0 : input.simplified().count(' ') + 1));
    }
}

void TestComputeOps::badParams_data()
{
    QTest::addColumn<QByteArray>("compute");
    QTest::addColumn<QString>("errorKey");
    QTest::addColumn<QString>("errorPart");
    const QString nRange = QStringLiteral("expected \"n\" to be an integer from 0 to 4294967295");
    QTest::newRow("n missing") << QByteArray(R"({"op":"sum_to"})") << "n" << nRange;
    QTest::newRow("n negative") << QByteArray(R"({"op":"sum_to","n":-1})") << "n" << nRange;
    QTest::newRow("n fraction") << QByteArray(R"({"op":"sum_to","n":1.5})") << "n" << nRange;
    QTest::newRow("n string") << QByteArray(R"({"op":"sum_to","n":"5"})") << "n" << nRange;
    QTest::newRow("n null") << QByteArray(R"({"op":"sum_to","n":null})") << "n" << nRange;
    QTest::newRow("n overflows") << QByteArray(R"({"op":"sum_to","n":4294967296})") << "n"
                                 << nRange;
    QTest::newRow("n huge") << QByteArray(R"({"op":"sum_to","n":1e30})") << "n" << nRange;
    QTest::newRow("sum_to extra key") << QByteArray(R"({"op":"sum_to","n":1,"m":2})") << "m"
                                      << QStringLiteral("unknown key \"m\" for sum_to");
    const QString rounds
            = QStringLiteral("expected \"rounds\" to be an integer from 1 to 100000000");
    QTest::newRow("rounds 0") << QByteArray(R"({"op":"sha256","rounds":0})") << "rounds" << rounds;
    QTest::newRow("rounds missing") << QByteArray(R"({"op":"sha256"})") << "rounds" << rounds;
    QTest::newRow("rounds too many")
            << QByteArray(R"({"op":"sha256","rounds":100000001})") << "rounds" << rounds;
    QTest::newRow("rounds bool") << QByteArray(R"({"op":"sha256","rounds":true})") << "rounds"
                                 << rounds;
    QTest::newRow("sha256 extra key") << QByteArray(R"({"op":"sha256","rounds":1,"n":1})") << "n"
                                      << QStringLiteral("unknown key \"n\" for sha256");
    const QString top = QStringLiteral("expected \"top\" to be an integer from 1 to 100000");
    QTest::newRow("top 0") << QByteArray(R"({"op":"wordcount","top":0})") << "top" << top;
    QTest::newRow("top missing") << QByteArray(R"({"op":"wordcount"})") << "top" << top;
    QTest::newRow("top too big") << QByteArray(R"({"op":"wordcount","top":100001})") << "top"
                                 << top;
    QTest::newRow("top array") << QByteArray(R"({"op":"wordcount","top":[1]})") << "top" << top;
    QTest::newRow("wordcount extra key") << QByteArray(R"({"op":"wordcount","top":1,"x":1})") << "x"
                                         << QStringLiteral("unknown key \"x\" for wordcount");
}

void TestComputeOps::badParams()
{
    QFETCH(QByteArray, compute);
    QFETCH(QString, errorKey);
    QFETCH(QString, errorPart);
    const QJsonObject object = jsonObject(compute);
    const ComputeOp *op = opNamed(object.value(QLatin1String("op")).toString().toUtf8());
    QVERIFY(op);
    QByteArray params;
    QString error, key;
    QVERIFY(!op->parseParams(object, &params, &error, &key));
    QCOMPARE(key, errorKey);
    QVERIFY2(error.contains(errorPart), qPrintable(error));
}

void TestComputeOps::cancelStopsLongSumTo()
{
    const ComputeOp *op = opNamed("sum_to");
    QByteArray result;
    QString error;

    // Already cancelled: gives up at the first look at the flag.
    std::atomic_bool cancel{true};
    QVERIFY(!op->run(encodeN(SumToOp::MaxN), {}, cancel, &result, &error));
    QCOMPARE(error, QStringLiteral("cancelled"));
    QVERIFY(result.isEmpty());

    // Cancelled while running: the full sum would take seconds.
    std::atomic_bool later{false};
    bool ok = true;
    std::thread runner([&] { ok = op->run(encodeN(SumToOp::MaxN), {}, later, &result, &error); });
    later = true;
    runner.join();
    QVERIFY(!ok);
    QCOMPARE(error, QStringLiteral("cancelled"));
}

void TestComputeOps::cancelStopsOtherOps()
{
    std::atomic_bool cancel{true};
    QByteArray result;
    QString error;
    QByteArray params(4, '\0');
    qToLittleEndian<quint32>(Sha256Op::MaxRounds, params.data());
    QVERIFY(!opNamed("sha256")->run(params, "x", cancel, &result, &error));
    QCOMPARE(error, QStringLiteral("cancelled"));

    qToLittleEndian<quint32>(10, params.data());
    const QByteArray words = QByteArray("word ").repeated(1 << 18);
    QVERIFY(!opNamed("wordcount")->run(params, words, cancel, &result, &error));
    QCOMPARE(error, QStringLiteral("cancelled"));
}

void TestComputeOps::quickOnlyWhenSmall()
{
    // A quick op runs on the worker's own thread, where nothing can stop it and nothing
    // else runs meanwhile: an op whose cost grows with its params or input must not be
    // quick when they are large.
    auto paramsOf = [](const QByteArray &compute) {
        QByteArray params;
        QString error, errorKey;
        const QJsonObject object = jsonObject(compute);
        if (!opNamed(object.value(QLatin1String("op")).toString().toUtf8())
                     ->parseParams(object, &params, &error, &errorKey))
            qFatal("bad test params: %s", compute.constData());
        return params;
    };
    const ComputeOp *sumTo = opNamed("sum_to");
    QVERIFY(sumTo->isQuick(paramsOf(R"({"op":"sum_to","n":0})"), 0));
    QVERIFY(sumTo->isQuick(paramsOf(R"({"op":"sum_to","n":1000})"), 0));
    QVERIFY(!sumTo->isQuick(paramsOf(R"({"op":"sum_to","n":1001})"), 0));
    QVERIFY(!sumTo->isQuick(paramsOf(R"({"op":"sum_to","n":4294967295})"), 0));
    QVERIFY(!sumTo->isQuick(QByteArray(3, '\0'), 0)); // bad params: the pool reports them
    const ComputeOp *sha = opNamed("sha256");
    const QByteArray once = paramsOf(R"({"op":"sha256","rounds":1})");
    QVERIFY(sha->isQuick(once, 0));
    QVERIFY(sha->isQuick(once, 64));
    QVERIFY(!sha->isQuick(once, 65)); // a fetched body is hashed on a compute thread
    QVERIFY(!sha->isQuick(paramsOf(R"({"op":"sha256","rounds":3})"), 8));
    QVERIFY(!sha->isQuick(paramsOf(R"({"op":"sha256","rounds":100000000})"), 8));
    // Ops that say nothing are never quick.
    QVERIFY(!opNamed("wordcount")->isQuick(paramsOf(R"({"op":"wordcount","top":2})"), 1));
}

QTEST_GUILESS_MAIN(TestComputeOps)
#include "tst_computeops.moc"
