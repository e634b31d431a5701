#pragma once

#include <QString>
#include <Qt>

namespace Brigade {

// Columns of the MapReduce totals table, shared by the model and the off-thread ordering.
enum class TotalsColumn : int { Rank = 0, Key, Total, Share, Count };

// Which rows of a MapReduce result the totals table shows, in which order.
struct MapReduceQuery
{
    enum class Subset { All, Top, Asked };

    int sortColumn = -1; // a TotalsColumn, or -1 for rank order (top totals, then asked keys)
    Qt::SortOrder sortOrder = Qt::AscendingOrder;
    Subset subset = Subset::All;
    QString text; // a substring of the key; ASCII letters match either case

    bool isIdentity() const
    {
        const bool rankOrder
                = sortColumn < 0
                  || (sortColumn == int(TotalsColumn::Rank) && sortOrder == Qt::AscendingOrder);
        return rankOrder && subset == Subset::All && text.isEmpty();
    }
};

} // namespace Brigade
