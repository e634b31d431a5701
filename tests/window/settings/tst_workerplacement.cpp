// Where workers run, chosen in the Run Settings dialog: the choices make the same worker
// groups as the CLI's options for them, choices that cannot run are refused with their
// reason next to the fields, and everything typed is remembered.
#include "DescribeGroups.h"
#include "run/RunSettingsFile.h"
#include "run/WorkerGroups.h"
#include "terminal/CliParser.h"
#include "window/settings/RunSettingsDialog.h"
#include "window/settings/WorkerPlacementEditor.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Brigade;

namespace {

QString describe(const RunSettings &s)
{
    return Test::describeGroups(s);
}

// The dialog's fields as a user fills them in.
struct Choices
{
    bool local = true;
    int localWorkers = 0;
    QStringList hosts; // typed into the host cells, "node2*4" included
    QString sshOptions;
    int slurmWorkers = 0; // 0: Slurm off
    QString partition;
    QString timeLimit;
    QString srunOptions;
    QString slurmConf;
    int queueTimeoutMs = 0;
    QString launcher; // empty: off
    int launcherWorkers = 1;
    QString remoteWorker;
};

} // namespace

Q_DECLARE_METATYPE(Choices)

class tst_WorkerPlacement : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void dialogMakesTheCliGroups_data();
    void dialogMakesTheCliGroups();
    void noWorkersIsRefused();
    void badHostsAreRefused();
    void badSlurmChoicesAreRefused();
    void badLauncherIsRefused();
    void choicesAreRemembered();
    void screenshot();

private:
    template<typename T>
    T *field(RunSettingsDialog &dialog, const char *name)
    {
        return dialog.findChild<T *>(QLatin1String(name));
    }
    void fill(RunSettingsDialog &dialog, const Choices &c);
    void type(QLineEdit *edit, const QString &text);
    void typeHost(RunSettingsDialog &dialog, const QString &text);
    QPushButton *ok(RunSettingsDialog &dialog);
    // The problem shown in this label; empty when the label is hidden.
    QString problem(RunSettingsDialog &dialog, const char *label);

    QTemporaryDir m_dir;
    QString m_slurmConf;
};

void tst_WorkerPlacement::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("BrigadeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_workerplacement"));
    QVERIFY(m_dir.isValid());
    // The dialog wants ssh and srun on the PATH before it takes ssh or Slurm workers;
    // stand-ins make that so on machines without them. They are never run here.
    for (const char *name : {"ssh", "srun"}) {
        QFile tool(m_dir.filePath(QLatin1String(name)));
        QVERIFY(tool.open(QIODevice::WriteOnly));
        tool.write("#!/bin/sh\nexit 1\n");
        tool.close();
        QVERIFY(tool.setPermissions(tool.permissions() | QFile::ExeOwner));
    }
    qputenv("PATH", m_dir.path().toLocal8Bit() + ':' + qgetenv("PATH"));
    m_slurmConf = m_dir.filePath(QStringLiteral("slurm.conf"));
    QFile conf(m_slurmConf);
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write("ClusterName=test\n");
}

void tst_WorkerPlacement::init()
{
    QSettings().clear();
}

void tst_WorkerPlacement::type(QLineEdit *edit, const QString &text)
{
    QVERIFY(edit);
    edit->clear();
    QTest::keyClicks(edit, text);
    QCOMPARE(edit->text(), text);
}

void tst_WorkerPlacement::typeHost(RunSettingsDialog &dialog, const QString &text)
{
    // Add Host opens a new row for its name; committing the edit sets the cell's text.
    auto *table = field<QTableWidget>(dialog, "sshHosts");
    QVERIFY(table);
    const int rows = table->rowCount();
    field<QPushButton>(dialog, "addSshHost")->click();
    QCOMPARE(table->rowCount(), rows + 1);
    table->item(rows, 0)->setText(text);
}

