#pragma once

#include <QObject>

class QSocketNotifier;

namespace Brigade {

// Turns SIGINT and SIGTERM into a Qt signal on the main thread (a self-pipe written by
// the handler, read through a QSocketNotifier), so Ctrl-C can cancel cleanly.
class InterruptWatcher : public QObject
{
    Q_OBJECT
public:
    explicit InterruptWatcher(QObject *parent = nullptr);
    ~InterruptWatcher() override;

signals:
    void interrupted(int count); // 1 for the first Ctrl-C, 2 for the second, ...

private:
    QSocketNotifier *m_notifier = nullptr;
    int m_count = 0;
};

} // namespace Brigade
