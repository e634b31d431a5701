#pragma once

#include "core/TaskStore.h"

#include <QTextBrowser>
#include <QUrl>

#include <memory>

namespace Brigade {

// Everything about one task: its spec, every attempt (worker, timings, error) and the
// result; for a command or a program call also each attempt's command, exit status,
// stdout and stderr, live while it runs. Rendered as rich text on demand; refresh() redraws
// it when the task changes (the engine's coalesced tasksChanged()).
class TaskDetailsView : public QTextBrowser
{
    Q_OBJECT
public:
    explicit TaskDetailsView(QWidget *parent = nullptr);

    // The link a program's name is shown with, and the program a link names (empty if none).
    static QUrl programLogLink(const QString &program);
    static QString programOfLink(const QUrl &link);

    void showTask(std::shared_ptr<const TaskStore> store, int row);
    void clearTask();
    void refresh();
    int row() const { return m_row; }

    // The HTML for a task; a static function so it can be tested without a widget.
    static QString html(const TaskStore &store, int row, const QPalette &palette);

signals:
    // The user clicked the link to a program's log.
    void programLogRequested(const QString &program);

private:
    std::shared_ptr<const TaskStore> m_store;
    int m_row = -1;
    QString m_shown;
};

} // namespace Brigade
