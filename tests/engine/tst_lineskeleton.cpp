// LineSkeleton: which lines take the fast path, and that lines differing only in their id,
// input and fetch URL strings (and only those) share a skeleton.
#include "batch/LineSkeleton.h"

#include <QTest>

using namespace Brigade;

namespace {

// A buffer with nothing after the line: simdjson's padding must come from a copy.
struct Read
{
    bool ok = false;
    std::string key;
    QByteArray id, input, fetch;
    bool hasId = false, hasInput = false, hasFetch = false;
};

Read readAlone(const QByteArray &line)
{
    const QByteArray data = line; // its own buffer, ending where the line ends
    LineSkeleton skeleton{QByteArrayView(data)};
    Read r;
    r.ok = skeleton.read(QByteArrayView(data));
    if (r.ok) {
        r.key = skeleton.key();
        r.hasId = skeleton.hasId();
        r.hasInput = skeleton.hasInput();
        r.id = skeleton.id().toByteArray();
        r.input = skeleton.input().toByteArray();
        r.hasFetch = skeleton.hasFetch();
        r.fetch = skeleton.fetch().toByteArray();
    }
    return r;
}

} // namespace

class TestLineSkeleton : public QObject
{
    Q_OBJECT

private slots:
    void readsIdAndInput();
    void readsAFetchUrl();
    void sameSkeletonOnlyWhenOnlyTheStringsDiffer();
    void refusesWhatItCannotVouchFor_data();
    void refusesWhatItCannotVouchFor();
    void linesInsideALargerBuffer();
};

