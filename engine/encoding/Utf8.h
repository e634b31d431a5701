#pragma once

#include <QByteArrayView>

// UTF-8 validation, the one copy: what the batch parser refuses and what JSON writers
// replace with U+FFFD. Strict as RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF.
namespace Brigade::Utf8 {

// The length of the valid sequence starting at p (1 for ASCII), given n bytes there; 0
// when it is not valid, with *bad the number of bytes to skip (at least 1).
int sequenceLength(const unsigned char *p, qsizetype n, int *bad);

// Offset of the first byte that is not part of valid UTF-8, or -1.
qsizetype invalidAt(QByteArrayView bytes);

inline constexpr char Replacement[] = "\xef\xbf\xbd"; // U+FFFD, as UTF-8

} // namespace Brigade::Utf8
