#pragma once

#include <QString>

namespace Brigade {

// What the run knows about one fetched host, for the Hosts table and the live view.
struct HostPaceInfo
{
    enum class State : quint8 { Open, Paused, Broken };

    QString host; // scheme://host:port
    State state = State::Open;
    int inFlight = 0;
    int waiting = 0;           // ready tasks held back for this host
    double ratePerSecond = 0;  // requests started in the last whole second
    double limitPerSecond = 0; // 0: none
    int inFlightLimit = 0;     // 0: none
    qint64 nextAllowedMs = 0;  // run clock: when the next request may start (now or later)
    qint64 requests = 0;       // started
    qint64 errors = 0;         // failed (connection errors, timeouts, 5xx, 429)
    QString why;               // paused or broken: the last cause
};

const char *hostStateName(HostPaceInfo::State state);

} // namespace Brigade
