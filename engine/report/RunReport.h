#pragma once

#include <QDateTime>
#include <QString>

namespace Brigade {

class TaskStore;

// A run as one self-contained HTML page that can be attached to a ticket: the counts, the
// rates over time, the timeline of every worker, where the time went (per host and worker)
// and the failure groups. Inline SVG and CSS only: no script, no external asset, readable
// offline in any browser. Built from the store and its attempt log, off the GUI thread.
class RunReport
{
public:
    struct Options
    {
        QString title; // the batch's name
        QString batchPath;
        QString journalPath;
        QDateTime generatedAt = QDateTime::currentDateTime();
        // The failure groups section, as HTML, when the caller has them.
        QString failuresHtml;
        int timelineColumns = 360;
    };

    static QString html(const TaskStore &store, const Options &options);

    // An inline SVG sparkline of counts over equal time buckets (for failure groups too).
    static QString sparkline(const QVector<int> &counts, int width, int height,
                             const QString &color);
};

} // namespace Brigade
