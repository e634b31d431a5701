// The Run Settings dialog's host pacing, HTTP options and what happens when a run ends: the
// fields make the settings the CLI's options make, values the CLI refuses are refused with
// the same words next to their field, everything but --insecure is remembered, and the
// window runs the run-end command with the CLI's environment.
#include "TestFiles.h"
#include "journal/Journal.h"
#include "run/RunSettingsFile.h"
#include "terminal/CliParser.h"
#include "window/MainWindow.h"
#include "window/settings/RunSettingsDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Brigade;

namespace {

// The Hosts and HTTP fields as a user fills them in.
struct HostChoices
{
    QString rates; // one a line
    int hostInFlight = 0;
    int breaker = 0;
    int breakerCooldownMs = 10000;
    int maxRetryAfterMs = 300000;
    int priorityAgingMs = 1000;
    int hostConnections = 256;
    int maxBodyMiB = 64;
    bool http1 = false;
    bool insecure = false;
    QString caFile;
    QString proxy;
};

} // namespace

Q_DECLARE_METATYPE(HostChoices)

class tst_RunSettingsDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void fieldsMakeTheCliSettings_data();
    void fieldsMakeTheCliSettings();
    void badValuesAreRefusedWithTheCliWords_data();
    void badValuesAreRefusedWithTheCliWords();
    void choicesAreRemembered();
    void runEndCommandRunsWithTheCounts();
    void screenshot();

private:
    template<typename T>
    T *field(RunSettingsDialog &dialog, const char *name)
    {
        T *w = dialog.findChild<T *>(QLatin1String(name));
        if (!w)
            qWarning("no field %s", name);
        return w;
    }
    void fill(RunSettingsDialog &dialog, const HostChoices &c);
    QString problem(RunSettingsDialog &dialog, const char *label);
    QPushButton *ok(RunSettingsDialog &dialog)
    {
        return dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }

    QTemporaryDir m_dir;
    QString m_pem;
};

void tst_RunSettingsDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("BrigadeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_runsettingsdialog"));
    QDir(Journal::defaultDirectory()).removeRecursively();
    QVERIFY(m_dir.isValid());
    // A file that holds a certificate as far as the rule looks (it is never used here).
    m_pem = Test::writeTestFile(m_dir, QStringLiteral("ca.pem"),
                                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
}

void tst_RunSettingsDialog::init()
{
    QSettings().clear();
}

void tst_RunSettingsDialog::fill(RunSettingsDialog &dialog, const HostChoices &c)
{
    dialog.tabs()->setCurrentIndex(RunSettingsDialog::HostsTab);
    field<QPlainTextEdit>(dialog, "rates")->setPlainText(c.rates);
    field<QSpinBox>(dialog, "hostInFlight")->setValue(c.hostInFlight);
    field<QSpinBox>(dialog, "breaker")->setValue(c.breaker);
    field<QSpinBox>(dialog, "breakerCooldown")->setValue(c.breakerCooldownMs);
    field<QSpinBox>(dialog, "maxRetryAfter")->setValue(c.maxRetryAfterMs);
    field<QSpinBox>(dialog, "priorityAging")->setValue(c.priorityAgingMs);
    field<QSpinBox>(dialog, "hostConnections")->setValue(c.hostConnections);
    field<QSpinBox>(dialog, "maxBody")->setValue(c.maxBodyMiB);
    field<QCheckBox>(dialog, "http1")->setChecked(c.http1);
    field<QCheckBox>(dialog, "insecure")->setChecked(c.insecure);
    QLineEdit *ca = field<QLineEdit>(dialog, "caFile");
    ca->clear();
    QTest::keyClicks(ca, c.caFile);
    QLineEdit *proxy = field<QLineEdit>(dialog, "proxy");
    proxy->clear();
    QTest::keyClicks(proxy, c.proxy);
}

