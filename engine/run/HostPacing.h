#pragma once

#include <QList>
#include <QString>

namespace Brigade {

// A request rate for one host, or for every host without one of its own.
struct HostRate
{
    // "*", or a host as a URL names it: "api.example.com", "api.example.com:8080" or
    // "https://api.example.com:8443" (the most specific match wins).
    QString host;
    double perSecond = 0;
    int burst = 0; // requests that may start at once after a quiet spell; 0: 1

    int effectiveBurst() const { return burst > 0 ? burst : 1; }
    QString text() const; // "HOST=10/s:burst=5", as --rate takes it
    bool operator==(const HostRate &o) const
    {
        return host == o.host && perSecond == o.perSecond && burst == o.burst;
    }
};

// How the run paces the requests to each host (scheme, host and port), for all its
// workers together, local and remote (see HostPacer).
struct HostPacing
{
    QList<HostRate> rates;
    int hostInFlight = 0;              // requests in flight per host; 0: no cap
    int breakerFailures = 0;           // failures in a row that open a host's breaker; 0: never
    quint32 breakerCooldownMs = 10000; // open breaker: how long before one probe
    quint32 maxPauseMs = 300000;       // a Retry-After pauses its host at most this long
    qint64 priorityAgingMs = 1000;     // a waiting task gains one priority level per this

    // These settings (a batch's) under the run's: the run's values where it changed them
    // from the defaults, else these; rates: these, then the run's (a later rate for the
    // same host wins).
    HostPacing under(const HostPacing &run) const;
    // The rate for a host key ("scheme://host:port"), or null when none applies.
    const HostRate *rateFor(const QString &key) const;
    bool operator==(const HostPacing &o) const
    {
        return rates == o.rates && hostInFlight == o.hostInFlight
               && breakerFailures == o.breakerFailures && breakerCooldownMs == o.breakerCooldownMs
               && maxPauseMs == o.maxPauseMs && priorityAgingMs == o.priorityAgingMs;
    }
};

} // namespace Brigade
