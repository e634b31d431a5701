// The man page is made from the help texts: their layout turned into roff (as a table of
// small texts), and brigade's real help rendered by groff, as man shows it, with nothing
// of --help missing.
#include "terminal/CliParser.h"
#include "terminal/ManPage.h"
#include "worker/WorkerOptions.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

class tst_ManPage : public QObject
{
    Q_OBJECT
private slots:
    void roff_data();
    void roff();
    void commandHelpBecomesASubsection();
    void groffShowsEveryLineOfTheHelp_data();
    void groffShowsEveryLineOfTheHelp();

private:
    static QString render(const QString &help);
};

QString tst_ManPage::render(const QString &help)
{
    Brigade::ManPage page(QStringLiteral("prog"), QStringLiteral("does things"),
                          QStringLiteral("Prog 1.0"));
    page.setMainHelp(help);
    return page.render();
}

void tst_ManPage::roff_data()
{
    QTest::addColumn<QString>("help");
    QTest::addColumn<QString>("expected"); // a piece of the page

    QTest::newRow("header and name")
            << QString("Usage: prog [options]\n")
            << QString(".TH PROG 1 \"\" \"Prog 1.0\" \"User Commands\"\n.nh\n.ad l\n.SH NAME\n"
                       "prog \\- does things\n");
    QTest::newRow("synopsis, then description")
            << QString("Usage: prog [options] batch\nRuns a batch.\n")
            << QString(".SH SYNOPSIS\n.B prog\n[options] batch\n.SH DESCRIPTION\nRuns a batch.\n");
    QTest::newRow("a heading is a section")
            << QString("Usage: prog\n\nOptions:\n") << QString(".SH OPTIONS\n");
    QTest::newRow("option with a value, wrapped description")
            << QString("Usage: prog\n\nOptions:\n"
                       "  -w, --workers <N>  Worker processes, one per\n"
                       "                     core by default.\n")
            << QString(".TP\n\\fB\\-w\\fR, \\fB\\-\\-workers\\fR \\fI<N>\\fR\n"
                       "Worker processes, one per\ncore by default.\n");
    QTest::newRow("command list in the description")
            << QString("Usage: prog\nIntro.\n\n  prog run BATCH [options]  run BATCH\n")
            << QString(".TP\n\\fBprog\\fR \\fBrun\\fR \\fIBATCH\\fR [options]\nrun BATCH\n");
    QTest::newRow("paragraph after a list")
            << QString("Usage: prog\n  a  b\n\nAfter.\n") << QString("b\n.PP\nAfter.\n");
    QTest::newRow("dashes of options in text are minus signs, hyphens stay")
            << QString("Usage: prog\nSee \"--partition debug\" and comma-separated -p.\n")
            << QString("See \"\\-\\-partition debug\" and comma-separated \\-p.\n");
    QTest::newRow("backslash") << QString("Usage: prog\nA \\ b\n") << QString("A \\e b\n");
    QTest::newRow("control character at a line start")
            << QString("Usage: prog\n.jsonl files\n'quoted'\n")
            << QString("\\&.jsonl files\n\\&'quoted'\n");
    QTest::newRow("an example block")
            << QString("Usage: prog\nFor instance\n\n  prog run x.jsonl\n    -o y\n")
            << QString(".PP\n.RS 4\n.nf\nprog run x.jsonl\n  \\-o y\n.fi\n.RE\n");
}

void tst_ManPage::roff()
{
    QFETCH(QString, help);
    QFETCH(QString, expected);
    const QString page = render(help);
    QVERIFY2(page.contains(expected), qPrintable(page));
}

