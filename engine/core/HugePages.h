#pragma once

#include <cstddef>

namespace Brigade::HugePages {

// Asks the kernel to back the 2 MB-aligned part of [p, p + bytes) with transparent huge
// pages ("madvise" mode, Debian's default). Call it on a large buffer before its first
// touch: a million tasks' lists are then made with ~30 page faults where 4 KB pages take
// ~14,000, and on a virtual machine each fault costs microseconds (touching a fresh 56 MB
// list took 630-790 ms with 4 KB pages and 70-90 ms with 2 MB ones on the build machine).
// Does nothing for buffers under 2 MB, or where the kernel does not offer huge pages.
void advise(void *p, size_t bytes);

// Gives the whole 4 KB pages inside [p, p + bytes) back to the system: they read as zero
// bytes from then on, and take memory again only when written. For values whose
// default is all zero bits, once they have been reset to it. Returns whether it could.
bool giveBack(void *p, size_t bytes);

} // namespace Brigade::HugePages
