#include "SharedTextArena.h"

#include "HugePages.h"

#include <cstdlib>
#include <new>

namespace Brigade {

namespace {

// What precedes each Data: the block it is in, or null. A Data's alignment is a pointer's
// (checked in make()), so a Data and its link take 40 bytes.
constexpr size_t LinkBytes = sizeof(void *);

SharedTextBlock *&blockBefore(void *data)
{
    return *reinterpret_cast<SharedTextBlock **>(static_cast<char *>(data) - LinkBytes);
}

} // namespace

void SharedTextBlock::deref()
{
    if (refs.fetch_sub(1, std::memory_order_acq_rel) != 1)
        return;
    this->~SharedTextBlock();
    std::free(this); // malloc'd, or HugePages::allocate()d: freed alike
}

void *SharedText::Data::operator new(size_t bytes)
{
    void *raw = ::operator new(LinkBytes + bytes);
    void *data = static_cast<char *>(raw) + LinkBytes;
    blockBefore(data) = nullptr;
    return data;
}

void SharedText::Data::operator delete(void *p)
{
    if (!p)
        return;
    if (SharedTextBlock *block = blockBefore(p))
        block->deref();
    else
        ::operator delete(static_cast<char *>(p) - LinkBytes);
}

SharedTextArena::~SharedTextArena()
{
    if (m_block)
        m_block->deref();
}

SharedText SharedTextArena::make(QString text)
{
    using Data = SharedText::Data;
    static_assert(alignof(Data) <= LinkBytes && alignof(SharedTextBlock) <= LinkBytes);
    constexpr size_t SlotBytes = (LinkBytes + sizeof(Data) + LinkBytes - 1) / LinkBytes * LinkBytes;
    constexpr size_t HeaderBytes
            = (sizeof(SharedTextBlock) + LinkBytes - 1) / LinkBytes * LinkBytes;
    if (text.isNull())
        return {};
    if (!m_block || m_used + SlotBytes > m_size) {
        if (m_block)
            m_block->deref();
        m_block = nullptr;
        void *memory = nullptr;
        if (m_large) {
            memory = HugePages::allocate(LargeBlockBytes);
            m_size = LargeBlockBytes;
        }
        if (!memory) {
            memory = std::malloc(BlockBytes);
            m_size = BlockBytes;
        }
        if (!memory)
            return SharedText(std::move(text)); // out of memory: as without an arena
        m_block = new (memory) SharedTextBlock;
        m_used = HeaderBytes;
    }
    void *slot = reinterpret_cast<char *>(m_block) + m_used + LinkBytes;
    m_used += SlotBytes;
    blockBefore(slot) = m_block;
    m_block->refs.fetch_add(1, std::memory_order_relaxed);
    return SharedText(new (slot) Data(std::move(text)));
}

} // namespace Brigade
