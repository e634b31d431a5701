#include "ChunkParams.h"

#include "protocol/WireReader.h"
#include "protocol/WireWriter.h"

namespace Brigade {

namespace {
constexpr quint8 Version = 1;
}

QByteArray ChunkParams::encode() const
{
    QByteArray out;
    out.reserve(40 + path.size());
    WireWriter w(&out);
    w.u8(Version);
    w.i64(offset);
    w.i64(length);
    w.i64(fileSize);
    w.i64(mtimeNs);
    w.bytes(path);
    return out;
}

bool ChunkParams::decode(const QByteArray &params, ChunkParams *out)
{
    WireReader r(params);
    if (r.u8() != Version)
        return false;
    out->offset = r.i64();
    out->length = r.i64();
    out->fileSize = r.i64();
    out->mtimeNs = r.i64();
    out->path = r.bytes();
    // Params come over the wire: refuse ranges that do not make sense.
    return r.ok() && r.atEnd() && !out->path.isEmpty() && out->offset >= 0 && out->length >= 0
           && out->fileSize >= 0 && out->offset <= out->fileSize
           && out->length <= out->fileSize - out->offset;
}

} // namespace Brigade
