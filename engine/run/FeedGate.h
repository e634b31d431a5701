#pragma once

#include <QMutex>
#include <QWaitCondition>

namespace Brigade {

// Back-pressure between whatever feeds a running run (a TaskFeed's reading thread) and the
// engine: the engine holds at most limit() unstarted tasks, counting those on their way to
// it. The feeder asks for room before it reads more, and waits (so stops reading its pipe
// or file) while there is none; the engine reports its queue as tasks start.
class FeedGate
{
public:
    explicit FeedGate(qint64 limit);

    qint64 limit() const { return m_limit; }
    // Feeder: waits until the engine holds fewer than limit() unstarted tasks, or until
    // close(); returns how many more may be sent (0 once closed).
    qint64 waitForRoom();
    // Feeder: count tasks about to be handed to the engine.
    void sent(qint64 count);
    // Engine: how many tasks it now holds that have not started, and (at once, so they are
    // never counted twice or not at all) how many it just took in from the feeder.
    void setQueued(qint64 queued, qint64 taken = 0);
    // Wakes the feeder for good (the run ended or was cancelled).
    void close();
    bool isClosed() const;

    // Unstarted tasks held now, and the most ever held when the feeder sent more (for tests
    // and benchmarks).
    qint64 held() const;
    qint64 peakHeld() const;

private:
    qint64 heldLocked() const { return m_inTransit + m_queued; }

    const qint64 m_limit;
    mutable QMutex m_mutex;
    QWaitCondition m_room;
    qint64 m_inTransit = 0;
    qint64 m_queued = 0;
    qint64 m_peak = 0;
    bool m_waiting = false;
    bool m_closed = false;
};

} // namespace Brigade
