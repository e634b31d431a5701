#include "RunEndNotifier.h"

#include "DesktopNotification.h"
#include "mapreduce/MapReduceResult.h"
#include "run/RunStats.h"
#include "window/shared/Formatting.h"

#include <QApplication>
#include <QLoggingCategory>
#include <QSystemTrayIcon>
#include <QWidget>

Q_LOGGING_CATEGORY(lcNotify, "brigade.notify")

namespace Brigade {

RunEndNotifier::RunEndNotifier(QWidget *window, QObject *parent, const QDBusConnection &bus)
    : QObject(parent)
    , m_window(window)
    , m_desktop(new DesktopNotification(bus, this))
{
    connect(m_desktop, &DesktopNotification::clicked, this,
            [this] { emit activated(m_lastHadFailures); });
}

RunEndNotifier::~RunEndNotifier() = default;

QString RunEndNotifier::message(const QString &title, const RunStats &stats, qint64 elapsedMs)
{
    QStringList parts;
    parts << tr("%1 succeeded").arg(Formatting::count(stats.succeeded));
    if (stats.failed > 0)
        parts << tr("%1 failed").arg(Formatting::count(stats.failed));
    if (stats.skipped > 0)
        parts << tr("%1 skipped").arg(Formatting::count(stats.skipped));
    if (stats.cancelled > 0)
        parts << tr("%1 cancelled").arg(Formatting::count(stats.cancelled));
    return tr("%1: %2 in %3")
            .arg(title, parts.join(QStringLiteral(", ")), Formatting::clock(elapsedMs));
}

QString RunEndNotifier::message(const QString &title, const MapReduceResult &result)
{
    const QString elapsed = Formatting::clock(result.elapsedMs);
    switch (result.status) {
    case MapReduceResult::Status::Succeeded:
        return tr("%1: MapReduce done in %2: %3, %4 distinct keys")
                .arg(title, elapsed, Formatting::decimalBytes(result.bytes),
                     Formatting::count(result.distinctKeys));
    case MapReduceResult::Status::Cancelled:
        return tr("%1: MapReduce cancelled after %2").arg(title, elapsed);
    case MapReduceResult::Status::Failed:
        break;
    }
    return tr("%1: MapReduce failed after %2: %3")
            .arg(title, elapsed, result.errors.value(0, tr("no totals")));
}

void RunEndNotifier::runEnded(const QString &title, const RunStats &stats, qint64 elapsedMs)
{
    notify(stats.failed > 0 ? tr("Brigade: run ended with failures") : tr("Brigade: run finished"),
           message(title, stats, elapsedMs), stats.failed > 0, stats.failed > 0);
}

void RunEndNotifier::jobEnded(const QString &title, const MapReduceResult &result)
{
    // A job has no failure groups to show: clicking raises the window on its page.
    const bool failed = result.status == MapReduceResult::Status::Failed;
    notify(failed ? tr("Brigade: job failed") : tr("Brigade: job finished"), message(title, result),
           false, failed);
}

void RunEndNotifier::notify(const QString &heading, const QString &body, bool hadFailures,
                            bool warning)
{
    if (!m_window || m_window->isActiveWindow()) {
        emit notified(Channel::None, heading, body); // they are looking at it already
        return;
    }
    m_lastHadFailures = hadFailures;
    // Either way the task bar entry asks for attention until the window is activated.
    QApplication::alert(m_window);
    if (!m_desktop->canTry()) {
        notifyWithoutService(heading, body, warning);
        return;
    }
    // The service answers on the bus: one try at a time, its answer says which way it went.
    m_desktop->disconnect(this, nullptr);
    connect(m_desktop, &DesktopNotification::clicked, this,
            [this] { emit activated(m_lastHadFailures); });
    connect(m_desktop, &DesktopNotification::shown, this, [this, heading, body] {
        qCDebug(lcNotify) << "notified through the notification service:" << body;
        emit notified(Channel::Desktop, heading, body);
    });
    connect(m_desktop, &DesktopNotification::failed, this,
            [this, heading, body, warning](const QString &why) {
                qCDebug(lcNotify) << "no notification service:" << why;
                notifyWithoutService(heading, body, warning);
            });
    m_desktop->show(heading, body, warning);
}

void RunEndNotifier::notifyWithoutService(const QString &heading, const QString &body, bool warning)
{
    if (QSystemTrayIcon::isSystemTrayAvailable() && QSystemTrayIcon::supportsMessages()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(m_window ? m_window->windowIcon() : QIcon(), this);
            m_tray->setToolTip(QStringLiteral("Brigade"));
            connect(m_tray, &QSystemTrayIcon::messageClicked, this,
                    [this] { emit activated(m_lastHadFailures); });
            connect(m_tray, &QSystemTrayIcon::activated, this,
                    [this] { emit activated(m_lastHadFailures); });
        }
        m_tray->show();
        m_tray->showMessage(heading, body,
                            warning ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information,
                            15000);
        qCDebug(lcNotify) << "notified through the tray:" << body;
        emit notified(Channel::Tray, heading, body);
    } else {
        qCDebug(lcNotify) << "no notification service or system tray: asking for attention:"
                          << body;
        emit notified(Channel::Alert, heading, body);
    }
}

} // namespace Brigade
