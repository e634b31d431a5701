#pragma once

#include "TimelineFrame.h"

#include <QPalette>

namespace Brigade::TimelineStyle {

// The timeline's colours in a palette: the status hues of StatusStyle for outcomes and
// phases, palette roles for the rest.
TimelineColors colors(const QPalette &palette);

} // namespace Brigade::TimelineStyle
