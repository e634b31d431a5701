#pragma once

#include "ComputeOp.h"
#include "mapreduce/MapReduceSpec.h"

namespace Brigade {

// The map step of a MapReduce job as a compute op: counts the keys of one chunk of a local
// file (mapreduce/ChunkParams) and returns them as a binary PartialResult, not JSON. The
// job builds these tasks itself; a batch line cannot use the op directly.
class MapChunkOp : public ComputeOp
{
public:
    explicit MapChunkOp(MapFormat format)
        : m_format(format)
    {}

    bool isPublic() const override { return false; }
    bool parseParams(const QJsonObject &compute, QByteArray *params, QString *error,
                     QString *errorKey) const override;
    bool run(const QByteArray &params, QByteArrayView input, const std::atomic_bool &cancel,
             QByteArray *resultJson, QString *error) const override;

private:
    MapFormat m_format;
};

} // namespace Brigade
