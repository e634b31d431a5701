#pragma once

#include <QIcon>

namespace Brigade::ActionIcons {

enum class Kind { Open, Run, Pause, Resume, Cancel, Retry, RetrySelected, Settings, Export, Copy };

// The platform theme's icon when it has one, else a vector icon painted in the palette's
// button text colour: it follows light and dark palettes and is sharp at any scale.
QIcon icon(Kind kind);

} // namespace Brigade::ActionIcons
