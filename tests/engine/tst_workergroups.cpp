// Worker groups as users name them: ssh host specs and launcher arguments as typed.
#include "run/WorkerGroups.h"

#include <QTest>

using namespace Brigade;

class tst_WorkerGroups : public QObject
{
    Q_OBJECT
private slots:
    void sshSpecs_data();
    void sshSpecs();
    void argumentsRoundTrip_data();
    void argumentsRoundTrip();
};

void tst_WorkerGroups::sshSpecs_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("count");
    QTest::newRow("host") << "node2" << true << "node2" << 1;
    QTest::newRow("user and count") << "me@node2*16" << true << "me@node2" << 16;
    QTest::newRow("most") << "n*1024" << true << "n" << 1024;
    QTest::newRow("too many") << "n*1025" << false << QString() << 0;
    QTest::newRow("none") << "n*0" << false << QString() << 0;
    QTest::newRow("no host") << "*3" << false << QString() << 0;
    QTest::newRow("not a number") << "n*three" << false << QString() << 0;
    QTest::newRow("empty") << "" << false << QString() << 0;
}

void tst_WorkerGroups::sshSpecs()
{
    QFETCH(QString, spec);
    QFETCH(bool, valid);
    QFETCH(QString, host);
    QFETCH(int, count);
    QString h;
    int c = 0;
    QCOMPARE(WorkerGroups::parseSshSpec(spec, &h, &c), valid);
    QCOMPARE(h, host);
    QCOMPARE(c, count);
    if (valid) {
        // The spec written back reads the same.
        QString h2;
        int c2 = 0;
        QVERIFY(WorkerGroups::parseSshSpec(WorkerGroups::sshSpec(h, c), &h2, &c2));
        QCOMPARE(h2, host);
        QCOMPARE(c2, count);
    }
}

void tst_WorkerGroups::argumentsRoundTrip_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("plain") << QStringList{"-p", "2222", "-i", "/home/me/.ssh/key"};
    QTest::newRow("spaces") << QStringList{"-o", "ProxyJump gw.example.org", "--comment=a  b"};
    QTest::newRow("quotes") << QStringList{"say \"hi\"", "\"", "a\"b", "tab\there"};
    QTest::newRow("none") << QStringList{};
}

void tst_WorkerGroups::argumentsRoundTrip()
{
    QFETCH(QStringList, arguments);
    const QString text = WorkerGroups::joinArguments(arguments);
    QCOMPARE(WorkerGroups::splitArguments(text), arguments);
}

QTEST_GUILESS_MAIN(tst_WorkerGroups)
#include "tst_workergroups.moc"
