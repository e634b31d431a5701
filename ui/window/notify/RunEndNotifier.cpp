#include "RunEndNotifier.h"

#include "run/RunStats.h"
#include "window/shared/Formatting.h"

#include <QApplication>
#include <QLoggingCategory>
#include <QSystemTrayIcon>
#include <QWidget>

Q_LOGGING_CATEGORY(lcNotify, "brigade.notify")

namespace Brigade {

RunEndNotifier::RunEndNotifier(QWidget *window, QObject *parent)
    : QObject(parent)
    , m_window(window)
{}

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

void RunEndNotifier::runEnded(const QString &title, const RunStats &stats, qint64 elapsedMs)
{
    const QString heading = stats.failed > 0 ? tr("Brigade: run ended with failures")
                                             : tr("Brigade: run finished");
    const QString body = message(title, stats, elapsedMs);
    if (!m_window || m_window->isActiveWindow()) {
        emit notified(Channel::None, heading, body); // they are looking at it already
        return;
    }
    m_lastHadFailures = stats.failed > 0;
    if (QSystemTrayIcon::isSystemTrayAvailable() && QSystemTrayIcon::supportsMessages()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(m_window->windowIcon(), this);
            m_tray->setToolTip(QStringLiteral("Brigade"));
            connect(m_tray, &QSystemTrayIcon::messageClicked, this,
                    [this] { emit activated(m_lastHadFailures); });
            connect(m_tray, &QSystemTrayIcon::activated, this,
                    [this] { emit activated(m_lastHadFailures); });
        }
        m_tray->show();
        m_tray->showMessage(
                heading, body,
                m_lastHadFailures ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information, 15000);
        qCDebug(lcNotify) << "notified through the tray:" << body;
        emit notified(Channel::Tray, heading, body);
    } else {
        qCDebug(lcNotify) << "no system tray: asking for attention:" << body;
        emit notified(Channel::Alert, heading, body);
    }
    // Either way the task bar entry asks for attention until the window is activated.
    QApplication::alert(m_window);
}

} // namespace Brigade
