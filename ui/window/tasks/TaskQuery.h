#pragma once

#include <QString>
#include <Qt>

namespace Brigade {

// Columns of the results table, shared by the model and the off-thread ordering.
// Exit is a command's exit status (or the signal that ended it); empty for other tasks.
enum class TaskColumn : int {
    Id = 0,
    Status,
    Attempts,
    Duration,
    Http,
    Exit,
    Result,
    Error,
    Count
};

// Which tasks the results table shows, in which order.
struct TaskQuery
{
    int sortColumn = -1; // a TaskColumn, or -1 for the batch file's order
    Qt::SortOrder sortOrder = Qt::AscendingOrder;
    int statusFilter = -1; // a TaskStatus, or -1 for every status
    QString text;          // case-insensitive substring of the id, result or error

    bool isIdentity() const { return sortColumn < 0 && statusFilter < 0 && text.isEmpty(); }
    // True when the order can go stale as task states change (everything but the id and
    // the file order is live).
    bool dependsOnState() const
    {
        return statusFilter >= 0 || !text.isEmpty()
               || (sortColumn >= 0 && sortColumn != int(TaskColumn::Id));
    }
    bool operator==(const TaskQuery &o) const
    {
        return sortColumn == o.sortColumn && sortOrder == o.sortOrder
               && statusFilter == o.statusFilter && text == o.text;
    }
    bool operator!=(const TaskQuery &o) const { return !(*this == o); }
};

} // namespace Brigade
