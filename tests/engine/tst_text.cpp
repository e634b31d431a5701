// The one copy of each text writer: JSON string literals, CSV fields, durations.
#include "core/ByteSink.h"
#include "text/CsvText.h"
#include "text/Duration.h"
#include "text/JsonText.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Brigade;

class tst_Text : public QObject
{
    Q_OBJECT
private slots:
    void sinkKeepsWhatItWroteIntoReservedRoom();
    void json_data();
    void json();
    void jsonIsAlwaysValid();
    void csv_data();
    void csv();
    void duration();
};

void tst_Text::json_data()
{
    QTest::addColumn<QByteArray>("in");
    QTest::addColumn<QByteArray>("out");
    QTest::newRow("plain") << QByteArray("abc") << QByteArray("\"abc\"");
    QTest::newRow("quote and backslash") << QByteArray("a\"b\\c") << QByteArray("\"a\\\"b\\\\c\"");
    QTest::newRow("short escapes") << QByteArray("a\nb\rc\td") << QByteArray("\"a\\nb\\rc\\td\"");
    QTest::newRow("other controls")
            << QByteArray("\x01\x1f", 2) << QByteArray("\"\\u0001\\u001f\"");
    QTest::newRow("nul") << QByteArray("a\0b", 3) << QByteArray("\"a\\u0000b\"");
    QTest::newRow("utf-8 kept") << QByteArray("caf\xc3\xa9") << QByteArray("\"caf\xc3\xa9\"");
    QTest::newRow("invalid replaced")
            << QByteArray("na\xefve") << QByteArray("\"na\xef\xbf\xbdve\"");
    QTest::newRow("cut sequence replaced")
            << QByteArray("x\xe2\x82") << QByteArray("\"x\xef\xbf\xbd\"");
}

void tst_Text::json()
{
    QFETCH(QByteArray, in);
    QFETCH(QByteArray, out);
    QByteArray a;
    JsonText::appendString(&a, in);
    QCOMPARE(a, out);
    QByteArray b = "prefix:";
    ByteSink sink(&b);
    JsonText::appendString(sink, in);
    sink.commit();
    QCOMPARE(b, "prefix:" + out);
}

// A sink over an array with room reserve()d writes into it without resizing, and keeps all
// of it when it outgrows the room (a reallocation copies the array's size, not its room).
void tst_Text::sinkKeepsWhatItWroteIntoReservedRoom()
{
    QByteArray b("head:");
    b.reserve(64);
    const void *room = b.constData();
    QByteArray expected("head:"); // not a copy of b: sharing would make the sink detach it
    {
        ByteSink sink(&b);
        for (int i = 0; i < 10; ++i) {
            sink.number(i);
            expected += QByteArray::number(i);
        }
        // As pointers: QCOMPARE would compare two char pointers as C strings.
        QCOMPARE(static_cast<const void *>(b.constData()), room); // no reallocation yet
        for (int i = 0; i < 20000; ++i) {
            sink.literal("abc,");
            sink.number(i);
            expected += "abc," + QByteArray::number(i);
        }
    }
    QCOMPARE(b.size(), expected.size());
    QCOMPARE(b, expected);
}

// Whatever the bytes, the literal parses as JSON.
void tst_Text::jsonIsAlwaysValid()
{
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all += char(i);
    QByteArray literal;
    JsonText::appendString(&literal, all);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("{\"s\":" + literal + "}", &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(doc.object().value(QLatin1String("s")).toString().left(3),
             QString::fromLatin1("\0\x01\x02", 3));
}

void tst_Text::csv_data()
{
    QTest::addColumn<QByteArray>("in");
    QTest::addColumn<QByteArray>("out");
    QTest::newRow("plain") << QByteArray("abc") << QByteArray("abc");
    QTest::newRow("comma") << QByteArray("a,b") << QByteArray("\"a,b\"");
    QTest::newRow("quotes doubled") << QByteArray("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
    QTest::newRow("newline") << QByteArray("a\nb") << QByteArray("\"a\nb\"");
    QTest::newRow("return") << QByteArray("a\rb") << QByteArray("\"a\rb\"");
    QTest::newRow("empty") << QByteArray() << QByteArray();
}

void tst_Text::csv()
{
    QFETCH(QByteArray, in);
    QFETCH(QByteArray, out);
    QByteArray a;
    CsvText::appendField(&a, in);
    QCOMPARE(a, out);
}

void tst_Text::duration()
{
    const QString unknown = QStringLiteral("?");
    QCOMPARE(Duration::clock(-1, unknown), unknown);
    QCOMPARE(Duration::clock(0, unknown), QStringLiteral("0:00"));
    QCOMPARE(Duration::clock(7999, unknown), QStringLiteral("0:07"));
    QCOMPARE(Duration::clock(754000, unknown), QStringLiteral("12:34"));
    QCOMPARE(Duration::clock(3723000, unknown), QStringLiteral("1:02:03"));
}

QTEST_GUILESS_MAIN(tst_Text)
#include "tst_text.moc"