QString tst_RunSettingsDialog::problem(RunSettingsDialog &dialog, const char *label)
{
    auto *l = field<QLabel>(dialog, label);
    return l && !l->isHidden() ? l->text() : QString();
}

void tst_RunSettingsDialog::fieldsMakeTheCliSettings_data()
{
    QTest::addColumn<HostChoices>("choices");
    QTest::addColumn<QStringList>("cli");
    QTest::newRow("defaults") << HostChoices{} << QStringList{};
    HostChoices c;
    c.rates = QStringLiteral("api.example.com=10/s:burst=5\n\n*=600/min");
    c.hostInFlight = 4;
    c.breaker = 5;
    c.breakerCooldownMs = 2500;
    c.maxRetryAfterMs = 0;
    c.priorityAgingMs = 50;
    QTest::newRow("pacing") << c
                            << QStringList{"--rate",
                                           "api.example.com=10/s:burst=5",
                                           "--rate",
                                           "*=600/min",
                                           "--host-in-flight",
                                           "4",
                                           "--breaker",
                                           "5",
                                           "--breaker-cooldown-ms",
                                           "2500",
                                           "--max-retry-after-ms",
                                           "0",
                                           "--priority-aging-ms",
                                           "50"};
    c = HostChoices{};
    c.hostConnections = 0;
    c.maxBodyMiB = 2;
    c.http1 = true;
    c.insecure = true;
    c.caFile = m_pem;
    c.proxy = QStringLiteral("socks5h://127.0.0.1:1080");
    QTest::newRow("http") << c
                          << QStringList{"--max-host-connections",
                                         "0",
                                         "--max-bytes",
                                         "2097152",
                                         "--http1",
                                         "--insecure",
                                         "--cacert",
                                         m_pem,
                                         "--proxy",
                                         "socks5h://127.0.0.1:1080"};
}

void tst_RunSettingsDialog::fieldsMakeTheCliSettings()
{
    QFETCH(HostChoices, choices);
    QFETCH(QStringList, cli);
    CliOptions options;
    QString error;
    QVERIFY2(CliParser::parse(QStringList{"run", "batch.jsonl"} + cli, &options, &error),
             qPrintable(error));
    RunSettingsDialog dialog(RunSettings{});
    fill(dialog, choices);
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join('\n')));
    QVERIFY(ok(dialog)->isEnabled());
    QTest::mouseClick(ok(dialog), Qt::LeftButton);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    const RunSettings s = dialog.settings();
    const RunSettings &want = options.settings;
    QVERIFY(s.pacing == want.pacing);
    QCOMPARE(s.maxHostConnections, want.maxHostConnections);
    QCOMPARE(s.maxBytes, want.maxBytes);
    QCOMPARE(s.http1, want.http1);
    QCOMPARE(s.insecure, want.insecure);
    QCOMPARE(s.caCertificates, want.caCertificates);
    QCOMPARE(s.caCertificatesFile, want.caCertificatesFile);
    QCOMPARE(s.proxy, want.proxy);
    // The insecure choice says what it costs, as the CLI does.
    QCOMPARE(problem(dialog, "insecureWarning"),
             choices.insecure ? RunSettings::insecureWarning() : QString());
}

void tst_RunSettingsDialog::badValuesAreRefusedWithTheCliWords_data()
{
    QTest::addColumn<HostChoices>("choices");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QStringList>("cli");
    HostChoices c;
    c.rates = QStringLiteral("api.example.com=ten/s");
    QTest::newRow("rate") << c << "ratesProblem" << QStringList{"--rate", c.rates};
    c.rates = QStringLiteral("a.example=1/s\nhttp://x y=1/s");
    QTest::newRow("second rate") << c << "ratesProblem" << QStringList{"--rate", "http://x y=1/s"};
    c.rates = QStringLiteral("a.example=0.0001/s");
    QTest::newRow("rate too low") << c << "ratesProblem" << QStringList{"--rate", c.rates};
    c = HostChoices{};
    c.proxy = QStringLiteral("ftp://proxy.example");
    QTest::newRow("proxy") << c << "proxyProblem" << QStringList{"--proxy", c.proxy};
    c = HostChoices{};
    c.caFile = m_dir.filePath(QStringLiteral("missing.pem"));
    QTest::newRow("missing CA file") << c << "caProblem" << QStringList{"--cacert", c.caFile};
    c.caFile = Test::writeTestFile(m_dir, QStringLiteral("not.pem"), "hello\n");
    QTest::newRow("not PEM") << c << "caProblem" << QStringList{"--cacert", c.caFile};
}

