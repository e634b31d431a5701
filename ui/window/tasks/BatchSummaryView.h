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
    void clear();

    QStringList problems() const; // as listed, for tests and copying
    QString summaryText() const;

signals:
    // The user clicked the link to a program's log.
    void programLogRequested(const QString &program);

private:
    QLabel *m_title;
    QLabel *m_details;
    QLabel *m_problemHeader;
    QListWidget *m_problems;
};

} // namespace Brigade
