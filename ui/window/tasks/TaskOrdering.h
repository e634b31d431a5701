#pragma once

#include "TaskQuery.h"
#include "core/TaskStore.h"

#include <QVector>

#include <atomic>
#include <memory>

namespace Brigade {

// Computes which store rows the results table shows and in which order. Runs on any
// thread: specs are read without a lock (they never change) and states under the store's
// read lock, a chunk of rows at a time so the engine is never held up for long.
class TaskOrdering
{
public:
    struct Result
    {
        bool identity = true; // every row in file order; rows and viewRowOf are empty
        bool cancelled = false;
        QVector<int> rows;                           // view row -> store row
        QVector<int> viewRowOf;                      // store row -> view row, -1 when filtered out
        std::shared_ptr<const QVector<int>> idOrder; // the id order used, for reuse
        qint64 elapsedMs = 0;
    };

    // idOrder: rows in natural id order, from an earlier Result; computed when null and
    // needed (ids never change, so it is worth keeping).
    static Result compute(const TaskStore &store, const TaskQuery &query,
                          std::shared_ptr<const QVector<int>> idOrder,
                          const std::atomic_bool &cancel);

    // Rows ordered by id, comparing digit runs as numbers ("t2" < "t10").
    static QVector<int> naturalIdOrder(const TaskStore &store, const std::atomic_bool &cancel);
    static int naturalCompare(QStringView a, QStringView b);
    // Whether the task matches the text filter; needle must be lower case.
    static bool matches(const TaskSpec &spec, const TaskState &state, const QString &needle,
                        const QByteArray &needleUtf8, bool asciiNeedle);
};

} // namespace Brigade
