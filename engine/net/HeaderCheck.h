#pragma once

#include <QByteArrayView>
#include <QString>

namespace Brigade {

// The one check of request headers, used when a batch loads (so a bad header is a
// file:line:column error) and again before a worker sends a request.
class HeaderCheck
{
public:
    // Why the header cannot be sent as given, or an empty string when it can: the name must
    // be an HTTP token, the value must not hold line breaks, NUL or other control
    // characters (a tab is fine), and the framing headers (Content-Length,
    // Transfer-Encoding) are the client's to set.
    static QString problem(QByteArrayView name, QByteArrayView value);

    // Headers that carry credentials (Authorization, Proxy-Authorization, Cookie): a batch
    // must take their values from the environment, never write them, since the batch is
    // copied into the run's journal.
    static bool isSecret(QByteArrayView name);

    static bool equalsNoCase(QByteArrayView a, QByteArrayView lowerB);
};

} // namespace Brigade
