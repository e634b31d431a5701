#include "DesktopNotification.h"

#include <QDBusError>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QVariantMap>

namespace Brigade {

namespace {
const QString Service = QStringLiteral("org.freedesktop.Notifications");
const QString Path = QStringLiteral("/org/freedesktop/Notifications");
} // namespace

DesktopNotification::DesktopNotification(const QDBusConnection &bus, QObject *parent)
    : QObject(parent)
    , m_bus(bus)
{
    if (m_bus.isConnected()
        && !m_bus.connect(QString(), Path, Service, QStringLiteral("ActionInvoked"), this,
                          SLOT(onActionInvoked(uint, QString))))
        qWarning("cannot follow clicks on notifications: %s",
                 qPrintable(m_bus.lastError().message()));
}

void DesktopNotification::show(const QString &summary, const QString &body, bool warning)
{
    QDBusMessage call
            = QDBusMessage::createMethodCall(Service, Path, Service, QStringLiteral("Notify"));
    // The "default" action is the click on the notification itself.
    const QStringList actions{QStringLiteral("default"), tr("Show")};
    QVariantMap hints;
    hints.insert(QStringLiteral("urgency"), QVariant::fromValue(uchar(warning ? 2 : 1)));
    hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("brigade"));
    call << QStringLiteral("Brigade") << m_id << QStringLiteral("brigade") << summary << body
         << actions << hints << int(-1);
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher] {
        watcher->deleteLater();
        const QDBusPendingReply<uint> reply = *watcher;
        if (reply.isError()) {
            emit failed(reply.error().message());
            return;
        }
        m_id = reply.value();
        emit shown();
    });
}

void DesktopNotification::onActionInvoked(uint id, const QString &action)
{
    if (id == m_id && m_id != 0 && action == QLatin1String("default"))
        emit clicked();
}

} // namespace Brigade
