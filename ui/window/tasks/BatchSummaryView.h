#pragma once

#include "batch/Batch.h"

#include <QWidget>

class QLabel;
class QListWidget;

namespace Brigade {

// What a loaded batch holds (tasks, kinds of fetch and compute, defaults, the programs and
// commands of the user's it runs) and, when it has problems, the list of file:line:column
// errors.
class BatchSummaryView : public QWidget
{
    Q_OBJECT
public:
    explicit BatchSummaryView(QWidget *parent = nullptr);

    void setBatch(const Batch &batch, qint64 taskCount, qint64 loadMs);
    // The run has taskCount tasks now (tasks were added to it: brigade submit, File › Add
    // Tasks…): the first line says so, and how many were added. Call it as often as the
    // progress comes; the text changes only when the count does.
    void setTaskCount(qint64 taskCount);
    qint64 taskCount() const { return m_tasks; }
    void clear();

    QStringList problems() const; // as listed, for tests and copying
    QString summaryText() const;

signals:
    // The user clicked the link to a program's log.
    void programLogRequested(const QString &program);
    // setTaskCount() changed the text.
    void taskCountShown(qint64 taskCount);

private:
    void showDetails();

    QLabel *m_title;
    QLabel *m_details;
    QLabel *m_problemHeader;
    QListWidget *m_problems;
    qint64 m_batchTasks = 0; // the batch's own, as read
    qint64 m_batchLines = 0;
    qint64 m_loadMs = 0;
    qint64 m_tasks = 0;  // now, with those added
    QStringList m_kinds; // the lines after the first
};

} // namespace Brigade
