#include "MapReduceOrdering.h"

#include "text/Ascii.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cstring>
#include <numeric>

namespace Brigade {

namespace {

constexpr int RowsPerCancelCheck = 65536;

using Ascii::containsNoCase;
using Ascii::toLower;

} // namespace

bool MapReduceOrdering::keyLess(QByteArrayView a, QByteArrayView b)
{
    const size_t n = size_t(qMin(a.size(), b.size()));
    const int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
    return c < 0 || (c == 0 && a.size() < b.size());
}

bool MapReduceOrdering::matches(QByteArrayView key, const QString &needle,
                                const QByteArray &needleUtf8, bool asciiNeedle)
{
    if (asciiNeedle)
        return Ascii::containsNoCase(key, needleUtf8);
    // Rare: a needle with letters beyond ASCII needs Unicode case folding.
    if (Ascii::containsNoCase(key, needleUtf8))
        return true;
    return QString::fromUtf8(key).contains(needle, Qt::CaseInsensitive);
}

MapReduceOrdering::Result MapReduceOrdering::compute(const MapReduceRows &data,
                                                     const MapReduceQuery &query,
                                                     const std::atomic_bool &cancel)
{
    QElapsedTimer clock;
    clock.start();
    Result out;
    if (query.isIdentity())
        return out;
    out.identity = false;
    const int n = data.size();
    const QVector<KeyTotal> &rows = data.rows;

    // Filter, in rank order.
    const QString needle = query.text.toLower();
    const QByteArray needleUtf8 = needle.toUtf8();
    bool ascii = true;
    for (char c : needleUtf8)
        ascii = ascii && uchar(c) < 0x80;
    QVector<int> shown;
    shown.reserve(query.subset == MapReduceQuery::Subset::Asked ? int(data.askedCount) : n);
    for (int begin = 0; begin < n; begin += RowsPerCancelCheck) {
        if (cancel.load(std::memory_order_relaxed)) {
            out.cancelled = true;
            return out;
        }
        const int end = qMin(n, begin + RowsPerCancelCheck);
        for (int r = begin; r < end; ++r) {
            if (query.subset == MapReduceQuery::Subset::Top && !data.isTop(r))
                continue;
            if (query.subset == MapReduceQuery::Subset::Asked && !data.isAsked(r))
                continue;
            if (!needle.isEmpty() && !matches(rows[r].key, needle, needleUtf8, ascii))
                continue;
            shown.append(r);
        }
    }

    // Sort ascending, then reverse for descending: toggling the order reverses the rows
    // exactly, ties included.
    switch (TotalsColumn(query.sortColumn)) {
    case TotalsColumn::Key:
        std::sort(shown.begin(), shown.end(),
                  [&](int a, int b) { return keyLess(rows[a].key, rows[b].key); });
        break;
    case TotalsColumn::Total:
    case TotalsColumn::Share:
        // Descending is the CLI's order: largest first, ties in byte order of the key.
        std::sort(shown.begin(), shown.end(), [&](int a, int b) {
            if (rows[a].total != rows[b].total)
                return rows[a].total < rows[b].total;
            return keyLess(rows[b].key, rows[a].key);
        });
        break;
    case TotalsColumn::Rank:
    case TotalsColumn::Count:
    default:
        break; // already in rank order
    }
    if (query.sortColumn >= 0 && query.sortOrder == Qt::DescendingOrder)
        std::reverse(shown.begin(), shown.end());
    if (cancel.load(std::memory_order_relaxed)) {
        out.cancelled = true;
        return out;
    }

    out.viewRowOf.fill(-1, n);
    for (int v = 0; v < shown.size(); ++v)
        out.viewRowOf[shown[v]] = v;
    out.rows = std::move(shown);
    out.elapsedMs = clock.elapsed();
    return out;
}

} // namespace Brigade
