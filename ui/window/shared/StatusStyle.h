#pragma once

#include "core/TaskState.h"
#include "run/RunStats.h"

#include <QColor>
#include <QIcon>
#include <QString>

namespace Brigade::StatusStyle {

// Status colours are the only fixed colours in the window: mid-tone hues that read on
// both light and dark palettes. Everything else uses palette roles.
QColor color(TaskStatus status);
QColor color(WorkerState state);
QString text(TaskStatus status);        // "Succeeded"
QString text(WorkerState state);        // "Queued in Slurm"
QString description(WorkerState state); // a sentence for tooltips
// A filled dot in the status colour, drawn at whatever size and device pixel ratio it is
// asked for, so it stays sharp on high-DPI screens.
QIcon icon(TaskStatus status);
QIcon icon(WorkerState state);
// "<span style='color:...'>●</span>" for rich-text labels.
QString dotHtml(TaskStatus status);

} // namespace Brigade::StatusStyle
