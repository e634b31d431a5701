// A word when a run ends: only when the window is not the active one, with the counts, by
// the tray where there is one and by asking for attention where there is not (offscreen).
#include "mapreduce/MapReduceResult.h"
#include "run/RunStats.h"
#include "window/notify/RunEndNotifier.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

using namespace Brigade;

// The freedesktop notification service, as a desktop's notification daemon answers it.
class FakeNotifications : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Call
    {
        QString app, summary, body;
        QStringList actions;
        QVariantMap hints;
    };
    QVector<Call> calls;

public slots:
    uint Notify(const QString &app, uint replaces, const QString &icon, const QString &summary,
                const QString &body, const QStringList &actions, const QVariantMap &hints,
                int timeout)
    {
        Q_UNUSED(replaces)
        Q_UNUSED(icon)
        Q_UNUSED(timeout)
        calls.append(Call{app, summary, body, actions, hints});
        return uint(calls.size() + 40);
    }
};

// No session bus at all: the tray or the task bar, at once.
static QDBusConnection noBus()
{
    return QDBusConnection(QStringLiteral("brigade-test-no-bus"));
}

class tst_RunEndNotifier : public QObject
{
    Q_OBJECT
private slots:
    void messageSaysTheCounts();
    void jobMessageSaysHowItEnded();
    void onlyWhenTheWindowIsNotActive();
    void jobsNotifyToo();
    void throughTheNotificationService();
};

void tst_RunEndNotifier::messageSaysTheCounts()
{
    RunStats s;
    s.succeeded = 1990;
    s.failed = 10;
    QCOMPARE(RunEndNotifier::message(QStringLiteral("demo.jsonl"), s, 21000),
             QStringLiteral("demo.jsonl: 1,990 succeeded, 10 failed in 0:21"));
    s.failed = 0;
    s.cancelled = 3;
    QCOMPARE(RunEndNotifier::message(QStringLiteral("b"), s, 3723000),
             QStringLiteral("b: 1,990 succeeded, 3 cancelled in 1:02:03"));
}

void tst_RunEndNotifier::jobMessageSaysHowItEnded()
{
    MapReduceResult r;
    r.elapsedMs = 2000;
    r.bytes = 524'300'000;
    r.distinctKeys = 1'234'567;
    QCOMPARE(RunEndNotifier::message(QStringLiteral("books.jsonl"), r),
             QStringLiteral("books.jsonl: MapReduce done in 0:02: 524.3 MB, 1,234,567 distinct "
                            "keys"));
    r.status = MapReduceResult::Status::Failed;
    r.errors = QStringList{QStringLiteral("input a.tsv changed during the run")};
    QCOMPARE(RunEndNotifier::message(QStringLiteral("books.jsonl"), r),
             QStringLiteral("books.jsonl: MapReduce failed after 0:02: input a.tsv changed during "
                            "the run"));
    r.status = MapReduceResult::Status::Cancelled;
    QCOMPARE(RunEndNotifier::message(QStringLiteral("books.jsonl"), r),
             QStringLiteral("books.jsonl: MapReduce cancelled after 0:02"));
}

void tst_RunEndNotifier::onlyWhenTheWindowIsNotActive()
{
    QWidget window;
    window.setWindowTitle(QStringLiteral("Brigade"));
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    RunEndNotifier notifier(&window, nullptr, noBus());
    QSignalSpy notified(&notifier, &RunEndNotifier::notified);
    RunStats s;
    s.succeeded = 5;
    s.failed = 2;
    notifier.runEnded(QStringLiteral("batch.jsonl"), s, 12000);
    QCOMPARE(notified.count(), 1);
    QCOMPARE(notified.last().at(0).value<RunEndNotifier::Channel>(), RunEndNotifier::Channel::None);

    // Another window has the focus: now a word goes out.
    QWidget other;
    other.show();
    other.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&other));
    QVERIFY(!window.isActiveWindow());
    notifier.runEnded(QStringLiteral("batch.jsonl"), s, 12000);
    QCOMPARE(notified.count(), 2);
    const auto channel = notified.last().at(0).value<RunEndNotifier::Channel>();
    // Offscreen there is no tray: the window asks for attention instead.
    QCOMPARE(channel, QSystemTrayIcon::isSystemTrayAvailable() ? RunEndNotifier::Channel::Tray
                                                               : RunEndNotifier::Channel::Alert);
    QCOMPARE(notified.last().at(1).toString(), QStringLiteral("Brigade: run ended with failures"));
    QCOMPARE(notified.last().at(2).toString(),
             QStringLiteral("batch.jsonl: 5 succeeded, 2 failed in 0:12"));
}

