#include "Utf8.h"

namespace Brigade::Utf8 {

int sequenceLength(const unsigned char *p, qsizetype n, int *bad)
{
    const unsigned char c = p[0];
    int len;
    unsigned char lo = 0x80, hi = 0xbf; // allowed range of the second byte
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0; // no overlong forms
        else if (c == 0xed)
            hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f; // nothing above U+10FFFF
    } else {
        *bad = 1;
        return 0;
    }
    for (int i = 1; i < len; ++i) {
        const unsigned char lower = i == 1 ? lo : 0x80;
        const unsigned char upper = i == 1 ? hi : 0xbf;
        if (i >= n || p[i] < lower || p[i] > upper) {
            *bad = i;
            return 0;
        }
    }
    return len;
}

qsizetype invalidAt(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const qsizetype n = bytes.size();
    for (qsizetype i = 0; i < n;) {
        if (p[i] < 0x80) {
            ++i;
            continue;
        }
        int bad = 1;
        const int len = sequenceLength(p + i, n - i, &bad);
        if (len == 0)
            return i;
        i += len;
    }
    return -1;
}

} // namespace Brigade::Utf8
