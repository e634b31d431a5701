#include "HttpResponseParser.h"

#include <QDateTime>
#include <QList>
#include <QTimeZone>

#include <cstring>
#include <limits>

namespace Brigade {

namespace {

// A response whose status line and headers exceed this is not one we want.
constexpr qint64 MaxHeaderBytes = 64 * 1024;
// Redirect bodies up to this are drained to keep the connection; larger ones close it.
constexpr qint64 MaxDrainBytes = 64 * 1024;
// Read-until-close bodies are read in pieces of at most this.
constexpr qint64 UntilCloseStep = 64 * 1024;
// A chunk-size line with extensions longer than this is garbage.
constexpr qint64 MaxChunkLine = 4096;

bool equalsNoCase(QByteArrayView a, const char *lowerB, qsizetype bLen)
{
    if (a.size() != bLen)
        return false;
    for (qsizetype i = 0; i < bLen; ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c + ('a' - 'A'));
        if (c != lowerB[i])
            return false;
    }
    return true;
}

template<qsizetype N>
bool equalsNoCase(QByteArrayView a, const char (&lowerB)[N])
{
    return equalsNoCase(a, lowerB, N - 1);
}

// Whether a comma-separated header value holds token (lower case), ignoring case.
template<qsizetype N>
bool hasToken(QByteArrayView value, const char (&token)[N])
{
    while (!value.isEmpty()) {
        qsizetype comma = value.indexOf(',');
        QByteArrayView item = comma < 0 ? value : value.first(comma);
        if (equalsNoCase(item.trimmed(), token))
            return true;
        if (comma < 0)
            break;
        value = value.sliced(comma + 1);
    }
    return false;
}

bool parseDecimal(QByteArrayView s, qint64 *out)
{
    if (s.isEmpty() || s.size() > 18)
        return false;
    qint64 v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
}

bool isRedirectStatus(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and RFC 850 ("Sunday, 06-Nov-94 ...");
// Qt's RFC 2822 parser takes asctime but not the "GMT" zone of the other two.
QDateTime parseHttpDate(QByteArrayView value)
{
    const qsizetype comma = value.indexOf(',');
    if (comma < 0)
        return QDateTime::fromString(QString::fromLatin1(value), Qt::RFC2822Date);
    QByteArray rest = value.sliced(comma + 1).toByteArray();
    rest.replace('-', ' ');
    const QList<QByteArray> parts = rest.simplified().split(' ');
    if (parts.size() < 4)
        return {};
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    int month = 0;
    for (int m = 0; m < 12; ++m) {
        if (equalsNoCase(parts[1], months + 3 * m, 3))
            month = m + 1;
    }
    qint64 day = 0, year = 0;
    if (!month || !parseDecimal(parts[0], &day) || !parseDecimal(parts[2], &year))
        return {};
    if (parts[2].size() == 2)
        year += year < 70 ? 2000 : 1900;
    const QTime time = QTime::fromString(QString::fromLatin1(parts[3]), QStringLiteral("hh:mm:ss"));
    const QDate date(int(year), month, int(day));
    if (!date.isValid() || !time.isValid())
        return {};
    return QDateTime(date, time, QTimeZone::utc());
}

} // namespace

void HttpResponseParser::reset(qint64 maxBytes)
{
    m_maxBytes = maxBytes < 0 ? 0 : maxBytes;
    m_received = false;
    m_headerBytes = 0;
    m_error = ErrorKind::None;
    m_message.clear();
    m_body = QByteArray(); // the previous body went to the caller
    resetResponse();
}

void HttpResponseParser::resetResponse()
{
    m_state = State::StatusLine;
    m_http10 = false;
    m_chunked = false;
    m_keepAlive = true;
    m_connectionClose = false;
    m_connectionKeepAlive = false;
    m_discard = false;
    m_status = 0;
    m_contentLength = -1;
    m_remaining = 0;
    m_discarded = 0;
    m_line.resize(0);
    m_location.clear();
    m_retryAfter.clear();
}

qsizetype HttpResponseParser::feed(const char *data, qsizetype size)
{
    if (size > 0)
        m_received = true;
    qsizetype pos = 0;
    while (pos < size) {
        switch (m_state) {
        case State::Done:
        case State::Failed:
            return pos;
        case State::Body:
        case State::ChunkData:
        case State::UntilClose: {
            qint64 n = size - pos;
            if (m_state != State::UntilClose)
                n = qMin(n, m_remaining);
            if (m_discard) {
                m_discarded += n;
            } else {
                if (m_state == State::UntilClose && m_body.size() + n > m_maxBytes) {
                    failTooLarge();
                    return pos;
                }
                m_body.append(data + pos, n);
            }
            pos += n;
            bodyAdded(n);
            break;
        }
        default: {
            const void *nl = std::memchr(data + pos, '\n', size_t(size - pos));
            const qsizetype end = nl ? static_cast<const char *>(nl) - data : size;
            if (m_state == State::StatusLine || m_state == State::Headers
                || m_state == State::Trailers) {
                m_headerBytes += end - pos;
                if (m_headerBytes > MaxHeaderBytes) {
                    fail(ErrorKind::Network, QStringLiteral("response headers too large"));
                    return pos;
                }
            } else if (m_line.size() + (end - pos) > MaxChunkLine) {
                fail(ErrorKind::Network, QStringLiteral("truncated body: bad chunk"));
                return pos;
            }
            if (!nl) {
                m_line.append(data + pos, end - pos);
                return size;
            }
            QByteArrayView line(data + pos, end - pos);
            if (!m_line.isEmpty()) {
                m_line.append(line);
                line = m_line;
            }
            pos = end + 1;
            if (line.endsWith('\r'))
                line.chop(1);
            handleLine(line);
            m_line.resize(0);
            break;
        }
        }
    }
    return pos;
}

void HttpResponseParser::handleLine(QByteArrayView line)
{
    switch (m_state) {
    case State::StatusLine:
        handleStatusLine(line);
        break;
    case State::Headers:
        if (line.isEmpty())
            headersDone();
        else
            handleHeader(line);
        break;
    case State::ChunkSize:
        handleChunkSize(line);
        break;
    case State::ChunkDataEnd:
        if (!line.isEmpty())
            fail(ErrorKind::Network, QStringLiteral("truncated body: bad chunk"));
        else
            m_state = State::ChunkSize;
        break;
    case State::Trailers:
        if (line.isEmpty())
            finish();
        break;
    default:
        break;
    }
}

void HttpResponseParser::handleStatusLine(QByteArrayView line)
{
    if (line.isEmpty())
        return; // tolerate stray blank lines between responses
    // "HTTP/1.1 200 OK"
    if (line.size() < 12 || !line.startsWith("HTTP/1.") || line[8] != ' ') {
        fail(ErrorKind::Network, QStringLiteral("malformed HTTP status line"));
        return;
    }
    int status = 0;
    for (int i = 9; i < 12; ++i) {
        const char c = line[i];
        if (c < '0' || c > '9') {
            fail(ErrorKind::Network, QStringLiteral("malformed HTTP status line"));
            return;
        }
        status = status * 10 + (c - '0');
    }
    m_status = status;
    m_http10 = line[7] == '0';
    m_state = State::Headers;
}

void HttpResponseParser::handleHeader(QByteArrayView line)
{
    if (line[0] == ' ' || line[0] == '\t')
        return; // obsolete line folding: none of the headers we read uses it
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return;
    const QByteArrayView name = line.first(colon);
    const QByteArrayView value = line.sliced(colon + 1).trimmed();
    // Dispatch on the length first: most headers are of no interest.
    switch (name.size()) {
    case 8:
        if (equalsNoCase(name, "location"))
            m_location = value.toByteArray();
        break;
    case 10:
        if (equalsNoCase(name, "connection")) {
            m_connectionClose |= hasToken(value, "close");
            m_connectionKeepAlive |= hasToken(value, "keep-alive");
        }
        break;
    case 11:
        if (equalsNoCase(name, "retry-after"))
            m_retryAfter = value.toByteArray();
        break;
    case 14:
        if (equalsNoCase(name, "content-length")) {
            qint64 length = 0;
            if (!parseDecimal(value, &length)
                || (m_contentLength >= 0 && m_contentLength != length)) {
                fail(ErrorKind::Network, QStringLiteral("bad Content-Length"));
                return;
            }
            m_contentLength = length;
        }
        break;
    case 17:
        if (equalsNoCase(name, "transfer-encoding"))
            m_chunked = hasToken(value, "chunked");
        break;
    default:
        break;
    }
}

void HttpResponseParser::headersDone()
{
    if (m_status >= 100 && m_status < 200) {
        if (m_status == 101) {
            fail(ErrorKind::Network, QStringLiteral("unexpected protocol switch"));
            return;
        }
        resetResponse(); // an interim response; the real one follows
        return;
    }
    m_keepAlive = m_http10 ? m_connectionKeepAlive && !m_connectionClose : !m_connectionClose;
    m_discard = isRedirectStatus(m_status) && !m_location.isEmpty();

    if (m_status == 204 || m_status == 304) {
        finish();
    } else if (m_chunked) {
        m_state = State::ChunkSize;
    } else if (m_contentLength >= 0) {
        if (m_discard && m_contentLength > MaxDrainBytes) {
            m_keepAlive = false; // not worth draining: close instead
            finish();
            return;
        }
        if (!m_discard && m_contentLength > m_maxBytes) {
            failTooLarge();
            return;
        }
        if (m_contentLength == 0) {
            finish();
            return;
        }
        if (!m_discard)
            m_body.reserve(m_contentLength);
        m_remaining = m_contentLength;
        m_state = State::Body;
    } else {
        m_keepAlive = false;
        if (m_discard)
            finish();
        else
            m_state = State::UntilClose;
    }
}

void HttpResponseParser::handleChunkSize(QByteArrayView line)
{
    const qsizetype ext = line.indexOf(';');
    if (ext >= 0)
        line = line.first(ext);
    line = line.trimmed();
    if (line.isEmpty() || line.size() > 15) {
        fail(ErrorKind::Network, QStringLiteral("truncated body: bad chunk size"));
        return;
    }
    qint64 size = 0;
    for (char c : line) {
        int digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else {
            fail(ErrorKind::Network, QStringLiteral("truncated body: bad chunk size"));
            return;
        }
        size = size * 16 + digit;
    }
    if (size == 0) {
        m_state = State::Trailers;
        return;
    }
    if (m_discard) {
        if (m_discarded + size > MaxDrainBytes) {
            m_keepAlive = false;
            finish();
            return;
        }
    } else if (m_body.size() + size > m_maxBytes) {
        failTooLarge();
        return;
    }
    m_remaining = size;
    m_state = State::ChunkData;
}

void HttpResponseParser::bodyAdded(qint64 n)
{
    if (m_state == State::UntilClose)
        return;
    m_remaining -= n;
    if (m_remaining > 0)
        return;
    if (m_state == State::Body)
        finish();
    else
        m_state = State::ChunkDataEnd;
}

qint64 HttpResponseParser::directRoom() const
{
    if (m_discard)
        return 0;
    switch (m_state) {
    case State::Body:
    case State::ChunkData:
        return m_remaining;
    case State::UntilClose:
        // One byte past the limit is enough to know the body is too large.
        return qMin(UntilCloseStep, m_maxBytes - m_body.size() + 1);
    default:
        return 0;
    }
}

char *HttpResponseParser::directBuffer(qint64 n)
{
    m_directOld = m_body.size();
    m_body.resize(m_directOld + n);
    return m_body.data() + m_directOld;
}

void HttpResponseParser::directCommit(qint64 got)
{
    got = qMax<qint64>(got, 0);
    m_body.resize(m_directOld + got);
    if (got == 0)
        return;
    m_received = true;
    if (m_state == State::UntilClose && m_body.size() > m_maxBytes) {
        failTooLarge();
        return;
    }
    bodyAdded(got);
}

void HttpResponseParser::finishAtEof()
{
    switch (m_state) {
    case State::Done:
    case State::Failed:
        return;
    case State::UntilClose:
        finish();
        return;
    case State::Body:
        fail(ErrorKind::Network, QStringLiteral("truncated body: got %1 of %2 bytes")
                                         .arg(bodyReceived())
                                         .arg(m_contentLength));
        return;
    case State::ChunkSize:
    case State::ChunkData:
    case State::ChunkDataEnd:
    case State::Trailers:
        fail(ErrorKind::Network,
             QStringLiteral("truncated body: got %1 bytes of a chunked body").arg(bodyReceived()));
        return;
    case State::StatusLine:
        if (!m_received) {
            fail(ErrorKind::Network, QStringLiteral("connection closed before a response"));
            return;
        }
        Q_FALLTHROUGH();
    case State::Headers:
        fail(ErrorKind::Network, QStringLiteral("connection closed inside the response headers"));
        return;
    }
}

void HttpResponseParser::finish()
{
    m_state = State::Done;
}

void HttpResponseParser::fail(ErrorKind kind, const QString &message)
{
    m_state = State::Failed;
    m_error = kind;
    m_message = message;
    m_keepAlive = false;
}

void HttpResponseParser::failTooLarge()
{
    if (m_contentLength >= 0 && !m_chunked) {
        fail(ErrorKind::TooLarge, QStringLiteral("body of %1 bytes exceeds the limit of %2 bytes")
                                          .arg(m_contentLength)
                                          .arg(m_maxBytes));
    } else {
        fail(ErrorKind::TooLarge,
             QStringLiteral("body exceeds the limit of %1 bytes").arg(m_maxBytes));
    }
    m_body = QByteArray();
}

quint32 HttpResponseParser::parseRetryAfterMs(QByteArrayView value, const QDateTime &now)
{
    value = value.trimmed();
    if (value.isEmpty())
        return 0;
    qint64 ms = 0;
    qint64 seconds = 0;
    if (parseDecimal(value, &seconds)) {
        ms = seconds > std::numeric_limits<quint32>::max() / 1000
                     ? std::numeric_limits<qint64>::max()
                     : seconds * 1000;
    } else {
        const QDateTime at = parseHttpDate(value);
        if (!at.isValid())
            return 0;
        ms = now.msecsTo(at);
    }
    return quint32(qBound<qint64>(0, ms, std::numeric_limits<quint32>::max()));
}

} // namespace Brigade