void tst_WorkerPlacement::fill(RunSettingsDialog &dialog, const Choices &c)
{
    field<QGroupBox>(dialog, "localBox")->setChecked(c.local);
    field<QSpinBox>(dialog, "localWorkers")->setValue(c.localWorkers);
    field<QGroupBox>(dialog, "sshBox")->setChecked(!c.hosts.isEmpty());
    for (const QString &host : c.hosts)
        typeHost(dialog, host);
    type(field<QLineEdit>(dialog, "sshOptions"), c.sshOptions);
    field<QGroupBox>(dialog, "slurmBox")->setChecked(c.slurmWorkers > 0);
    if (c.slurmWorkers > 0)
        field<QSpinBox>(dialog, "slurmWorkers")->setValue(c.slurmWorkers);
    type(field<QLineEdit>(dialog, "slurmPartition"), c.partition);
    type(field<QLineEdit>(dialog, "slurmTime"), c.timeLimit);
    type(field<QLineEdit>(dialog, "srunOptions"), c.srunOptions);
    type(field<QLineEdit>(dialog, "slurmConf"), c.slurmConf);
    field<QSpinBox>(dialog, "queueTimeout")->setValue(c.queueTimeoutMs);
    field<QGroupBox>(dialog, "launcherBox")->setChecked(!c.launcher.isEmpty());
    type(field<QLineEdit>(dialog, "launcherCommand"), c.launcher);
    field<QSpinBox>(dialog, "launcherWorkers")->setValue(c.launcherWorkers);
    type(field<QLineEdit>(dialog, "remoteWorker"), c.remoteWorker);
}

QPushButton *tst_WorkerPlacement::ok(RunSettingsDialog &dialog)
{
    return dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
}

QString tst_WorkerPlacement::problem(RunSettingsDialog &dialog, const char *label)
{
    auto *l = field<QLabel>(dialog, label);
    return l && !l->isHidden() ? l->text() : QString();
}

void tst_WorkerPlacement::dialogMakesTheCliGroups_data()
{
    QTest::addColumn<Choices>("choices");
    QTest::addColumn<QStringList>("cli");
    const QString perCore = QString::number(qMax(1, QThread::idealThreadCount()));

    QTest::newRow("this machine, one per core") << Choices{} << QStringList{};

    Choices c;
    c.localWorkers = 3;
    QTest::newRow("this machine, three") << c << QStringList{"--workers", "3"};

    c = Choices{};
    c.local = false;
    c.hosts = QStringList{"node2*4", "me@node3"};
    c.sshOptions = R"(-p 2222 -o "ProxyJump gw.example.org")";
    QTest::newRow("ssh hosts only")
            << c << QStringList{"--workers",     "0",
                                "--ssh",         "node2*4",
                                "--ssh",         "me@node3",
                                "--ssh-options", R"(-p 2222 -o "ProxyJump gw.example.org")"};

    c = Choices{};
    c.localWorkers = 2;
    c.hosts = QStringList{"node2*2"};
    c.slurmWorkers = 5;
    c.partition = "debug";
    c.timeLimit = "1-12:00:00";
    c.srunOptions = "--mem 2G";
    c.slurmConf = m_slurmConf;
    c.queueTimeoutMs = 60000;
    c.launcher = "sh -c \"exec brigade-worker\"";
    c.launcherWorkers = 3;
    c.remoteWorker = "/opt/brigade/bin/brigade-worker";
    QTest::newRow("everything mixed") << c
                                      << QStringList{"--workers",
                                                     "2",
                                                     "--ssh",
                                                     "node2*2",
                                                     "--slurm",
                                                     "5",
                                                     "--srun-options",
                                                     "--partition debug --time 1-12:00:00 --mem 2G",
                                                     "--slurm-conf",
                                                     m_slurmConf,
                                                     "--queue-timeout-ms",
                                                     "60000",
                                                     "--launcher",
                                                     "sh -c \"exec brigade-worker\"",
                                                     "--launcher-workers",
                                                     "3",
                                                     "--remote-worker",
                                                     "/opt/brigade/bin/brigade-worker"};

    // One per core beside other workers is a number: 0 would mean none here.
    c = Choices{};
    c.launcher = "/bin/sh";
    QTest::newRow("one per core beside a launcher")
            << c << QStringList{"--workers", perCore, "--launcher", "/bin/sh"};

    c = Choices{};
    c.local = false;
    c.slurmWorkers = 64;
    c.partition = "batch,debug";
    QTest::newRow("Slurm only") << c
                                << QStringList{"--slurm", "64", "--srun-options",
                                               "--partition batch,debug"};
}

void tst_WorkerPlacement::dialogMakesTheCliGroups()
{
    QFETCH(Choices, choices);
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
    QCOMPARE(describe(dialog.settings()), describe(options.settings));
    QCOMPARE(dialog.settings().effectiveWorkers(), options.settings.effectiveWorkers());
}