void TestLineSkeleton::readsIdAndInput()
{
    const Read r = readAlone(R"({"input": "a b.txt", "id":"n17","compute":{"op":"sum_to","n":3}})");
    QVERIFY(r.ok);
    QVERIFY(r.hasId);
    QCOMPARE(r.id, QByteArray("n17"));
    QVERIFY(r.hasInput);
    QCOMPARE(r.input, QByteArray("a b.txt"));

    const Read none = readAlone(R"({})");
    QVERIFY(none.ok);
    QVERIFY(!none.hasId);
    QVERIFY(!none.hasInput);

    // Nested "id" keys are part of the skeleton, not the task's id.
    const Read nested = readAlone(R"({"fetch":{"id":"x","url":"http://a/"}})");
    QVERIFY(nested.ok);
    QVERIFY(!nested.hasId);
}

void TestLineSkeleton::readsAFetchUrl()
{
    // A "fetch" given as a URL string is cut out as the id is; a fetch object stays in the
    // skeleton.
    const QByteArray a
            = R"({"id":"n1","fetch":"http://a.example/1?q=x","compute":{"op":"sha256","rounds":1}})";
    const QByteArray b
            = R"({"id":"n2","fetch":"https://b.example:8443/two","compute":{"op":"sha256","rounds":1}})";
    const QByteArray c
            = R"({"id":"n3","fetch":"http://a.example/1","compute":{"op":"sha256","rounds":2}})";
    const QByteArray d
            = R"({"id":"n4","fetch":{"url":"http://a.example/1"},"compute":{"op":"sha256","rounds":1}})";
    const QByteArray e
            = R"({"fetch":"http://a.example/1?q=x","id":"n1","compute":{"op":"sha256","rounds":1}})";
    const Read ra = readAlone(a), rb = readAlone(b), rc = readAlone(c), rd = readAlone(d),
               re = readAlone(e);
    for (const Read *r : {&ra, &rb, &rc, &rd, &re})
        QVERIFY(r->ok);
    QCOMPARE(ra.fetch, QByteArray("http://a.example/1?q=x"));
    QCOMPARE(rb.fetch, QByteArray("https://b.example:8443/two"));
    QCOMPARE(ra.key, rb.key);
    QVERIFY(ra.key != rc.key);
    QVERIFY(!rd.hasFetch);
    QVERIFY(rd.key != ra.key);
    QVERIFY(re.key != ra.key); // the same strings in another order
    QVERIFY(!readAlone(R"({"id":"n1","fetch":""})").ok);
    QVERIFY(!readAlone(R"({"id":"n1","fetch":"a","fetch":"b"})").ok);
}

void TestLineSkeleton::sameSkeletonOnlyWhenOnlyTheStringsDiffer()
{
    const Read a = readAlone(R"({"id":"n1","compute":{"op":"sum_to","n":5}})");
    const Read b = readAlone(R"({"id":"another-id","compute":{"op":"sum_to","n":5}})");
    const Read c = readAlone(R"({"id":"n1","compute":{"op":"sum_to","n":6}})");
    const Read d = readAlone(R"({"compute":{"op":"sum_to","n":5},"id":"n1"})");
    const Read e = readAlone(R"({"id":"n1","input":"x","compute":{"op":"sum_to","n":5}})");
    const Read f = readAlone(R"({"id":"n1","input":"yy","compute":{"op":"sum_to","n":5}})");
    for (const Read *r : {&a, &b, &c, &d, &e, &f})
        QVERIFY(r->ok);
    QCOMPARE(a.key, b.key);
    QVERIFY(a.key != c.key);
    QVERIFY(a.key != d.key);
    QVERIFY(a.key != e.key);
    QCOMPARE(e.key, f.key);
    // The same bytes with the strings swapped over: the cut positions tell them apart.
    const Read g = readAlone(R"({"id":"p","input":"q"})");
    const Read h = readAlone(R"({"input":"q","id":"p"})");
    QVERIFY(g.key != h.key);
}

void TestLineSkeleton::refusesWhatItCannotVouchFor_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::newRow("escape in the id") << QByteArray(R"({"id":"a\"b"})");
    QTest::newRow("escape elsewhere") << QByteArray(R"({"id":"a","fetch":"http://a/\u0041"})");
    QTest::newRow("escaped key") << QByteArray(R"({"\u0069d":"a"})");
    QTest::newRow("non-ASCII id") << QByteArray("{\"id\":\"caf\xc3\xa9\"}");
    QTest::newRow("empty id") << QByteArray(R"({"id":""})");
    QTest::newRow("number id") << QByteArray(R"({"id":5})");
    QTest::newRow("null input") << QByteArray(R"({"input":null})");
    QTest::newRow("id twice") << QByteArray(R"({"id":"a","id":"b"})");
    QTest::newRow("input twice") << QByteArray(R"({"input":"a","input":"b"})");
    QTest::newRow("array") << QByteArray(R"([{"id":"a"}])");
    QTest::newRow("not JSON") << QByteArray(R"({"id":"a",)");
    QTest::newRow("unterminated id") << QByteArray(R"({"id":"abc)");
    QTest::newRow("control byte in id") << QByteArray("{\"id\":\"a\tb\"}");
    QTest::newRow("invalid UTF-8") << QByteArray("{\"fetch\":\"\xff\"}");
    QTest::newRow("empty") << QByteArray();
}

void TestLineSkeleton::refusesWhatItCannotVouchFor()
{
    QFETCH(QByteArray, line);
    QVERIFY(!readAlone(line).ok);
}

void TestLineSkeleton::linesInsideALargerBuffer()
{
    // Lines read in place (padding from the bytes after them) and near the end (copied)
    // give the same answers.
    QByteArray data;
    for (int i = 0; i < 200; ++i)
        data += "{\"id\":\"t" + QByteArray::number(i)
                + "\",\"compute\":{\"op\":\"sum_to\",\"n\":1}}\n";
    LineSkeleton skeleton{QByteArrayView(data)};
    std::string first;
    qsizetype pos = 0;
    for (int i = 0; i < 200; ++i) {
        const qsizetype end = data.indexOf('\n', pos);
        QVERIFY(skeleton.read(QByteArrayView(data).sliced(pos, end - pos)));
        QCOMPARE(skeleton.id().toByteArray(), "t" + QByteArray::number(i));
        if (i == 0)
            first = skeleton.key();
        QCOMPARE(skeleton.key(), first);
        pos = end + 1;
    }
}

QTEST_GUILESS_MAIN(TestLineSkeleton)
#include "tst_lineskeleton.moc"