void tst_RunSettingsDialog::badValuesAreRefusedWithTheCliWords()
{
    QFETCH(HostChoices, choices);
    QFETCH(QString, label);
    QFETCH(QStringList, cli);
    CliOptions options;
    QString cliError;
    QVERIFY(!CliParser::parse(QStringList{"run", "batch.jsonl"} + cli, &options, &cliError));
    RunSettingsDialog dialog(RunSettings{});
    fill(dialog, choices);
    const QString shown = problem(dialog, qPrintable(label));
    QVERIFY2(!shown.isEmpty(), qPrintable(label));
    // The CLI names the option first: the rest is the same sentence.
    const QString message = cliError.section(QStringLiteral(": "), 1);
    // (Its first letter a capital: it starts a sentence here.)
    QVERIFY2(shown.endsWith(message.mid(1))
                     && shown.at(shown.size() - message.size()).toLower()
                                == message.front().toLower(),
             qPrintable(shown + QStringLiteral(" | ") + cliError));
    QVERIFY(!ok(dialog)->isEnabled());
    QVERIFY(!dialog.problems().isEmpty());
    // Shown on another tab too, so OK being off is never a mystery.
    dialog.tabs()->setCurrentIndex(RunSettingsDialog::TasksTab);
    QVERIFY2(dialog.findChild<QLabel *>(QStringLiteral("settingsNote"))
                     ->text()
                     .startsWith(QStringLiteral("Hosts and HTTP: ")),
             qPrintable(dialog.findChild<QLabel *>(QStringLiteral("settingsNote"))->text()));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
}

void tst_RunSettingsDialog::choicesAreRemembered()
{
    HostChoices c;
    c.rates = QStringLiteral("api.example.com=10/s:burst=5\n*=600/min");
    c.hostInFlight = 4;
    c.breaker = 5;
    c.hostConnections = 32;
    c.maxBodyMiB = 8;
    c.http1 = true;
    c.insecure = true;
    c.caFile = m_pem;
    c.proxy = QStringLiteral("http://127.0.0.1:3128");
    RunSettings chosen;
    {
        RunSettingsDialog dialog(RunSettings{});
        fill(dialog, c);
        dialog.tabs()->setCurrentIndex(RunSettingsDialog::RunEndTab);
        QTest::keyClicks(field<QLineEdit>(dialog, "finishCommand"), QStringLiteral("true"));
        field<QCheckBox>(dialog, "finishBell")->setChecked(true);
        field<QCheckBox>(dialog, "finishNotify")->setChecked(false);
        dialog.accept();
        chosen = dialog.settings();
        RunSettingsFile::save(chosen);
        dialog.runEndActions().save();
    }
    const RunSettings loaded = RunSettingsFile::load();
    QVERIFY(loaded.pacing == chosen.pacing);
    QCOMPARE(loaded.pacing.rates.size(), 2);
    QCOMPARE(loaded.maxHostConnections, 32);
    QCOMPARE(loaded.maxBytes, qint64(8) << 20);
    QVERIFY(loaded.http1);
    QVERIFY(!loaded.insecure); // never remembered
    QCOMPARE(loaded.caCertificatesFile, m_pem);
    QVERIFY(loaded.caCertificates.contains("BEGIN CERTIFICATE"));
    QCOMPARE(loaded.proxy, QByteArray("http://127.0.0.1:3128"));
    const RunEndActions end = RunEndActions::load();
    QCOMPARE(end.command, QStringLiteral("true"));
    QVERIFY(end.bell);
    QVERIFY(!end.notify);
    // A dialog opened on them shows them again.
    RunSettingsDialog again(loaded);
    again.setRunEndActions(end);
    // As --rate would print them: 600/min is 10/s.
    QCOMPARE(field<QPlainTextEdit>(again, "rates")->toPlainText(),
             QStringLiteral("api.example.com=10/s:burst=5\n*=10/s"));
    QCOMPARE(field<QLineEdit>(again, "caFile")->text(), m_pem);
    QCOMPARE(field<QLineEdit>(again, "finishCommand")->text(), QStringLiteral("true"));
    QVERIFY(again.problems().isEmpty());
}