void tst_WorkerPlacement::noWorkersIsRefused()
{
    RunSettingsDialog dialog(RunSettings{});
    QVERIFY(ok(dialog)->isEnabled());
    QVERIFY(problem(dialog, "workerSummary").startsWith("The next run starts"));
    field<QGroupBox>(dialog, "localBox")->setChecked(false);
    QCOMPARE(problem(dialog, "workerSummary"),
             QStringLiteral("No workers: turn on this machine, ssh hosts, Slurm or a custom "
                            "launcher."));
    QVERIFY(!ok(dialog)->isEnabled());
    dialog.show();
    dialog.accept(); // Enter, or anything else that accepts, is refused too
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));

    // Any one place for workers makes it acceptable again.
    field<QGroupBox>(dialog, "launcherBox")->setChecked(true);
    type(field<QLineEdit>(dialog, "launcherCommand"), "/bin/sh");
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join('\n')));
    QVERIFY(ok(dialog)->isEnabled());
    QCOMPARE(problem(dialog, "workerSummary"),
             QStringLiteral("The next run starts 1 worker: 1 through the launcher."));
    QTest::mouseClick(ok(dialog), Qt::LeftButton);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

void tst_WorkerPlacement::badHostsAreRefused()
{
    RunSettingsDialog dialog(RunSettings{});
    field<QGroupBox>(dialog, "sshBox")->setChecked(true);
    QCOMPARE(problem(dialog, "sshProblem"), QStringLiteral("Add a host, or turn ssh hosts off."));
    QVERIFY(!ok(dialog)->isEnabled());

    auto *table = field<QTableWidget>(dialog, "sshHosts");
    typeHost(dialog, "node 2");
    QCOMPARE(problem(dialog, "sshProblem"),
             QStringLiteral("\u201cnode 2\u201d is not a host name: it has a space in it."));
    QVERIFY(!ok(dialog)->isEnabled());

    table->item(0, 0)->setText("node2*0");
    QCOMPARE(problem(dialog, "sshProblem"),
             QStringLiteral("\u201cnode2*0\u201d is not a host: write HOST or HOST*N with N "
                            "from 1 to 1024."));
    QVERIFY(!ok(dialog)->isEnabled());

    // host*N is the CLI's spelling: it becomes the host and its worker count.
    table->item(0, 0)->setText("node2*3");
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("node2"));
    QCOMPARE(table->item(0, 1)->data(Qt::EditRole).toInt(), 3);
    QCOMPARE(problem(dialog, "sshProblem"), QString());
    QVERIFY(ok(dialog)->isEnabled());

    typeHost(dialog, "-oProxyCommand=nc");
    QVERIFY2(problem(dialog, "sshProblem").contains("ssh would read it as an option"),
             qPrintable(problem(dialog, "sshProblem")));
    QVERIFY(!ok(dialog)->isEnabled());
    table->item(1, 0)->setText("node2");
    QCOMPARE(problem(dialog, "sshProblem"),
             QStringLiteral("node2 is listed twice: give it one row with all its workers."));
    QVERIFY(!ok(dialog)->isEnabled());
    table->item(1, 0)->setText("");
    QCOMPARE(problem(dialog, "sshProblem"),
             QStringLiteral("Host 2 has no name: type one, or remove the row."));

    table->selectRow(1);
    field<QPushButton>(dialog, "removeSshHost")->click();
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(problem(dialog, "sshProblem"), QString());
    QVERIFY(ok(dialog)->isEnabled());
    QCOMPARE(problem(dialog, "workerSummary"),
             QStringLiteral("The next run starts %1 workers: %2 on this machine, 3 on one ssh "
                            "host.")
                     .arg(qMax(1, QThread::idealThreadCount()) + 3)
                     .arg(qMax(1, QThread::idealThreadCount())));
}

