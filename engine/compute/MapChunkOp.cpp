#include "MapChunkOp.h"

#include "mapreduce/ChunkMapper.h"

namespace Brigade {

bool MapChunkOp::parseParams(const QJsonObject &, QByteArray *, QString *error,
                             QString *errorKey) const
{
    *error = QStringLiteral("\"%1\" is the map step of a MapReduce job; declare the job with "
                            "{\"mapreduce\": {...}} instead (see docs/mapreduce.md)")
                     .arg(QString::fromLatin1(name()));
    *errorKey = QStringLiteral("op");
    return false;
}

bool MapChunkOp::run(const QByteArray &params, QByteArrayView, const std::atomic_bool &cancel,
                     QByteArray *resultJson, QString *error) const
{
    ChunkParams chunk;
    if (!ChunkParams::decode(params, &chunk)) {
        *error = QStringLiteral("%1: bad parameters").arg(QString::fromLatin1(name()));
        return false;
    }
    return ChunkMapper::map(chunk, m_format, cancel, resultJson, error);
}

} // namespace Brigade
