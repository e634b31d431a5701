#pragma once

#include <QByteArrayView>

namespace Brigade::TextMatch {

inline char asciiLower(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c;
}

// Whether hay contains needle, ignoring ASCII case; needle must already be lower case.
// The tables' text filters run this over a million rows: no allocation, no Unicode folding
// (a non-ASCII needle is matched by the caller's slower path).
bool containsAsciiNoCase(QByteArrayView hay, QByteArrayView needle);

} // namespace Brigade::TextMatch