void tst_RunSettingsDialog::runEndCommandRunsWithTheCounts()
{
    MainWindow window;
    RunSettings s = window.runSettings();
    s.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    s.workers = 1;
    s.maxAttempts = 1;
    window.setRunSettings(s);
    const QString out = m_dir.filePath(QStringLiteral("run-end.txt"));
    RunEndActions end;
    end.command = QStringLiteral("sh -c 'echo \"$BRIGADE_STATUS $BRIGADE_TOTAL $BRIGADE_SUCCEEDED "
                                 "$BRIGADE_FAILED\" > \"$0\"' ")
                  + out;
    end.notify = false;
    window.setRunEndActions(end);
    const QString batch
            = Test::writeTestFile(m_dir, QStringLiteral("end.jsonl"),
                                  "{\"id\":\"a\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n"
                                  "{\"id\":\"b\",\"fetch\":{\"delay_ms\":1,\"fail_rate\":1}}\n");
    QSignalSpy loaded(&window, &MainWindow::batchLoaded);
    window.openBatch(batch);
    QVERIFY(loaded.wait(20000));
    QSignalSpy ran(&window, &MainWindow::runEndCommandFinished);
    window.action(MainWindow::Action::Run)->trigger();
    QVERIFY(ran.wait(60000));
    QCOMPARE(ran.first().first().toString(), QString());
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("1 2 1 1\n"));

    // A command that fails is said, not hidden.
    end.command = QStringLiteral("sh -c 'exit 4'");
    window.setRunEndActions(end);
    window.action(MainWindow::Action::RetryFailed)->trigger();
    QVERIFY(ran.wait(60000));
    QCOMPARE(ran.last().first().toString(), QStringLiteral("exited with status 4"));
}

void tst_RunSettingsDialog::screenshot()
{
    // For people to look at: the two new tabs, in the build tree.
    HostChoices c;
    c.rates = QStringLiteral("api.example.com=10/s:burst=5\n*=600/min");
    c.hostInFlight = 16;
    c.breaker = 5;
    c.proxy = QStringLiteral("ftp://proxy.example");
    RunSettingsDialog dialog(RunSettings{});
    fill(dialog, c);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    const QString dir = QCoreApplication::applicationDirPath();
    QVERIFY(dialog.grab().save(dir + QStringLiteral("/run-settings-hosts.png")));
    dialog.tabs()->setCurrentIndex(RunSettingsDialog::RunEndTab);
    QTest::keyClicks(field<QLineEdit>(dialog, "finishCommand"),
                     QStringLiteral("notify-send 'Brigade done"));
    QVERIFY(!problem(dialog, "finishProblem").isEmpty());
    QVERIFY(dialog.grab().save(dir + QStringLiteral("/run-settings-run-end.png")));
    qInfo("screenshots: %s/run-settings-*.png", qPrintable(dir));
}

QTEST_MAIN(tst_RunSettingsDialog)
#include "tst_runsettingsdialog.moc"
