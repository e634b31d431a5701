#pragma once

#include <QDBusConnection>
#include <QObject>

namespace Brigade {

// One notification through the freedesktop notification service
// (org.freedesktop.Notifications on the session bus), which desktops show whether or not
// they have a system tray (GNOME has none). Asynchronous: shown() or failed() follows
// show(), never a wait on the GUI thread; clicked() when the person clicks it.
class DesktopNotification : public QObject
{
    Q_OBJECT
public:
    explicit DesktopNotification(const QDBusConnection &bus, QObject *parent = nullptr);

    // False when there is no session bus at all: nothing to ask.
    bool canTry() const { return m_bus.isConnected(); }
    // Sends it (replacing this object's previous one, if still shown).
    void show(const QString &summary, const QString &body, bool warning);

signals:
    void shown();
    void failed(const QString &why); // no notification service, or it refused
    void clicked();

private slots:
    void onActionInvoked(uint id, const QString &action);

private:
    QDBusConnection m_bus;
    uint m_id = 0; // the service's id of the notification shown last, 0 none
};

} // namespace Brigade
