#pragma once

#include <QString>

// Durations as people read them, the one copy for the terminal and the window.
namespace Brigade::Duration {

// "0:07", "12:34", "1:02:03"; unknown (for a negative ms, e.g. no ETA yet) otherwise.
QString clock(qint64 ms, const QString &unknown);

} // namespace Brigade::Duration
