#pragma once

#include <QByteArray>
#include <QObject>

#include <thread>

namespace Brigade {

// Reads a file descriptor (stdin) on its own thread with blocking reads, and hands each
// chunk to the owner's thread. A thread rather than a QSocketNotifier: it notices end of
// input even while the event loop is busy, and works on pipes, sockets and the
// pseudo-terminals that srun gives a step alike.
class StdinReader : public QObject
{
    Q_OBJECT
public:
    explicit StdinReader(int fd = 0, QObject *parent = nullptr);
    ~StdinReader() override;

    void start();

    // At end of input the process exits by itself after this grace period, even if the
    // event loop never gets to handle endOfInput(): no worker outlives its engine.
    void setExitGraceMs(int ms) { m_graceMs = ms; }

signals:
    void dataReceived(const QByteArray &data);
    void endOfInput();

private:
    void run();

    int m_fd;
    int m_graceMs = 2000;
    std::thread m_thread;
};

} // namespace Brigade
