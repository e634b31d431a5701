#include "HugePages.h"

#include <cstdint>
#include <cstdlib>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace Brigade::HugePages {

void advise(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr uintptr_t Huge = uintptr_t(2) << 20;
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + Huge - 1) & ~(Huge - 1);
    const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(Huge - 1);
    if (end > begin)
        madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE); // a hint only
#else
    (void)p;
    (void)bytes;
#endif
}

void *allocate(size_t bytes)
{
    constexpr size_t Huge = size_t(2) << 20;
    const size_t rounded = (bytes + Huge - 1) & ~(Huge - 1);
    void *p = nullptr;
    if (posix_memalign(&p, Huge, rounded == 0 ? Huge : rounded) != 0)
        return nullptr;
    advise(p, rounded);
    return p;
}

void release(void *p)
{
    std::free(p);
}

bool giveBack(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_DONTNEED)
    constexpr uintptr_t Page = 4096;
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + Page - 1) & ~(Page - 1);
    const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(Page - 1);
    if (end <= begin)
        return true;
    madvise(reinterpret_cast<void *>(begin), end - begin, MADV_NOHUGEPAGE);
    return madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED) == 0;
#else
    (void)p;
    (void)bytes;
    return false;
#endif
}

} // namespace Brigade::HugePages
