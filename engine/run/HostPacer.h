#pragma once

#include "HostPaceInfo.h"
#include "HostPacing.h"
#include "ReadyQueue.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QString>
#include <QVector>

#include <deque>

namespace Brigade {

namespace Internal {

// Paces the requests of a run per host (scheme://host:port) for all its workers: a token
// bucket per host (rate and burst), a cap on requests in flight, a circuit breaker that
// opens after breakerFailures failures in a row, lets one probe through after the
// cool-down and closes when it succeeds, and pauses that a server asks for (Retry-After).
// Tasks of a host that may not start now are parked here, in the order they came, and
// handed back to the ready queue as their host can take them.
//
// The clock is the caller's (milliseconds, any origin, never going back): every call
// takes the time, so the rules are tested without waiting.
class HostPacer
{
public:
    enum class Outcome { Success, Failure, Neutral };

    explicit HostPacer(const HostPacing &pacing = {});

    // "scheme://host:port" of an http(s) URL (port made explicit, host lower case), or
    // empty for URLs that are not paced (files).
    static QByteArray hostKey(QByteArrayView url);
    // How an attempt's outcome counts for its host's breaker.
    static Outcome outcomeOf(quint8 errorKind, quint16 httpStatus);

    // The host's index for the calls below, made on first sight.
    int hostIndex(const QByteArray &key);
    int hostCount() const { return int(m_hosts.size()); }

    // Whether a request to host may start at now; if so it is counted as started (a token
    // spent, one more in flight).
    bool tryStart(int host, qint64 now);
    // A started request ended.
    void finish(int host, Outcome outcome, qint64 now, const QString &why = {});
    // The server asked for a pause (Retry-After, already in milliseconds; capped here).
    void pause(int host, qint64 now, qint64 pauseMs, const QString &why);

    void park(int host, const ReadyQueue::Entry &entry);
    int parked() const { return m_parked; }
    // Hands back to ready the parked tasks that their hosts can start at now.
    void unpark(qint64 now, ReadyQueue &ready);
    // When a parked task's host may next start one (now or later), or -1 when none waits
    // or only on a request in flight to end.
    qint64 nextWakeMs(qint64 now) const;

    QVector<HostPaceInfo> snapshot(qint64 now) const;

private:
    enum class Breaker : quint8 { Closed, Open, Probing };
    struct Host
    {
        QString key;
        double perMs = 0; // rate; 0: none
        double burst = 1;
        double tokens = 1;
        qint64 tokensAtMs = 0;
        int inFlight = 0;
        int failuresInARow = 0;
        Breaker breaker = Breaker::Closed;
        qint64 breakerUntilMs = 0; // open: when a probe may go
        qint64 pausedUntilMs = 0;
        qint64 requests = 0;
        qint64 errors = 0;
        qint64 secondStartMs = 0;
        int thisSecond = 0;
        int lastSecond = 0;
        QString why;
        std::deque<ReadyQueue::Entry> parked;
    };

    static double tokensAt(const Host &h, qint64 now);
    // When h may start a request, ignoring requests in flight; now when it may now.
    qint64 allowedAt(const Host &h, qint64 now) const;
    bool inFlightFull(const Host &h) const;

    HostPacing m_pacing;
    QHash<QByteArray, int> m_index;
    QVector<Host> m_hosts;
    int m_parked = 0;
};

} // namespace Internal
} // namespace Brigade
