// The workers panel during runs that mix workers on this machine with workers started
// through a custom launcher: each worker's host, group and state, the totals per host, and
// the engine's notices about hosts taken out of rotation.
#include "window/MainWindow.h"
#include "window/settings/RunSettingsDialog.h"
#include "window/shared/StatusStyle.h"
#include "window/workers/CorePanel.h"
#include "window/workers/HostTotalsModel.h"
#include "window/workers/WorkerTableModel.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QGroupBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QSysInfo>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

using namespace Brigade;

class tst_WorkerPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void stateWordsColoursAndHostTotals();
    void mixedRunFromTheWindow();
    void hostOutOfRotationIsShown();

private:
    QString writeBatch(const QString &name, const QStringList &lines);
    bool load(const QString &path);
    // Opens Run › Settings like a user, lets fill set the fields, and clicks OK.
    bool chooseInSettings(const std::function<void(RunSettingsDialog *)> &fill);
    QString cell(QAbstractItemModel *model, int row, int column) const;

    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void tst_WorkerPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("BrigadeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_workerpanel"));
    QVERIFY(m_dir.isValid());
}

void tst_WorkerPanel::init()
{
    QSettings().clear();
    m_window = std::make_unique<MainWindow>();
    RunSettings s = m_window->runSettings();
    s.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    s.seed = 1;
    m_window->setRunSettings(s);
    m_window->resize(1400, 900);
    m_window->show();
}

void tst_WorkerPanel::cleanup()
{
    m_window.reset();
}

QString tst_WorkerPanel::writeBatch(const QString &name, const QStringList &lines)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write(lines.join(QLatin1Char('\n')).toUtf8() + '\n');
    return path;
}

bool tst_WorkerPanel::load(const QString &path)
{
    QSignalSpy loaded(m_window.get(), &MainWindow::batchLoaded);
    m_window->openBatch(path);
    return loaded.wait(20000);
}

bool tst_WorkerPanel::chooseInSettings(const std::function<void(RunSettingsDialog *)> &fill)
{
    bool accepted = false;
    // The dialog is modal: it is filled in from the event loop it runs.
    std::function<void()> answer;
    answer = [&] {
        auto *dialog = qobject_cast<RunSettingsDialog *>(QApplication::activeModalWidget());
        if (!dialog) {
            QTimer::singleShot(10, answer);
            return;
        }
        fill(dialog);
        QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        accepted = ok->isEnabled();
        if (accepted)
            ok->click();
        else
            dialog->reject();
    };
    QTimer::singleShot(0, answer);
    m_window->action(MainWindow::Action::Settings)->trigger();
    return accepted;
}

QString tst_WorkerPanel::cell(QAbstractItemModel *model, int row, int column) const
{
    return model->data(model->index(row, column)).toString();
}

