#pragma once

#include "HugePages.h"

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace Brigade {

// A std::vector allocator whose first allocation may be a given stretch (a slice) of a
// region shared with other vectors: a batch's chunks each fill their own stretch of one
// list on huge pages, sized for the chunk's lines, where lists of their own were each
// rounded up to a whole 2 MB page (most of it unused for chunks of long lines). Other
// allocations come from HugePages::Allocator. The region is freed with the last vector
// (or allocator) that holds it.
template<typename T>
class SliceAllocator
{
public:
    using value_type = T;
    // A list moved into another brings its stretch along.
    using propagate_on_container_move_assignment = std::true_type;

    // A region of huge pages for count elements, freed with its last allocator.
    struct Region
    {
        explicit Region(size_t count)
            : begin(static_cast<T *>(HugePages::allocate(count * sizeof(T))))
            , end(begin ? begin + count : nullptr)
        {}
        ~Region() { HugePages::release(begin); }
        Region(const Region &) = delete;
        Region &operator=(const Region &) = delete;
        T *const begin;
        T *const end;
    };

    SliceAllocator() = default;
    // The capacity elements from slice on, in region, for the first allocation that fits.
    SliceAllocator(std::shared_ptr<const Region> region, T *slice, size_t capacity)
        : m_region(std::move(region))
        , m_slice(slice)
        , m_capacity(capacity)
    {}
    template<typename U>
    SliceAllocator(const SliceAllocator<U> &) noexcept // NOLINT: a rebound one has no region
    {}

    // A copy made for a vector's copy has no slice: it is only ever filled once.
    SliceAllocator select_on_container_copy_construction() const
    {
        SliceAllocator copy;
        copy.m_region = m_region;
        return copy;
    }

    T *allocate(size_t n)
    {
        if (m_slice && n <= m_capacity)
            return std::exchange(m_slice, nullptr);
        return HugePages::Allocator<T>().allocate(n);
    }
    void deallocate(T *p, size_t n) noexcept
    {
        if (m_region && p >= m_region->begin && p < m_region->end)
            return; // the region goes with its last holder
        HugePages::Allocator<T>().deallocate(p, n);
    }

    // Equal when each can free what the other allocated.
    friend bool operator==(const SliceAllocator &a, const SliceAllocator &b)
    {
        return a.m_region == b.m_region;
    }
    friend bool operator!=(const SliceAllocator &a, const SliceAllocator &b) { return !(a == b); }

private:
    std::shared_ptr<const Region> m_region;
    T *m_slice = nullptr;
    size_t m_capacity = 0;
};

} // namespace Brigade
