#include "HostPacer.h"

#include "core/TaskState.h"

#include <algorithm>
#include <cmath>

namespace Brigade {

namespace Internal {

HostPacer::HostPacer(const HostPacing &pacing)
    : m_pacing(pacing)
{}

QByteArray HostPacer::hostKey(QByteArrayView url)
{
    const qsizetype sep = url.indexOf("://");
    if (sep <= 0)
        return {};
    const QByteArray scheme = url.first(sep).toByteArray().toLower();
    const char *defaultPort = scheme == "http" ? "80" : scheme == "https" ? "443" : nullptr;
    if (!defaultPort)
        return {};
    qsizetype end = sep + 3;
    while (end < url.size() && url[end] != '/' && url[end] != '?' && url[end] != '#')
        ++end;
    QByteArrayView authority = url.sliced(sep + 3, end - sep - 3);
    if (const qsizetype at = authority.lastIndexOf('@'); at >= 0)
        authority = authority.sliced(at + 1);
    const qsizetype bracket = authority.lastIndexOf(']');
    const qsizetype colon = authority.lastIndexOf(':');
    const bool hasPort = colon >= 0 && colon > bracket;
    QByteArray key = scheme + "://";
    key += (hasPort ? authority.first(colon) : authority).toByteArray().toLower();
    key += ':';
    key += hasPort && colon + 1 < authority.size() ? authority.sliced(colon + 1).toByteArray()
                                                   : QByteArray(defaultPort);
    return key;
}

HostPacer::Outcome HostPacer::outcomeOf(quint8 errorKind, quint16 httpStatus)
{
    switch (ErrorKind(errorKind)) {
    case ErrorKind::Network:
    case ErrorKind::Timeout:
        return Outcome::Failure;
    case ErrorKind::HttpStatus:
        // The host answered: a client error is the request's fault, not the host's.
        return httpStatus >= 500 || httpStatus == 429 ? Outcome::Failure : Outcome::Success;
    case ErrorKind::Cancelled:
    case ErrorKind::WorkerLost:
    case ErrorKind::BadInput:
        return Outcome::Neutral;
    default:
        return Outcome::Success; // fetched; whatever failed after was not the host
    }
}

int HostPacer::hostIndex(const QByteArray &key)
{
    const auto it = m_index.constFind(key);
    if (it != m_index.cend())
        return *it;
    Host h;
    h.key = QString::fromUtf8(key);
    if (const HostRate *rate = m_pacing.rateFor(h.key)) {
        h.perMs = rate->perSecond / 1000.0;
        h.burst = rate->effectiveBurst();
        h.tokens = h.burst;
    }
    const int index = int(m_hosts.size());
    m_hosts.append(std::move(h));
    m_index.insert(key, index);
    return index;
}

double HostPacer::tokensAt(const Host &h, qint64 now)
{
    if (h.perMs <= 0)
        return h.burst;
    if (now <= h.tokensAtMs)
        return h.tokens;
    return std::min(h.burst, h.tokens + double(now - h.tokensAtMs) * h.perMs);
}

bool HostPacer::inFlightFull(const Host &h) const
{
    if (h.breaker == Breaker::Probing)
        return h.inFlight > 0; // one probe at a time
    return m_pacing.hostInFlight > 0 && h.inFlight >= m_pacing.hostInFlight;
}

qint64 HostPacer::allowedAt(const Host &h, qint64 now) const
{
    qint64 at = std::max(now, h.pausedUntilMs);
    if (h.breaker == Breaker::Open)
        at = std::max(at, h.breakerUntilMs);
    if (h.perMs > 0) {
        const double tokens = tokensAt(h, at);
        if (tokens < 1.0)
            at += qint64(std::ceil((1.0 - tokens) / h.perMs));
    }
    return at;
}

bool HostPacer::tryStart(int host, qint64 now)
{
    Host &h = m_hosts[host];
    if (inFlightFull(h) || allowedAt(h, now) > now)
        return false;
    if (h.breaker == Breaker::Open)
        h.breaker = Breaker::Probing;
    if (h.perMs > 0) {
        h.tokens = tokensAt(h, now) - 1.0;
        h.tokensAtMs = now;
    }
    ++h.inFlight;
    ++h.requests;
    if (now - h.secondStartMs >= 1000) {
        h.lastSecond = now - h.secondStartMs >= 2000 ? 0 : h.thisSecond;
        h.thisSecond = 0;
        h.secondStartMs = now - (now - h.secondStartMs) % 1000;
    }
    ++h.thisSecond;
    return true;
}

void HostPacer::finish(int host, Outcome outcome, qint64 now, const QString &why)
{
    Host &h = m_hosts[host];
    h.inFlight = std::max(0, h.inFlight - 1);
    if (outcome == Outcome::Neutral) {
        if (h.breaker == Breaker::Probing && h.inFlight == 0)
            h.breaker = Breaker::Open; // the probe said nothing: another after the cool-down
        return;
    }
    if (outcome == Outcome::Success) {
        h.failuresInARow = 0;
        h.breaker = Breaker::Closed;
        return;
    }
    ++h.errors;
    ++h.failuresInARow;
    h.why = why;
    if (m_pacing.breakerFailures <= 0)
        return;
    if (h.breaker == Breaker::Probing
        || (h.breaker == Breaker::Closed && h.failuresInARow >= m_pacing.breakerFailures)) {
        h.breaker = Breaker::Open;
        h.breakerUntilMs = now + m_pacing.breakerCooldownMs;
    }
}

void HostPacer::pause(int host, qint64 now, qint64 pauseMs, const QString &why)
{
    Host &h = m_hosts[host];
    const qint64 until = now + std::clamp<qint64>(pauseMs, 0, m_pacing.maxPauseMs);
    if (until <= h.pausedUntilMs)
        return;
    h.pausedUntilMs = until;
    h.why = why;
    if (h.perMs > 0) {
        // One request when the pause ends, then the rate: not a burst the server just refused.
        h.tokens = std::min(1.0, h.burst);
        h.tokensAtMs = until;
    }
}

void HostPacer::park(int host, const ReadyQueue::Entry &entry)
{
    m_hosts[host].parked.push_back(entry);
    ++m_parked;
}

void HostPacer::unpark(qint64 now, ReadyQueue &ready)
{
    if (m_parked == 0)
        return;
    for (Host &h : m_hosts) {
        if (h.parked.empty() || allowedAt(h, now) > now)
            continue;
        // As many as the host can start now; the rest wait for the next wake.
        qint64 room = qint64(h.parked.size());
        if (h.breaker != Breaker::Closed)
            room = h.inFlight == 0 ? 1 : 0; // one probe
        else if (m_pacing.hostInFlight > 0)
            room = std::min<qint64>(room, m_pacing.hostInFlight - h.inFlight);
        if (h.perMs > 0)
            room = std::min<qint64>(room, qint64(std::floor(tokensAt(h, now))));
        for (; room > 0 && !h.parked.empty(); --room) {
            ready.push(h.parked.front());
            h.parked.pop_front();
            --m_parked;
        }
    }
}

qint64 HostPacer::nextWakeMs(qint64 now) const
{
    qint64 wake = -1;
    for (const Host &h : m_hosts) {
        if (h.parked.empty() || inFlightFull(h))
            continue;
        const qint64 at = allowedAt(h, now);
        if (wake < 0 || at < wake)
            wake = at;
    }
    return wake;
}

QVector<HostPaceInfo> HostPacer::snapshot(qint64 now) const
{
    QVector<HostPaceInfo> out;
    out.reserve(m_hosts.size());
    for (const Host &h : m_hosts) {
        HostPaceInfo info;
        info.host = h.key;
        info.state = h.breaker != Breaker::Closed ? HostPaceInfo::State::Broken
                     : h.pausedUntilMs > now      ? HostPaceInfo::State::Paused
                                                  : HostPaceInfo::State::Open;
        info.inFlight = h.inFlight;
        info.waiting = int(h.parked.size());
        const qint64 sinceSecond = now - h.secondStartMs;
        info.ratePerSecond = sinceSecond >= 2000   ? 0
                             : sinceSecond >= 1000 ? h.thisSecond
                                                   : h.lastSecond;
        info.limitPerSecond = h.perMs * 1000.0;
        info.inFlightLimit = m_pacing.hostInFlight;
        info.nextAllowedMs = allowedAt(h, now);
        info.requests = h.requests;
        info.errors = h.errors;
        if (info.state != HostPaceInfo::State::Open)
            info.why = h.why;
        out.append(info);
    }
    return out;
}

} // namespace Internal
} // namespace Brigade