void tst_WorkerPanel::stateWordsColoursAndHostTotals()
{
    // A sample as the engine sends it mid-run, with every kind of worker.
    auto worker = [](int slot, WorkerState state, const QString &group, const QString &host,
                     qint64 finished, int inFlight, int restarts) {
        WorkerInfo w;
        w.slot = slot;
        w.state = state;
        w.group = group;
        w.host = host;
        w.finished = finished;
        w.tasksEnded = finished - finished / 4; // some attempts were retries
        w.inFlight = inFlight;
        w.restarts = restarts;
        return w;
    };
    const QString here = QSysInfo::machineHostName();
    LoadSample sample;
    sample.workers = {worker(0, WorkerState::Running, "local", here, 40, 3, 0),
                      worker(1, WorkerState::Starting, "local", QString(), 0, 0, 0),
                      worker(2, WorkerState::Queued, "slurm", QString(), 0, 0, 0),
                      worker(3, WorkerState::Running, "slurm", "cn07", 12, 2, 0),
                      worker(4, WorkerState::Blocked, "ssh node2", "node2", 5, 0, 2),
                      worker(5, WorkerState::Restarting, "ssh node2", "node2", 7, 0, 1),
                      worker(6, WorkerState::Starting, "docker exec -i box brigade-worker",
                             QString(), 0, 0, 0)};
    CorePanel *panel = m_window->corePanel();
    panel->addSample(sample);

    WorkerTableModel *workers = panel->workers();
    QCOMPARE(workers->rowCount(), 7);
    const QStringList states{"Running",         "Starting",         "Queued in Slurm", "Running",
                             "Out of rotation", "Lost, restarting", "Starting"};
    const QStringList groups{"local", "local", "Slurm", "Slurm", "ssh", "ssh", "launcher"};
    const QStringList hosts{here, here, "\u2013", "cn07", "node2", "node2", "\u2013"};
    for (int r = 0; r < 7; ++r) {
        QCOMPARE(cell(workers, r, WorkerTableModel::State), states[r]);
        QCOMPARE(cell(workers, r, WorkerTableModel::Group), groups[r]);
        QCOMPARE(cell(workers, r, WorkerTableModel::Host), hosts[r]);
    }
    // Losses: the restarts, and the last worker of a slot whose host went out of rotation.
    QCOMPARE(cell(workers, 4, WorkerTableModel::Lost), QStringLiteral("3"));
    QCOMPARE(cell(workers, 5, WorkerTableModel::Lost), QStringLiteral("1"));
    QCOMPARE(cell(workers, 0, WorkerTableModel::Lost), QString());
    // The launcher's command is in the tooltip, and what a state means.
    const QString tip
            = workers->data(workers->index(6, WorkerTableModel::Group), Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains("docker exec -i box brigade-worker"), qPrintable(tip));
    QVERIFY2(workers->data(workers->index(2, WorkerTableModel::State), Qt::ToolTipRole)
                     .toString()
                     .contains("Slurm's queue"),
             "the queued worker says what it waits for");

    // The state dot is the state's colour; queued in Slurm and starting differ.
    auto dotColour = [&](int row) {
        const QIcon icon
                = workers->data(workers->index(row, WorkerTableModel::State), Qt::DecorationRole)
                          .value<QIcon>();
        const QImage image = icon.pixmap(QSize(32, 32), 1.0).toImage();
        return QColor(image.pixel(16, 16));
    };
    QCOMPARE(dotColour(1), StatusStyle::color(WorkerState::Starting));
    QCOMPARE(dotColour(2), StatusStyle::color(WorkerState::Queued));
    QCOMPARE(dotColour(4), StatusStyle::color(WorkerState::Blocked));
    QCOMPARE(dotColour(5), StatusStyle::color(WorkerState::Restarting));
    QVERIFY(StatusStyle::color(WorkerState::Queued) != StatusStyle::color(WorkerState::Starting));

    // One row per host, in the order workers first appear; unplaced workers by group.
    HostTotalsModel *totals = panel->hosts();
    QCOMPARE(totals->rowCount(), 5);
    QCOMPARE(cell(totals, 0, HostTotalsModel::Host), QStringLiteral("%1 (this machine)").arg(here));
    QCOMPARE(cell(totals, 1, HostTotalsModel::Host), QStringLiteral("Slurm queue"));
    QCOMPARE(cell(totals, 2, HostTotalsModel::Host), QStringLiteral("cn07"));
    QCOMPARE(cell(totals, 3, HostTotalsModel::Host), QStringLiteral("node2 (out of rotation)"));
    QCOMPARE(cell(totals, 4, HostTotalsModel::Host),
             QStringLiteral("docker exec -i box brigade-worker"));
    // Tasks and attempts apart: 40 attempts ended 30 tasks.
    const QList<QStringList> numbers{{"2", "1", "3", "30", "40", ""},
                                     {"1", "0", "0", "0", "0", ""},
                                     {"1", "1", "2", "9", "12", ""},
                                     {"2", "0", "0", "10", "12", "4"},
                                     {"1", "0", "0", "0", "0", ""}};
    for (int r = 0; r < numbers.size(); ++r) {
        QStringList row;
        for (int c = HostTotalsModel::Workers; c <= HostTotalsModel::Lost; ++c)
            row << cell(totals, r, c);
        QCOMPARE(row, numbers[r]);
    }
    QCOMPARE(totals->data(totals->index(3, HostTotalsModel::Host), Qt::ForegroundRole)
                     .value<QColor>(),
             StatusStyle::color(WorkerState::Blocked));

    // The queued worker gets its CPU on cn07: the Slurm queue row goes.
    sample.workers[2].state = WorkerState::Running;
    sample.workers[2].host = QStringLiteral("cn07");
    panel->addSample(sample);
    QCOMPARE(totals->rowCount(), 4);
    QCOMPARE(cell(totals, 1, HostTotalsModel::Host), QStringLiteral("cn07"));
    QCOMPARE(cell(totals, 1, HostTotalsModel::Workers), QStringLiteral("2"));
    QCOMPARE(cell(workers, 2, WorkerTableModel::State), QStringLiteral("Running"));
}

