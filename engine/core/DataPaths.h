#pragma once

#include <QString>

namespace Brigade {

// Brigade's data files (demo batches, the Python helper of long-lived programs) live in
// <directory of the running executable>/../share/brigade, in the build tree (CMake copies
// them to build/share/brigade) as in an installed tree (bin/ beside share/), so an
// installation works wherever it is put and no build path is compiled in.
// Needs a QCoreApplication (the executable's directory comes from it).
QString dataDir();

// dataDir()/relative, e.g. dataPath("demo/demo.jsonl"); whether it exists is the caller's
// question.
QString dataPath(const QString &relative);

} // namespace Brigade
