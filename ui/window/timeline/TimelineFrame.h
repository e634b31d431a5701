#pragma once

#include "timeline/AttemptLog.h"

#include <QImage>
#include <QRectF>
#include <QRgb>
#include <QVector>

#include <memory>
#include <vector>

namespace Brigade {

class TaskStore;

// The colours a timeline frame is drawn in (status hues from StatusStyle, the rest from the
// palette), passed to the renderer's thread as plain values.
struct TimelineColors
{
    QRgb fetch = 0;
    QRgb compute = 0; // a succeeded attempt's compute
    QRgb waiting = 0; // on a worker, neither fetching nor computing
    QRgb failed = 0;
    QRgb retried = 0; // a failure that was retried; its backoff too
    QRgb cancelled = 0;
    QRgb lost = 0;
    QRgb queued = 0;   // the engine's queue (the waiting row, queued whiskers)
    QRgb running = 0;  // the running line of the queue row, a running bar's head
    QRgb inFlight = 0; // an attempt still running
    QRgb laneBase = 0; // a lane's background
};

// What to draw: a time range over a plot of size pixels, with each shown lane's band.
struct TimelineFrameRequest
{
    struct LaneBand
    {
        int lane = 0; // index into AttemptLog::lanes()
        int y = 0;
        int height = 0;
    };

    std::shared_ptr<const TaskStore> store;
    qint64 fromUs = 0;
    qint64 toUs = 1;
    QSize size;
    qreal devicePixelRatio = 1;
    QVector<LaneBand> lanes;
    int queueY = -1; // the row of waiting tasks, when shown
    int queueHeight = 0;
    TimelineColors colors;
    int individualLimit = 6000; // attempts in range below which each is its own bar
    quint64 generation = 0;
};

// A drawn frame: the plot as an image and, where attempts were drawn one by one, where each
// bar is (for hover and click).
struct TimelineFrame
{
    struct Bar
    {
        QRectF rect;      // in the plot's coordinates
        qint64 span;      // index in the attempt log; -1 for a running attempt
        int running = -1; // a running attempt: its index in the frame's running list
    };

    TimelineFrameRequest request;
    QImage image;
    std::vector<Bar> bars;
    std::shared_ptr<const RunningAttempts> running; // the attempts running when drawn
    qint64 runningUntilUs = 0;                      // and the time they were drawn up to
    bool individual = false;                        // some lane drew its attempts one by one
    qint64 logSize = 0;                             // spans the frame saw
    qint64 spansInRange = 0;
    float scaleMax = 0;  // average attempts in flight a lane's full height stands for
    qint32 queueMax = 0; // tasks waiting the queue row's full height stands for
    double renderMs = 0;
    bool cancelled = false;
};

} // namespace Brigade
