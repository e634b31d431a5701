#include "ShapeArena.h"

#include "core/HugePages.h"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace Brigade {

struct ShapeArena::Block
{
    static constexpr size_t HugePage = size_t(2) << 20;

    // Blocks of a huge page or more start at one (aligned_alloc wants a multiple).
    explicit Block(size_t bytes)
        : size(bytes)
        , data(static_cast<char *>(std::aligned_alloc(bytes >= HugePage ? HugePage : 64, bytes)))
    {
        if (!data)
            throw std::bad_alloc();
        HugePages::advise(data, size);
    }
    ~Block() { std::free(data); }
    Block(const Block &) = delete;
    Block &operator=(const Block &) = delete;

    // n bytes aligned to align, or null when the block has no room for them.
    void *take(size_t n, size_t align)
    {
        const size_t at = (used + align - 1) & ~(align - 1);
        if (at + n > size)
            return nullptr;
        used = at + n;
        return data + at;
    }
    bool contains(const void *p) const
    {
        const char *c = static_cast<const char *>(p);
        return c >= data && c < data + size;
    }

    const size_t size;
    char *const data;
    size_t used = 0;
};

namespace {

// What std::allocate_shared is given: each shape's control block keeps a copy, which
// keeps the block alive. Memory is given back only with the block, unless it came from
// the heap (a block without room, which make() avoids).
template<typename T>
struct BlockAllocator
{
    using value_type = T;

    explicit BlockAllocator(std::shared_ptr<ShapeArena::Block> b)
        : block(std::move(b))
    {}
    template<typename U>
    BlockAllocator(const BlockAllocator<U> &other) // NOLINT: as allocators convert
        : block(other.block)
    {}

    T *allocate(size_t n)
    {
        if (void *p = block->take(n * sizeof(T), alignof(T)))
            return static_cast<T *>(p);
        return static_cast<T *>(::operator new(n * sizeof(T)));
    }
    void deallocate(T *p, size_t) noexcept
    {
        if (!block->contains(p))
            ::operator delete(p);
    }
    template<typename U>
    bool operator==(const BlockAllocator<U> &other) const
    {
        return block == other.block;
    }
    template<typename U>
    bool operator!=(const BlockAllocator<U> &other) const
    {
        return block != other.block;
    }

    std::shared_ptr<ShapeArena::Block> block;
};

// Room for a shape and its control block (the counts, a vtable pointer and the allocator).
constexpr size_t RoomPerShape = sizeof(TaskShape) + 64;

} // namespace

ShapeArena::ShapeArena() = default;
ShapeArena::~ShapeArena() = default;

std::shared_ptr<const TaskShape> ShapeArena::make(TaskShape &&shape)
{
    if (!m_block || m_block->used + RoomPerShape > m_block->size) {
        // From 64 KB (a short list takes little) to 4 MB, two huge pages.
        m_block = std::make_shared<Block>(m_nextBlockBytes);
        m_nextBlockBytes = std::min(m_nextBlockBytes * 2, MaxBlockBytes);
    }
    return std::allocate_shared<const TaskShape>(BlockAllocator<TaskShape>(m_block),
                                                 std::move(shape));
}

} // namespace Brigade