void tst_WorkerPlacement::badSlurmChoicesAreRefused()
{
    RunSettingsDialog dialog(RunSettings{});
    field<QGroupBox>(dialog, "slurmBox")->setChecked(true);
    QCOMPARE(problem(dialog, "slurmProblem"), QString());
    QVERIFY(ok(dialog)->isEnabled());

    type(field<QLineEdit>(dialog, "slurmTime"), "ten minutes");
    QCOMPARE(problem(dialog, "slurmProblem"),
             QStringLiteral("\u201cten minutes\u201d is not a time limit: write minutes (30), "
                            "H:MM:SS (2:00:00) or D-HH:MM:SS (1-12:00:00)."));
    QVERIFY(!ok(dialog)->isEnabled());
    // From the other tab, the note beside OK says why it is disabled.
    QCOMPARE(field<QLabel>(dialog, "settingsNote")->text(),
             QStringLiteral("Fix what is marked in red to save."));
    field<QTabWidget>(dialog, "settingsTabs")->setCurrentIndex(1);
    QCOMPARE(field<QLabel>(dialog, "settingsNote")->text(),
             QStringLiteral("Where Workers Run: ") + problem(dialog, "slurmProblem"));
    type(field<QLineEdit>(dialog, "slurmTime"), "2:00:00");
    QCOMPARE(field<QLabel>(dialog, "settingsNote")->text(),
             QStringLiteral("Changes apply to the next run."));
    QCOMPARE(problem(dialog, "slurmProblem"), QString());
    QVERIFY(ok(dialog)->isEnabled());

    type(field<QLineEdit>(dialog, "slurmPartition"), "debug batch");
    QVERIFY2(problem(dialog, "slurmProblem").contains("is not a partition name"),
             qPrintable(problem(dialog, "slurmProblem")));
    QVERIFY(!ok(dialog)->isEnabled());
    type(field<QLineEdit>(dialog, "slurmPartition"), "debug");
    type(field<QLineEdit>(dialog, "srunOptions"), "-p batch");
    QCOMPARE(problem(dialog, "slurmProblem"),
             QStringLiteral("The partition is set twice: in its field and in the extra srun "
                            "options."));
    QVERIFY(!ok(dialog)->isEnabled());
    type(field<QLineEdit>(dialog, "srunOptions"), "--mem 1G");
    QVERIFY(ok(dialog)->isEnabled());

    const QString missing = m_dir.filePath("nope/slurm.conf");
    type(field<QLineEdit>(dialog, "slurmConf"), missing);
    QCOMPARE(problem(dialog, "slurmProblem"),
             QStringLiteral("There is no file \u201c%1\u201d for slurm.conf.").arg(missing));
    QVERIFY(!ok(dialog)->isEnabled());
    type(field<QLineEdit>(dialog, "slurmConf"), m_slurmConf);
    QCOMPARE(problem(dialog, "slurmProblem"), QString());
    QVERIFY(ok(dialog)->isEnabled());

    // A section that is off keeps what was typed but is not checked.
    type(field<QLineEdit>(dialog, "slurmTime"), "soon");
    QVERIFY(!ok(dialog)->isEnabled());
    field<QGroupBox>(dialog, "slurmBox")->setChecked(false);
    QCOMPARE(problem(dialog, "slurmProblem"), QString());
    QVERIFY(ok(dialog)->isEnabled());
}

void tst_WorkerPlacement::badLauncherIsRefused()
{
    RunSettingsDialog dialog(RunSettings{});
    field<QGroupBox>(dialog, "launcherBox")->setChecked(true);
    QCOMPARE(problem(dialog, "launcherProblem"),
             QStringLiteral("Type the command that starts a worker, or turn the custom launcher "
                            "off."));
    QVERIFY(!ok(dialog)->isEnabled());
    type(field<QLineEdit>(dialog, "launcherCommand"), "no-such-launcher-here exec worker");
    QCOMPARE(problem(dialog, "launcherProblem"),
             QStringLiteral("There is no program \u201cno-such-launcher-here\u201d on this "
                            "machine's PATH."));
    QVERIFY(!ok(dialog)->isEnabled());
    type(field<QLineEdit>(dialog, "launcherCommand"), "/no/such/dir/launch");
    QCOMPARE(problem(dialog, "launcherProblem"),
             QStringLiteral("\u201c/no/such/dir/launch\u201d is not a program on this machine."));
    type(field<QLineEdit>(dialog, "launcherCommand"), "sh -c \"exec brigade-worker\"");
    QCOMPARE(problem(dialog, "launcherProblem"), QString());
    QVERIFY(ok(dialog)->isEnabled());
}

