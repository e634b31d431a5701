// The Help menu's pages: Quick Start and Batch File Format open as readable dialogs whose
// text is the documentation's own (docs/*.md), at a size that fits the screen.
#include "WindowTestSetup.h"
#include "window/HelpDialog.h"
#include "window/MainWindow.h"

#include <QAction>
#include <QFile>
#include <QMenuBar>
#include <QScreen>
#include <QTest>
#include <QTextBrowser>

using namespace Brigade;

class tst_HelpDialog : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void pagesAreTheDocs_data();
    void pagesAreTheDocs();
    void helpMenuOpensThem();
};

void tst_HelpDialog::initTestCase()
{
    Test::isolateWindowSettings(QStringLiteral("tst_helpdialog"));
}

void tst_HelpDialog::pagesAreTheDocs_data()
{
    QTest::addColumn<int>("page");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("batch format") << int(HelpDialog::Page::BatchFormat)
                                  << QStringLiteral("docs/batch-format.md")
                                  << QStringLiteral("one JSON object per line");
    QTest::newRow("quick start") << int(HelpDialog::Page::QuickStart)
                                 << QStringLiteral("docs/quick-start.md")
                                 << QStringLiteral("brigade run --help");
    QTest::newRow("quick start: commands added later are asked about")
            << int(HelpDialog::Page::QuickStart) << QStringLiteral("docs/quick-start.md")
            << QStringLiteral("Accept Commands from brigade submit");
}

void tst_HelpDialog::pagesAreTheDocs()
{
    QFETCH(int, page);
    QFETCH(QString, file);
    QFETCH(QString, phrase);
    QFile doc(QStringLiteral(BRIGADE_SOURCE_DIR "/") + file);
    QVERIFY(doc.open(QIODevice::ReadOnly));
    // The very text of the file in the repository, built in.
    QCOMPARE(HelpDialog::markdown(HelpDialog::Page(page)), QString::fromUtf8(doc.readAll()));
    HelpDialog dialog{HelpDialog::Page(page)};
    const QString shown = dialog.browser()->toPlainText();
    QVERIFY2(shown.contains(phrase), qPrintable(shown.left(400)));
    QVERIFY(!shown.contains(QLatin1String("```"))); // rendered, not raw Markdown
}

void tst_HelpDialog::helpMenuOpensThem()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QMenu *help = nullptr;
    for (QAction *a : window.menuBar()->actions()) {
        if (a->text().remove(QLatin1Char('&')) == QLatin1String("Help"))
            help = a->menu();
    }
    QVERIFY(help);
    QStringList entries;
    for (QAction *a : help->actions())
        entries << a->text().remove(QLatin1Char('&'));
    QVERIFY2(entries.contains(QLatin1String("Quick Start")), qPrintable(entries.join(u',')));
    QVERIFY2(entries.contains(QLatin1String("Batch File Format")), qPrintable(entries.join(u',')));
    QVERIFY2(entries.contains(QLatin1String("About Brigade")), qPrintable(entries.join(u',')));

    window.action(MainWindow::Action::QuickStart)->trigger();
    auto *dialog = window.findChild<HelpDialog *>(QStringLiteral("quickStartHelp"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->windowTitle(), QStringLiteral("Quick Start"));
    // Readable: wide enough for a line of the docs, and within the screen.
    const QRect screen = window.screen()->availableGeometry();
    QVERIFY(dialog->width() <= screen.width() && dialog->height() <= screen.height());
    QVERIFY2(dialog->browser()->viewport()->width()
                     >= dialog->browser()->fontMetrics().averageCharWidth() * 60,
             qPrintable(QString::number(dialog->browser()->viewport()->width())));
    // Asked again, the same dialog comes up, not a second one.
    window.action(MainWindow::Action::QuickStart)->trigger();
    QCOMPARE(window.findChildren<HelpDialog *>().size(), 1);
    window.action(MainWindow::Action::BatchFormat)->trigger();
    auto *format = window.findChild<HelpDialog *>(QStringLiteral("batchFormatHelp"));
    QVERIFY(format);
    QTRY_VERIFY(format->isVisible());
    QVERIFY(format->browser()->toPlainText().contains(QLatin1String("JSON Lines")));
}

QTEST_MAIN(tst_HelpDialog)
#include "tst_helpdialog.moc"
