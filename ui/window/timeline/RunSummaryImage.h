#pragma once

#include "TimelineFrame.h"

#include <QImage>
#include <QString>

#include <memory>

namespace Brigade {

class TaskStore;

// The run summary as one picture for a ticket: the batch's name and counts, the whole
// timeline of every worker, and where the time went per host. Drawn on any thread.
class RunSummaryImage
{
public:
    struct Input
    {
        std::shared_ptr<const TaskStore> store;
        QString title;
        TimelineColors colors;
        QRgb text = 0xff1f2328;
        QRgb background = 0xffffffff;
        int width = 1600;
    };

    static QImage render(const Input &input);
};

} // namespace Brigade
