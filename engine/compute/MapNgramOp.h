#pragma once

#include "MapChunkOp.h"

namespace Brigade {

// "map_ngram": sums match_count per word over word<TAB>year<TAB>match_count<TAB>volume_count
// lines of one chunk.
class MapNgramOp : public MapChunkOp
{
public:
    MapNgramOp()
        : MapChunkOp(MapFormat::Ngram)
    {}
    QByteArray name() const override { return QByteArrayLiteral("map_ngram"); }
};

} // namespace Brigade
