#pragma once

#include <QDBusConnection>
#include <QObject>
#include <QPointer>

class QSystemTrayIcon;
class QWidget;

namespace Brigade {

class DesktopNotification;
struct MapReduceResult;
struct RunStats;

// A word when a run ends while the window is not active: a desktop notification through
// the freedesktop notification service where the session bus has one (Desktop), else the
// system tray's message (Tray), else none; and in every case the window asks for attention
// in the task bar (Alert when that is all there is). Clicking the notification raises the
// window (activated()).
class RunEndNotifier : public QObject
{
    Q_OBJECT
public:
    enum class Channel { None, Desktop, Tray, Alert };
    Q_ENUM(Channel)

    // bus: where to look for the notification service (tests give a private one).
    explicit RunEndNotifier(QWidget *window, QObject *parent = nullptr,
                            const QDBusConnection &bus = QDBusConnection::sessionBus());
    ~RunEndNotifier() override;

    // A run of the batch titled title ended with these counts after elapsedMs.
    void runEnded(const QString &title, const RunStats &stats, qint64 elapsedMs);

    // A MapReduce job of the batch titled title ended so.
    void jobEnded(const QString &title, const MapReduceResult &result);

    // "demo.jsonl: 1,990 succeeded, 10 failed in 0:21"
    static QString message(const QString &title, const RunStats &stats, qint64 elapsedMs);
    // "books.jsonl: MapReduce done in 0:02: 524.3 MB, 1,234,567 distinct keys"
    static QString message(const QString &title, const MapReduceResult &result);

signals:
    // A notification went out (Channel says how; None: the window was active, none did).
    // Through the service it follows once the service answered, else at once.
    void notified(Brigade::RunEndNotifier::Channel channel, const QString &title,
                  const QString &body);
    // The person clicked the notification: show them the run (its failures first).
    void activated(bool hadFailures);

private:
    // hadFailures: a click shows the failures; warning: the notification's icon says so.
    void notify(const QString &heading, const QString &body, bool hadFailures, bool warning);
    // Without the service: the tray's message where there is a tray, else nothing.
    void notifyWithoutService(const QString &heading, const QString &body, bool warning);

    QPointer<QWidget> m_window;
    QSystemTrayIcon *m_tray = nullptr;
    DesktopNotification *m_desktop = nullptr;
    bool m_lastHadFailures = false;
};

} // namespace Brigade