void tst_WorkerPlacement::choicesAreRemembered()
{
    Choices c;
    c.localWorkers = 2;
    c.hosts = QStringList{"node2*4", "node3"};
    c.sshOptions = R"(-o "ProxyJump gw")";
    c.slurmWorkers = 6;
    c.partition = "debug";
    c.timeLimit = "30";
    c.srunOptions = "--mem 1G";
    RunSettings accepted;
    {
        RunSettingsDialog dialog(RunSettings{});
        fill(dialog, c);
        QTest::mouseClick(ok(dialog), Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        accepted = dialog.settings();
        RunSettingsFile::save(accepted); // what the window does with accepted settings
    }
    QCOMPARE(accepted.groups.size(), 3);
    const RunSettings loaded = RunSettingsFile::load();
    QCOMPARE(describe(loaded), describe(accepted));

    {
        // The fields come back as typed, the quotes and the partition's own field included.
        RunSettingsDialog dialog(loaded);
        QCOMPARE(field<QSpinBox>(dialog, "localWorkers")->value(), 2);
        auto *table = field<QTableWidget>(dialog, "sshHosts");
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("node2"));
        QCOMPARE(table->item(0, 1)->data(Qt::EditRole).toInt(), 4);
        QCOMPARE(table->item(1, 0)->text(), QStringLiteral("node3"));
        QCOMPARE(field<QLineEdit>(dialog, "sshOptions")->text(), c.sshOptions);
        QCOMPARE(field<QLineEdit>(dialog, "slurmPartition")->text(), QStringLiteral("debug"));
        QCOMPARE(field<QLineEdit>(dialog, "slurmTime")->text(), QStringLiteral("30"));
        QCOMPARE(field<QLineEdit>(dialog, "srunOptions")->text(), QStringLiteral("--mem 1G"));
        QCOMPARE(describe(dialog.settings()), describe(accepted));

        // Slurm off: its fields are still there next time, just not used.
        field<QGroupBox>(dialog, "slurmBox")->setChecked(false);
        QTest::mouseClick(ok(dialog), Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        accepted = dialog.settings();
        RunSettingsFile::save(accepted);
    }
    QCOMPARE(accepted.groups.size(), 2);
    RunSettingsDialog dialog(RunSettingsFile::load());
    QVERIFY(!field<QGroupBox>(dialog, "slurmBox")->isChecked());
    QVERIFY(field<QGroupBox>(dialog, "sshBox")->isChecked());
    QCOMPARE(field<QSpinBox>(dialog, "slurmWorkers")->value(), 6);
    QCOMPARE(field<QLineEdit>(dialog, "slurmPartition")->text(), QStringLiteral("debug"));
    QCOMPARE(describe(dialog.settings()), describe(accepted));

    // Groups set by other means than the dialog show as their arguments.
    RunSettings other;
    other.groups = {WorkerGroups::slurm(2, QStringLiteral("--partition gpu --gres \"gpu:1\""),
                                        QString(), QString())};
    RunSettingsDialog fromOther(other);
    QVERIFY(field<QGroupBox>(fromOther, "slurmBox")->isChecked());
    QVERIFY(!field<QGroupBox>(fromOther, "localBox")->isChecked());
    QCOMPARE(describe(fromOther.settings()), describe(other));
}

void tst_WorkerPlacement::screenshot()
{
    // For people to look at: the dialog with every section in use, in the build tree.
    Choices c;
    c.localWorkers = 0;
    c.hosts = QStringList{"node2*8", "me@node3*4"};
    c.sshOptions = "-p 2222";
    c.slurmWorkers = 16;
    c.partition = "debug";
    c.timeLimit = "ten";
    c.launcher = "docker exec -i box brigade-worker";
    RunSettingsDialog dialog(RunSettings{});
    fill(dialog, c);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    field<QTableWidget>(dialog, "sshHosts")->setCurrentCell(-1, -1); // closes the cell editor
    const QString dir = QCoreApplication::applicationDirPath();
    QVERIFY(dialog.grab().save(dir + QStringLiteral("/run-settings-workers.png")));
    dialog.findChild<QTabWidget *>(QStringLiteral("settingsTabs"))->setCurrentIndex(1);
    QVERIFY(dialog.grab().save(dir + QStringLiteral("/run-settings-tasks.png")));
    qInfo("screenshots: %s/run-settings-*.png", qPrintable(dir));
}

QTEST_MAIN(tst_WorkerPlacement)
#include "tst_workerplacement.moc"