void tst_ManPage::commandHelpBecomesASubsection()
{
    Brigade::ManPage page(QStringLiteral("prog"), QStringLiteral("does things"),
                          QStringLiteral("Prog 1.0"));
    page.setMainHelp(QStringLiteral("Usage: prog COMMAND\nDoes things.\n"));
    page.addCommandHelp(QStringLiteral("prog run"),
                        QStringLiteral("Usage: prog run BATCH\nRuns BATCH.\n\nOptions:\n"
                                       "  --fast  Go fast.\n"));
    page.addSeeAlso(QStringLiteral("prog-worker(1)"));
    const QString roff = page.render();
    QVERIFY2(roff.contains(QLatin1String(".SH COMMANDS\n.SS \"prog run\"\n.PP\n.B prog\nrun "
                                         "BATCH\n.PP\nRuns BATCH.\n.PP\n.B Options\n.TP\n"
                                         "\\fB\\-\\-fast\\fR\nGo fast.\n")),
             qPrintable(roff));
    QVERIFY(roff.endsWith(QLatin1String(".SH SEE ALSO\n.BR prog-worker (1)\n")));
}

void tst_ManPage::groffShowsEveryLineOfTheHelp_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QString>("help");
    QTest::newRow("brigade") << QString("brigade") << Brigade::CliParser::helpText();
    // Each command's own help, as the page's COMMANDS section has it.
    for (const Brigade::HelpTopic &topic : Brigade::CliParser::helpTopics()) {
        if (!topic.command.isEmpty())
            QTest::newRow(qPrintable(topic.command)) << QString("brigade") << topic.text;
    }
    QTest::newRow("brigade-worker")
            << QString("brigade-worker") << Brigade::WorkerOptions::helpText();
}

void tst_ManPage::groffShowsEveryLineOfTheHelp()
{
    QFETCH(QString, program);
    QFETCH(QString, help);
    const QString groff = QStandardPaths::findExecutable(QStringLiteral("groff"));
    QVERIFY2(!groff.isEmpty(), "groff is needed (package groff-base, in .ci/install-deps)");
    Brigade::ManPage page(program, QStringLiteral("summary"), QStringLiteral("Brigade 1"));
    page.setMainHelp(help);

    // -ww: every warning; -Tutf8 with Debian's man.local, as man-db runs it.
    QProcess p;
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start(groff, {QStringLiteral("-man"), QStringLiteral("-ww"), QStringLiteral("-Tutf8"),
                    QStringLiteral("-P-cbou"), QStringLiteral("-rLL=200n")});
    p.write(page.render().toUtf8());
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(30000));
    const QByteArray warnings = p.readAllStandardError();
    QVERIFY2(warnings.isEmpty(), warnings.constData());
    QCOMPARE(p.exitCode(), 0);

    // Every word of the help, in order (line breaks and spacing are the page's own).
    static const QRegularExpression space(QStringLiteral("\\s+"));
    const QString shown = QString::fromUtf8(p.readAllStandardOutput()).simplified();
    qsizetype at = 0;
    // A heading ("Exit status:") shows as one, in capitals without its colon.
    QStringList helpLines = help.split(QLatin1Char('\n'));
    for (QString &line : helpLines) {
        if (!line.isEmpty() && !line.front().isSpace() && line.endsWith(QLatin1Char(':'))
            && line.count(QLatin1Char(' ')) == 1)
            line = line.chopped(1).toUpper();
    }
    for (const QString &word : helpLines.join(QLatin1Char('\n')).split(space, Qt::SkipEmptyParts)) {
        if (word == QLatin1String("Usage:"))
            continue; // the synopsis has a heading of its own
        const QString expected = word.endsWith(QLatin1Char(':')) && word.front().isUpper()
                                         ? word.chopped(1).toUpper() // a heading
                                         : word;
        const qsizetype found = shown.indexOf(expected, at);
        QVERIFY2(found >= 0, qPrintable(QStringLiteral("\"%1\" missing after: %2")
                                                .arg(expected, shown.mid(at, 200))));
        at = found + expected.size();
    }
}

QTEST_GUILESS_MAIN(tst_ManPage)
#include "tst_manpage.moc"
