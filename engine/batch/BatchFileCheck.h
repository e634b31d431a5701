#pragma once

#include "batch/Batch.h"

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace Brigade {

// Files that are not a batch as a whole, told apart before their lines are parsed: UTF-16
// text, a JSON array, JSON spread over several lines. One problem with what to do about
// it, where line by line parsing would give a wall of errors that say neither.
class BatchFileCheck
{
public:
    // The one problem of data as a whole, or nothing when its lines are worth parsing.
    // fileName decides the format as the parser does (.txt: URL list).
    static std::optional<BatchError> check(QByteArrayView data, const QString &fileName);
};

} // namespace Brigade
