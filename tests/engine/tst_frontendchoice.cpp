// Which front end each command line of `brigade` picks, with and without a display, and
// that the real program follows the rule (a command never opens the window).
#include "session/FrontEndChoice.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;
using FE = FrontEndChoice::FrontEnd;

class tst_FrontEndChoice : public QObject
{
    Q_OBJECT
private slots:
    void choose_data();
    void choose();
    void commandsRunHeadlessWithADisplay_data();
    void commandsRunHeadlessWithADisplay();
};

void tst_FrontEndChoice::choose_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("display");
    QTest::addColumn<FE>("expected");
    const auto row = [](const char *name, QStringList args, bool display, FE fe) {
        QTest::newRow(name) << args << display << fe;
    };
    row("no args, display", {}, true, FE::Window);
    row("no args, no display", {}, false, FE::Terminal);
    row("batch, display", {QStringLiteral("tasks.jsonl")}, true, FE::Window);
    row("batch, no display", {QStringLiteral("tasks.jsonl")}, false, FE::Terminal);
    row("journal, display", {QStringLiteral("tasks.journal")}, true, FE::Window);
    row("run, display", {QStringLiteral("run"), QStringLiteral("tasks.jsonl")}, true, FE::Terminal);
    row("run alone, display", {QStringLiteral("run")}, true, FE::Terminal);
    row("export, display",
        {QStringLiteral("export"), QStringLiteral("J"), QStringLiteral("-o"),
         QStringLiteral("x.csv")},
        true, FE::Terminal);
    row("export alone, display", {QStringLiteral("export")}, true, FE::Terminal);
    row("retry-failed, display", {QStringLiteral("retry-failed"), QStringLiteral("J")}, true,
        FE::Terminal);
    row("retry-failed, no display", {QStringLiteral("retry-failed"), QStringLiteral("J")}, false,
        FE::Terminal);
    row("journals alone, display", {QStringLiteral("journals")}, true, FE::Terminal);
    row("run --help, display", {QStringLiteral("run"), QStringLiteral("--help")}, true,
        FE::Terminal);
    row("--help, display", {QStringLiteral("--help")}, true, FE::Terminal);
    row("-h, display", {QStringLiteral("-h")}, true, FE::Terminal);
    row("--version, display", {QStringLiteral("--version")}, true, FE::Terminal);
    row("--resume, display", {QStringLiteral("--resume"), QStringLiteral("J")}, true, FE::Terminal);
    row("batch with options, display",
        {QStringLiteral("tasks.jsonl"), QStringLiteral("--workers"), QStringLiteral("2")}, true,
        FE::Terminal);
    row("two words, display", {QStringLiteral("frobnicate"), QStringLiteral("x.jsonl")}, true,
        FE::Terminal);
}

void tst_FrontEndChoice::choose()
{
    QFETCH(QStringList, args);
    QFETCH(bool, display);
    QFETCH(FE, expected);
    QCOMPARE(FrontEndChoice::choose(args, display), expected);
}

void tst_FrontEndChoice::commandsRunHeadlessWithADisplay_data()
{
    QTest::addColumn<QString>("command");
    QTest::newRow("export") << QStringLiteral("export");
    QTest::newRow("retry-failed") << QStringLiteral("retry-failed");
}

// The program itself, with a display (the offscreen platform counts as one): a command on
// a journal that is not there ends at once with the command line's error, exit status 2,
// instead of opening a window that never exits.
void tst_FrontEndChoice::commandsRunHeadlessWithADisplay()
{
    QFETCH(QString, command);
    QTemporaryDir dir;
    QProcess brigade;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("HOME"), dir.path());
    brigade.setProcessEnvironment(env);
    QStringList args{command, dir.filePath(QStringLiteral("missing.journal"))};
    if (command == QLatin1String("export"))
        args << QStringLiteral("-o") << dir.filePath(QStringLiteral("x.csv"));
    brigade.start(QStringLiteral(BRIGADE_APP_PATH), args);
    QVERIFY(brigade.waitForFinished(30000));
    QCOMPARE(brigade.exitStatus(), QProcess::NormalExit);
    QCOMPARE(brigade.exitCode(), 2);
    QVERIFY2(brigade.readAllStandardError().contains("missing.journal"),
             "the command line's error names the journal");
}

QTEST_GUILESS_MAIN(tst_FrontEndChoice)
#include "tst_frontendchoice.moc"
