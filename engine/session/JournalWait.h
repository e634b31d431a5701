#pragma once

#include <QMutex>
#include <QWaitCondition>

namespace Brigade {

// Stretches of lines handed to the engine (Engine::addTasks) and not journaled yet, for a
// thread that must not answer before they are (RunSession::addTasksFrom): it sleeps on one
// condition until the engine's thread has journaled them all, or until stop() says the
// intake and the engine are going away. Thread-safe.
class JournalWait
{
public:
    // One more stretch handed over; journaled() follows once it is in the journal.
    void handed();
    void journaled();
    // Blocks until every stretch handed over is journaled (true) or stop() (false).
    bool waitForAll();
    void stop();
    bool isStopped() const;

private:
    mutable QMutex m_mutex;
    QWaitCondition m_changed;
    int m_outstanding = 0;
    bool m_stopped = false;
};

} // namespace Brigade
