#pragma once

#include <QByteArrayView>

// ASCII case, the one copy: text filters over a million rows match with it.
namespace Brigade::Ascii {

inline char toLower(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c;
}

// Whether hay contains needle, ignoring ASCII case; needle must already be lower case.
// The tables' text filters run this over a million rows: no allocation, no Unicode folding
// (a non-ASCII needle is matched by the caller's slower path).
bool containsNoCase(QByteArrayView hay, QByteArrayView needle);

} // namespace Brigade::Ascii