void tst_WorkerPanel::mixedRunFromTheWindow()
{
    const int n = 240;
    QStringList lines;
    for (int i = 0; i < n; ++i)
        lines << QStringLiteral(
                         R"({"id":"t%1","fetch":{"delay_ms":100},"compute":{"op":"sum_to","n":%1}})")
                         .arg(i);
    QVERIFY(load(writeBatch(QStringLiteral("mixed.jsonl"), lines)));

    // Two workers here and one through a launcher that starts the real worker.
    const QString command
            = QStringLiteral("sh -c \"exec $0\" %1").arg(QStringLiteral(BRIGADE_WORKER_PATH));
    QVERIFY(chooseInSettings([&](RunSettingsDialog *d) {
        d->findChild<QSpinBox *>("localWorkers")->setValue(2);
        d->findChild<QGroupBox *>("launcherBox")->setChecked(true);
        d->findChild<QLineEdit *>("launcherCommand")->setText(command);
        d->findChild<QSpinBox *>("launcherWorkers")->setValue(1);
    }));
    const RunSettings chosen = m_window->runSettings();
    QCOMPARE(chosen.workers, 2);
    QCOMPARE(chosen.groups.size(), 1);
    QCOMPARE(chosen.groups[0].command, command);
    QCOMPARE(chosen.effectiveWorkers(), 3);
    // Few tasks per worker at a time, so each of them gets some.
    RunSettings s = chosen;
    s.concurrency = 4;
    m_window->setRunSettings(s);

    // While it runs, the launcher's worker reports from this machine like the others: every
    // sample the panel shows is looked at, not just the last.
    WorkerTableModel *workers = m_window->corePanel()->workers();
    const QString here = QSysInfo::machineHostName();
    bool launcherRan = false;
    auto look = [&] {
        launcherRan = launcherRan
                      || (workers->rowCount() == 3
                          && cell(workers, 2, WorkerTableModel::State) == QStringLiteral("Running")
                          && cell(workers, 2, WorkerTableModel::Host) == here);
    };
    connect(workers, &QAbstractItemModel::dataChanged, this, look);
    connect(workers, &QAbstractItemModel::modelReset, this, look);
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->action(MainWindow::Action::Run)->trigger();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().value<RunStats>().succeeded, qint64(n));
    QVERIFY2(launcherRan, "the launcher's worker was never shown running");

    QCOMPARE(workers->rowCount(), 3);
    const QStringList groups{"local", "local", "launcher"};
    qint64 sum = 0;
    for (int r = 0; r < 3; ++r) {
        QCOMPARE(cell(workers, r, WorkerTableModel::Group), groups[r]);
        QCOMPARE(cell(workers, r, WorkerTableModel::Host), here);
        QVERIFY2(workers->workers()[r].finished > 0,
                 qPrintable(QStringLiteral("worker %1 finished nothing").arg(r)));
        sum += workers->workers()[r].finished;
    }
    QCOMPARE(sum, qint64(n));
    QCOMPARE(workers->workers()[2].group, command);

    // Both groups run on this machine: one host row whose totals are the run's.
    HostTotalsModel *totals = m_window->corePanel()->hosts();
    QCOMPARE(totals->rowCount(), 1);
    const HostTotalsModel::Totals &host = totals->hosts().first();
    QCOMPARE(host.host, here);
    QCOMPARE(host.groups, QStringList({QStringLiteral("local"), command}));
    QCOMPARE(host.workers, 3);
    QCOMPARE(host.finished, qint64(n));
    QCOMPARE(host.lost, 0);
    QCOMPARE(cell(totals, 0, HostTotalsModel::Finished), QLocale().toString(n));
    QCOMPARE(host.tasksEnded, qint64(n)); // no retries: as many tasks as attempts
    QCOMPARE(cell(totals, 0, HostTotalsModel::TasksEnded), QLocale().toString(n));
    QCOMPARE(totals->headerData(HostTotalsModel::TasksEnded, Qt::Horizontal).toString(),
             QStringLiteral("Tasks"));
    QCOMPARE(totals->headerData(HostTotalsModel::Finished, Qt::Horizontal).toString(),
             QStringLiteral("Attempts"));

    // For people to look at: the panel after the run, in the build tree.
    const QString shot
            = QCoreApplication::applicationDirPath() + QStringLiteral("/worker-panel.png");
    QVERIFY(m_window->grab().save(shot));
    qInfo("screenshot: %s", qPrintable(shot));
}

