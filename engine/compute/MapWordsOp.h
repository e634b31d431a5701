#pragma once

#include "MapChunkOp.h"

namespace Brigade {

// "map_words": counts the whitespace-separated words of the lines of one chunk.
class MapWordsOp : public MapChunkOp
{
public:
    MapWordsOp()
        : MapChunkOp(MapFormat::Text)
    {}
    QByteArray name() const override { return QByteArrayLiteral("map_words"); }
};

} // namespace Brigade
