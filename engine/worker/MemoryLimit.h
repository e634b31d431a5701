#pragma once

#include <QtGlobal>

namespace Brigade::MemoryLimit {

// Caps the worker's data memory (RLIMIT_DATA: heap and private mappings) at mb MiB and
// makes running out of it a clean fault: the engine hears "out of memory" in a fault
// frame instead of seeing an unexplained crash. The fault frame is built up front so the
// handler needs no memory.
void apply(quint64 mb, int outFd);
// The cap apply() set, in MiB; 0 when there is none. Programs a worker starts inherit the
// limit, and a program whose memory grows past it is replaced (see CallRunner).
quint64 limitMb();

} // namespace Brigade::MemoryLimit
