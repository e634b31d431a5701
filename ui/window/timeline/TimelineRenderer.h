#pragma once

#include "TimelineFrame.h"

#include <atomic>

namespace Brigade {

// Draws a timeline frame off the GUI thread: summarises the attempt log over the frame's
// range into one column per pixel (TimelineBins) and writes the columns straight into the
// image; where few attempts reach into the range, draws each as a bar split into its phases
// instead, packed into sub-rows where they overlap. Cost grows with the attempts in range
// and the pixels, never with an object per attempt.
class TimelineRenderer
{
public:
    static TimelineFrame render(const TimelineFrameRequest &request,
                                const std::atomic_bool *cancel = nullptr);
};

} // namespace Brigade