void tst_WorkerPanel::hostOutOfRotationIsShown()
{
    // A launcher whose workers never start: each is lost after a moment, and once its
    // "host" (the launcher, as it never says hello) has lost five while this machine's
    // workers run, the engine takes it out of rotation and says so.
    QStringList lines;
    for (int i = 0; i < 4; ++i)
        lines << QStringLiteral(R"({"id":"slow-%1","fetch":{"delay_ms":6000}})").arg(i);
    QVERIFY(load(writeBatch(QStringLiteral("slow.jsonl"), lines)));
    const QString command = QStringLiteral("sh -c \"sleep 0.2\"");
    QVERIFY(chooseInSettings([&](RunSettingsDialog *d) {
        d->findChild<QSpinBox *>("localWorkers")->setValue(2);
        d->findChild<QGroupBox *>("launcherBox")->setChecked(true);
        d->findChild<QLineEdit *>("launcherCommand")->setText(command);
    }));

    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    QSignalSpy statusMessages(m_window->statusBar(), &QStatusBar::messageChanged);
    m_window->action(MainWindow::Action::Run)->trigger();
    CorePanel *panel = m_window->corePanel();
    const QString expected
            = QStringLiteral("Host %1 taken out of rotation for this run: it lost 5 workers")
                      .arg(command);
    // The status bar shows it as it comes; the panel keeps it in sight.
    QTRY_VERIFY_WITH_TIMEOUT(panel->notices().contains(expected), 20000);
    bool inStatusBar = false;
    for (const QList<QVariant> &m : std::as_const(statusMessages))
        inStatusBar = inStatusBar || m.first().toString() == "h" + expected.mid(1);
    QVERIFY(inStatusBar);
    QVERIFY2(finished.isEmpty(), "the run ended before the launcher was taken out of rotation");
    auto *notices = panel->findChild<QLabel *>("engineNotices");
    QVERIFY(notices && notices->isVisible());
    QVERIFY(notices->text().contains(expected));

    // Its row says so, and its worker is blocked.
    HostTotalsModel *totals = panel->hosts();
    QTRY_VERIFY_WITH_TIMEOUT(totals->rowCount() == 2 && totals->hosts()[1].blocked, 5000);
    QCOMPARE(cell(totals, 1, HostTotalsModel::Host),
             QStringLiteral("%1 (out of rotation)").arg(command));
    QCOMPARE(cell(totals, 1, HostTotalsModel::Lost), QStringLiteral("5"));
    QCOMPARE(cell(panel->workers(), 2, WorkerTableModel::State), QStringLiteral("Out of rotation"));
    QCOMPARE(cell(panel->workers(), 2, WorkerTableModel::Lost), QStringLiteral("5"));
    QCOMPARE(totals->hosts()[0].host, QSysInfo::machineHostName());
    QVERIFY(!totals->hosts()[0].blocked);

    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().first().value<RunStats>().succeeded, qint64(4));
    // The notice stays in sight after the run that had it.
    QVERIFY(panel->notices().contains(expected));
}

QTEST_MAIN(tst_WorkerPanel)
#include "tst_workerpanel.moc"
