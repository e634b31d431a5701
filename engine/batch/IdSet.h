#pragma once

#include <QByteArrayView>

#include <functional>
#include <utility>
#include <vector>

namespace Brigade {

// The duplicate check of batch ids, for millions of ids without a node or a QString per
// id: the ids are split by hash into parts whose open-addressing table (8 bytes a slot)
// stays in the CPU's cache, instead of one big table that misses it on every id.
class IdSet
{
public:
    // For every id equal to an earlier one: (its index, the index of the first), in the
    // order of the first element. The views are only read during the call.
    static std::vector<std::pair<size_t, size_t>>
    duplicates(const std::vector<QByteArrayView> &ids);
    // The same for count ids given by idAt(index), which must give the same view for an
    // index each time: the ids need not be copied into one list first.
    static std::vector<std::pair<size_t, size_t>>
    duplicates(size_t count, const std::function<QByteArrayView(size_t)> &idAt);
};

} // namespace Brigade
