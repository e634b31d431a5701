#include "TimelineStyle.h"

#include "window/shared/StatusStyle.h"

namespace Brigade::TimelineStyle {

TimelineColors colors(const QPalette &palette)
{
    TimelineColors c;
    c.fetch = StatusStyle::color(TaskStatus::Running).rgb();
    c.compute = StatusStyle::color(TaskStatus::Succeeded).rgb();
    c.failed = StatusStyle::color(TaskStatus::Failed).rgb();
    c.retried = StatusStyle::color(TaskStatus::Retrying).rgb();
    c.cancelled = StatusStyle::color(TaskStatus::Cancelled).rgb();
    c.lost = StatusStyle::color(TaskStatus::Failed).darker(140).rgb();
    c.queued = StatusStyle::color(TaskStatus::Queued).rgb();
    c.running = StatusStyle::color(TaskStatus::Running).rgb();
    // Lighter than a fetch (the same hue): not done yet, its phases unknown.
    c.inFlight = StatusStyle::color(TaskStatus::Running).lighter(150).rgb();
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    const QColor queued = StatusStyle::color(TaskStatus::Queued);
    c.waiting = (dark ? queued.darker(150) : queued.lighter(145)).rgb();
    c.laneBase = palette.color(QPalette::AlternateBase).rgb();
    return c;
}

} // namespace Brigade::TimelineStyle
