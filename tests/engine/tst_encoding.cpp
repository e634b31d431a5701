// The one copy of each encoding helper: LEB128 varints and UTF-8 validation.
#include "encoding/Utf8.h"
#include "encoding/Varint.h"

#include <QTest>

#include <limits>

using namespace Brigade;

class tst_Encoding : public QObject
{
    Q_OBJECT
private slots:
    void varintRoundTrip_data();
    void varintRoundTrip();
    void varintRefusesWhatWasNotWritten();
    void zigzag();
    void utf8_data();
    void utf8();
};

void tst_Encoding::varintRoundTrip_data()
{
    QTest::addColumn<quint64>("value");
    QTest::addColumn<int>("bytes");
    QTest::newRow("0") << quint64(0) << 1;
    QTest::newRow("127") << quint64(127) << 1;
    QTest::newRow("128") << quint64(128) << 2;
    QTest::newRow("16383") << quint64(16383) << 2;
    QTest::newRow("16384") << quint64(16384) << 3;
    QTest::newRow("max") << std::numeric_limits<quint64>::max() << Varint::MaxBytes;
}

void tst_Encoding::varintRoundTrip()
{
    QFETCH(quint64, value);
    QFETCH(int, bytes);
    char buffer[Varint::MaxBytes];
    const char *end = Varint::put(buffer, value);
    QCOMPARE(int(end - buffer), bytes);
    const char *p = buffer;
    quint64 back = 0;
    QVERIFY(Varint::read(&p, end, &back));
    QCOMPARE(back, value);
    QVERIFY(p == end); // read as far as written
}

void tst_Encoding::varintRefusesWhatWasNotWritten()
{
    const char cut[] = {char(0x80), char(0x80)}; // continues past the end
    const char *p = cut;
    quint64 v = 0;
    QVERIFY(!Varint::read(&p, cut + 2, &v));
    const QByteArray eleven(11, char(0xff)); // longer than any quint64
    const char *q = eleven.constData();
    QVERIFY(!Varint::read(&q, eleven.constData() + eleven.size(), &v));
}

void tst_Encoding::zigzag()
{
    for (qint64 v : {qint64(0), qint64(-1), qint64(1), qint64(-64), qint64(63),
                     std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max()})
        QCOMPARE(Varint::unzigzag(Varint::zigzag(v)), v);
    QCOMPARE(Varint::zigzag(-1), quint64(1)); // one byte, not ten
}

void tst_Encoding::utf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("invalidAt");
    QTest::newRow("ascii") << QByteArray("plain") << -1;
    QTest::newRow("two bytes") << QByteArray("caf\xc3\xa9") << -1;
    QTest::newRow("four bytes") << QByteArray("\xf0\x9f\x98\x80!") << -1;
    QTest::newRow("overlong") << QByteArray("a\xc0\xaf") << 1;
    QTest::newRow("surrogate") << QByteArray("ab\xed\xa0\x80") << 2;
    QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << 0;
    QTest::newRow("cut short") << QByteArray("abc\xe2\x82") << 3;
    QTest::newRow("lone continuation") << QByteArray("x\x80") << 1;
    QTest::newRow("latin-1") << QByteArray("na\xefve") << 2;
}

void tst_Encoding::utf8()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, invalidAt);
    QCOMPARE(Utf8::invalidAt(bytes), qsizetype(invalidAt));
}

QTEST_GUILESS_MAIN(tst_Encoding)
#include "tst_encoding.moc"
