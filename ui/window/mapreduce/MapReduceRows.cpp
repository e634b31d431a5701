#include "MapReduceRows.h"

#include <QHash>

namespace Brigade {

std::shared_ptr<const MapReduceRows> MapReduceRows::build(const MapReduceResult &result)
{
    auto out = std::make_shared<MapReduceRows>();
    out->grandTotal = result.totalCount;
    out->topCount = int(result.top.size());
    out->rows = result.top; // shared, not copied, until appended to
    out->rows.reserve(result.top.size() + result.keys.size());
    out->asked.assign(size_t(result.top.size()), false);

    // Asked keys: marked where they rank, else appended once (a key may be asked twice).
    QHash<QByteArray, int> askedAt;
    askedAt.reserve(result.keys.size());
    for (const KeyTotal &k : result.keys)
        askedAt.insert(k.key, -1);
    if (!askedAt.isEmpty()) {
        for (int i = 0; i < out->topCount; ++i) {
            const auto it = askedAt.find(out->rows[i].key);
            if (it != askedAt.end()) {
                it.value() = i;
                out->asked[size_t(i)] = true;
            }
        }
    }
    for (const KeyTotal &k : result.keys) {
        int &at = askedAt[k.key];
        if (at >= 0) // among the top totals, or asked twice: already in place
            continue;
        at = int(out->rows.size());
        out->rows.append(k);
        out->asked.push_back(true);
    }
    for (bool a : out->asked)
        out->askedCount += a ? 1 : 0;
    return out;
}

} // namespace Brigade
