// Smoke test of the real application: starts the brigade binary under Xvfb with the demo
// batch, lets it run, and has it save a screenshot of its window (BRIGADE_SCREENSHOT).
// The PNG stays in the build tree (tests/window-screenshot.png) for people to look at.
#include <QColor>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class tst_Screenshot : public QObject
{
    Q_OBJECT

private slots:
    void demoRunsAndLooksAlive();
};

void tst_Screenshot::demoRunsAndLooksAlive()
{
    const QString xvfbRun = QStandardPaths::findExecutable(QStringLiteral("xvfb-run"));
    if (xvfbRun.isEmpty())
        QSKIP("xvfb-run is not installed");
    const QString demo = QStringLiteral(BRIGADE_SOURCE_DIR "/resources/demo/demo.jsonl");
    QVERIFY(QFileInfo::exists(demo));
    const QString shot
            = QCoreApplication::applicationDirPath() + QStringLiteral("/window-screenshot.png");
    QFile::remove(shot);

    QTemporaryDir config; // no recent files or geometry from anyone's real settings
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM")); // ctest sets offscreen; this one is real X
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
    env.insert(QStringLiteral("BRIGADE_AUTORUN"), QStringLiteral("1"));
    // Mid-run: the demo takes 10-20 s on two cores.
    env.insert(QStringLiteral("BRIGADE_SCREENSHOT"), shot + QStringLiteral(":5000"));

    QProcess app;
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    app.start(xvfbRun,
              {QStringLiteral("-a"), QStringLiteral("-s"), QStringLiteral("-screen 0 1280x800x24"),
               QStringLiteral(BRIGADE_APP_PATH), demo});
    QVERIFY2(app.waitForStarted(10000), qPrintable(app.errorString()));
    QVERIFY2(app.waitForFinished(120000), "brigade did not quit after its screenshot");
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 0);

    QImage image(shot);
    QVERIFY2(!image.isNull(), qPrintable(shot));
    QVERIFY(image.width() >= 1000 && image.height() >= 600);
    // Not blank: a real window has text, bars and a chart in many colours.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    }
    QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
    // The status colours show: green for succeeded tasks, somewhere in the window.
    bool green = false;
    for (QRgb c : std::as_const(colours)) {
        const QColor colour(c);
        green = green || (colour.green() > 140 && colour.red() < 80 && colour.blue() < 120);
    }
    QVERIFY(green);
    qInfo("screenshot: %s", qPrintable(shot));
}

QTEST_GUILESS_MAIN(tst_Screenshot)
#include "tst_screenshot.moc"