void tst_RunEndNotifier::jobsNotifyToo()
{
    QWidget window;
    window.show();
    QWidget other;
    other.show();
    other.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&other));
    RunEndNotifier notifier(&window, nullptr, noBus());
    QSignalSpy notified(&notifier, &RunEndNotifier::notified);
    MapReduceResult r;
    r.status = MapReduceResult::Status::Failed;
    notifier.jobEnded(QStringLiteral("books.jsonl"), r);
    QCOMPARE(notified.count(), 1);
    QVERIFY(notified.last().at(0).value<RunEndNotifier::Channel>()
            != RunEndNotifier::Channel::None);
    QCOMPARE(notified.last().at(1).toString(), QStringLiteral("Brigade: job failed"));
    QCOMPARE(notified.last().at(2).toString(),
             QStringLiteral("books.jsonl: MapReduce failed after 0:00: no totals"));
}

void tst_RunEndNotifier::throughTheNotificationService()
{
    // A session bus of our own (dbus-daemon), where a fake notification daemon comes and goes.
    const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
    if (daemon.isEmpty())
        QSKIP("dbus-daemon is not installed");
    // No service files: a notification daemon installed here must not be started by the bus.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile config(dir.filePath(QStringLiteral("bus.conf")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
                 "1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                 "<busconfig><type>session</type><listen>unix:dir="
                 + dir.path().toUtf8()
                 + "</listen><policy context=\"default\"><allow send_destination=\"*\" "
                   "eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/>"
                   "</policy></busconfig>\n");
    config.close();
    QProcess bus;
    bus.start(daemon, {QStringLiteral("--config-file=") + config.fileName(),
                       QStringLiteral("--nofork"), QStringLiteral("--print-address")});
    QVERIFY(bus.waitForStarted());
    QTRY_VERIFY(bus.canReadLine());
    const QString address = QString::fromUtf8(bus.readLine()).trimmed();
    QDBusConnection client = QDBusConnection::connectToBus(address, QStringLiteral("client"));
    QDBusConnection server = QDBusConnection::connectToBus(address, QStringLiteral("server"));
    QVERIFY(client.isConnected() && server.isConnected());

    QWidget window;
    window.show();
    QWidget other;
    other.show();
    other.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&other));
    RunEndNotifier notifier(&window, nullptr, client);
    QSignalSpy notified(&notifier, &RunEndNotifier::notified);
    QSignalSpy activated(&notifier, &RunEndNotifier::activated);
    RunStats s;
    s.succeeded = 5;
    s.failed = 2;

    // No service on the bus: the tray or the task bar instead, once the bus said so.
    notifier.runEnded(QStringLiteral("batch.jsonl"), s, 12000);
    QTRY_COMPARE(notified.count(), 1);
    QVERIFY(notified.last().at(0).value<RunEndNotifier::Channel>()
            != RunEndNotifier::Channel::Desktop);

    // With the service: the notification goes to it, and its click comes back.
    FakeNotifications fake;
    QVERIFY(server.registerObject(QStringLiteral("/org/freedesktop/Notifications"), &fake,
                                  QDBusConnection::ExportAllSlots));
    QVERIFY(server.registerService(QStringLiteral("org.freedesktop.Notifications")));
    notifier.runEnded(QStringLiteral("batch.jsonl"), s, 12000);
    QTRY_COMPARE(notified.count(), 2);
    QCOMPARE(notified.last().at(0).value<RunEndNotifier::Channel>(),
             RunEndNotifier::Channel::Desktop);
    QCOMPARE(fake.calls.size(), 1);
    QCOMPARE(fake.calls[0].app, QStringLiteral("Brigade"));
    QCOMPARE(fake.calls[0].summary, QStringLiteral("Brigade: run ended with failures"));
    QCOMPARE(fake.calls[0].body, QStringLiteral("batch.jsonl: 5 succeeded, 2 failed in 0:12"));
    QVERIFY(fake.calls[0].actions.contains(QStringLiteral("default")));
    QCOMPARE(fake.calls[0].hints.value(QStringLiteral("urgency")).toInt(), 2);

    // Another notification's click is not ours; ours raises the window on the failures. (The
    // daemon sends it to the program that sent the notification, as GNOME's does.)
    const auto click = [&](uint id) {
        QDBusMessage m = QDBusMessage::createTargetedSignal(
                client.baseService(), QStringLiteral("/org/freedesktop/Notifications"),
                QStringLiteral("org.freedesktop.Notifications"), QStringLiteral("ActionInvoked"));
        m << id << QStringLiteral("default");
        return server.send(m);
    };
    QVERIFY(click(7));
    QVERIFY(click(41));
    QTRY_COMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toBool(), true);

    QDBusConnection::disconnectFromBus(QStringLiteral("client"));
    QDBusConnection::disconnectFromBus(QStringLiteral("server"));
    bus.kill();
    bus.waitForFinished();
}

QTEST_MAIN(tst_RunEndNotifier)
#include "tst_runendnotifier.moc"
