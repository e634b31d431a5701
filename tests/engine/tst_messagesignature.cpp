// Error messages folded into signatures: what varies between tasks goes, what says why
// stays. The inputs are messages Brigade's workers write, with the variants a run makes.
#include "failures/MessageSignature.h"

#include <QTest>

using namespace Brigade;

class tst_MessageSignature : public QObject
{
    Q_OBJECT
private slots:
    void folds_data();
    void folds();
    void sameCauseSameSignature_data();
    void sameCauseSameSignature();
    void longMessagesAreCut();
};

void tst_MessageSignature::folds_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("signature");
    auto row = [](const char *name, const char *message, const char *signature) {
        QTest::newRow(name) << QString::fromUtf8(message) << QString::fromUtf8(signature);
    };
    row("timeout", "timed out after 3000 ms", "timed out after <n> ms");
    row("timeout on a path", "timeout after 3000 ms on /item/123",
        "timeout after <n> ms on <path>");
    row("simulated", "simulated failure after a wait of 17 ms",
        "simulated failure after a wait of <n> ms");
    row("missing file", "cannot read /tmp/brigade-x1/missing-7.txt: No such file or directory",
        "cannot read <path>: No such file or directory");
    row("too large", "/srv/data/big.bin is 2000 bytes, over max_bytes 100",
        "<path> is <n> bytes, over max_bytes <n>");
    row("refused", "127.0.0.1:40321: Connection refused", "<ip>: Connection refused");
    row("ipv6 bracketed", "[::1]:8080: Connection refused", "<ip>: Connection refused");
    row("ipv6 bare", "no route to fe80::1ff:fe23:4567:890a", "no route to <ip>");
    row("http", "HTTP 503", "HTTP <n>");
    row("url", "bad redirect to http://example.org/a/b?c=1.", "bad redirect to <url>.");
    row("uuid", "job 123e4567-e89b-12d3-a456-426614174000 failed", "job <uuid> failed");
    row("hex pointer", "fault at 0x7ffe3a2b", "fault at <hex>");
    row("digest", "checksum 9f86d081884c7d65 did not match", "checksum <hex> did not match");
    row("ids in words", "task-00042 lost its input", "task-<n> lost its input");
    row("decimal", "took 3.25 s (limit 2,000 ms)", "took <n> s (limit <n> ms)");
    row("worker lost", "worker 3 lost: it exited with code 137",
        "worker <n> lost: it exited with code <n>");
    row("time of day stays a time", "retry at 12:34:56", "retry at <n>:<n>:<n>");
    row("words without digits stay", "deadbeef cafe", "deadbeef cafe");
    row("slash in a word is no path", "HTTP/1.1 parse error and 1/3 done",
        "HTTP/<n> parse error and <n>/<n> done");
    row("quoted path", "cannot open \"/var/x y/z\"", "cannot open \"<path> y/z\"");
    row("empty", "", "");
}

void tst_MessageSignature::folds()
{
    QFETCH(QString, message);
    QFETCH(QString, signature);
    QCOMPARE(MessageSignature::of(message), signature);
}

void tst_MessageSignature::sameCauseSameSignature_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    auto row = [](const char *name, const char *a, const char *b, bool same) {
        QTest::newRow(name) << QString::fromUtf8(a) << QString::fromUtf8(b) << same;
    };
    row("items", "timeout after 3000 ms on /item/123", "timeout after 3000 ms on /item/456", true);
    row("ports", "127.0.0.1:1: Connection refused", "10.0.0.7:8080: Connection refused", true);
    row("refused vs reset", "127.0.0.1:1: Connection refused",
        "127.0.0.1:1: Connection reset by peer", false);
    row("missing vs denied", "cannot read /a: No such file or directory",
        "cannot read /a: Permission denied", false);
}

void tst_MessageSignature::sameCauseSameSignature()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    QCOMPARE(MessageSignature::of(a) == MessageSignature::of(b), same);
}

void tst_MessageSignature::longMessagesAreCut()
{
    const QString message = QStringLiteral("x").repeated(1000);
    const QString signature = MessageSignature::of(message);
    QCOMPARE(signature.size(), MessageSignature::MaxLength + 3);
    QVERIFY(signature.endsWith(QLatin1String("...")));
    QVERIFY(MessageSignature::of(message.left(MessageSignature::MaxLength)).size()
            == MessageSignature::MaxLength);
}

QTEST_GUILESS_MAIN(tst_MessageSignature)
#include "tst_messagesignature.moc"
