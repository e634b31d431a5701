#pragma once

#include <QString>

namespace Brigade {

// Brigade's data files (the Python helper for programs, ...) live in
// <directory of the running executable>/../share/brigade, in the build tree (CMake copies
// them there) and in an installed tree alike, so they are found without an install step.
QString dataDir();
// dataDir()/relative.
QString dataPath(const QString &relative);

} // namespace Brigade
