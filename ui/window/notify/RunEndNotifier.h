#pragma once

#include <QObject>
#include <QPointer>

class QSystemTrayIcon;
class QWidget;

namespace Brigade {

struct MapReduceResult;
struct RunStats;

// A word when a run ends while the window is not active: a desktop notification through
// the system tray (Qt sends it to the freedesktop notification service where there is
// one), or, with no tray, the window asking for attention in the task bar. Clicking the
// notification raises the window (activated()).
class RunEndNotifier : public QObject
{
    Q_OBJECT
public:
    enum class Channel { None, Tray, Alert };
    Q_ENUM(Channel)

    explicit RunEndNotifier(QWidget *window, QObject *parent = nullptr);
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
    void notified(Brigade::RunEndNotifier::Channel channel, const QString &title,
                  const QString &body);
    // The person clicked the notification: show them the run (its failures first).
    void activated(bool hadFailures);

private:
    // hadFailures: a click shows the failures; warning: the notification's icon says so.
    void notify(const QString &heading, const QString &body, bool hadFailures, bool warning);

    QPointer<QWidget> m_window;
    QSystemTrayIcon *m_tray = nullptr;
    bool m_lastHadFailures = false;
};

} // namespace Brigade
