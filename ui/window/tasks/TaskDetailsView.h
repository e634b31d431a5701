#pragma once

#include "core/TaskStore.h"

#include <QTextBrowser>

#include <memory>

namespace Brigade {

// Everything about one task: its spec, every attempt (worker, timings, error) and the
// result. Rendered as rich text on demand; refresh() redraws it when the task changes.
class TaskDetailsView : public QTextBrowser
{
    Q_OBJECT
public:
    explicit TaskDetailsView(QWidget *parent = nullptr);

    void showTask(std::shared_ptr<const TaskStore> store, int row);
    void clearTask();
    void refresh();
    int row() const { return m_row; }

    // The HTML for a task; a static function so it can be tested without a widget.
    static QString html(const TaskStore &store, int row, const QPalette &palette);

private:
    std::shared_ptr<const TaskStore> m_store;
    int m_row = -1;
    QString m_shown;
};

} // namespace Brigade
