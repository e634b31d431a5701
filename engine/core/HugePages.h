#pragma once

#include <cstddef>
#include <memory>
#include <new>

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

// A buffer advised as above from its first byte: 2 MB-aligned and a whole number of 2 MB
// pages long (bytes rounded up), so every page of it can be a huge one. advise() only
// covers the aligned middle of a malloc'd buffer, often none of one a few MB long (a
// chunk's URLs), which was then faulted in 4 KB at a time. From malloc's family: free()
// (or release()) frees it. Null when out of memory.
void *allocate(size_t bytes);
void release(void *p);

// Buffers of at least this many bytes are worth huge pages: a list this long is about
// half a huge page, and would otherwise be faulted in 128 times.
constexpr size_t MinBytes = size_t(512) * 1024;

// An allocator for std::vector whose large buffers come from allocate(): room reserved for
// a chunk's worth of elements is then faulted in a few huge pages at a time.
template<typename T>
struct Allocator
{
    using value_type = T;

    Allocator() = default;
    template<typename U>
    Allocator(const Allocator<U> &) noexcept
    {}

    T *allocate(size_t n)
    {
        if (n * sizeof(T) < MinBytes)
            return std::allocator<T>().allocate(n);
        if (void *p = HugePages::allocate(n * sizeof(T)))
            return static_cast<T *>(p);
        throw std::bad_alloc();
    }
    void deallocate(T *p, size_t n) noexcept
    {
        if (n * sizeof(T) < MinBytes)
            std::allocator<T>().deallocate(p, n);
        else
            HugePages::release(p);
    }

    template<typename U>
    bool operator==(const Allocator<U> &) const noexcept
    {
        return true;
    }
};

} // namespace Brigade::HugePages
