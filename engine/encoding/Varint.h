#pragma once

#include <QtGlobal>

// LEB128 varints, the one copy: 7 bits a byte, small numbers in one byte. The worker
// protocol's frames, the journal's records and MapReduce's partial results all use them.
namespace Brigade::Varint {

constexpr int MaxBytes = 10; // a quint64

// Writes v at p, into room the caller reserved (MaxBytes): no bounds check per byte, which
// is what the journal and the partial results need on their hot paths. Returns the end.
inline char *put(char *p, quint64 v)
{
    while (v >= 0x80) {
        *p++ = char(quint8(v) | 0x80);
        v >>= 7;
    }
    *p++ = char(v);
    return p;
}

// Signed values as zigzag: -1 is one byte, not ten.
inline quint64 zigzag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}

inline qint64 unzigzag(quint64 z)
{
    return qint64(z >> 1) ^ -qint64(z & 1);
}

// Reads one varint from [*p, end) and moves *p past it. False when the bytes end first or
// it runs longer than MaxBytes (nothing Brigade wrote); *p is then unspecified.
template<typename Byte>
inline bool read(const Byte **p, const Byte *end, quint64 *out)
{
    quint64 v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p == end)
            return false;
        const quint8 b = quint8(*(*p)++);
        v |= quint64(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

} // namespace Brigade::Varint
