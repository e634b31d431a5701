#pragma once

#include "SharedText.h"

#include <QString>

#include <atomic>

namespace Brigade {

// A block of a SharedTextArena: how many of its texts live, plus one while the arena fills
// it. Its texts follow it, each preceded by a pointer back to it.
struct SharedTextBlock
{
    std::atomic<qint64> refs{1};

    void deref();
};

// SharedTexts without an allocation each: their shared headers are made one after the
// other in large blocks, and a block is freed when the last of its texts is. For the
// inputs of a million tasks (a list of arguments), whose headers malloc had made one by
// one: a tenth of reading the list, most of it the page faults of their memory. One arena
// per thread; the texts may go anywhere and end on any thread.
class SharedTextArena
{
public:
    SharedTextArena() = default;
    ~SharedTextArena();
    SharedTextArena(const SharedTextArena &) = delete;
    SharedTextArena &operator=(const SharedTextArena &) = delete;

    // From now on, blocks are LargeBlockBytes on huge pages: for a batch's million inputs.
    void useLargeBlocks() { m_large = true; }
    static constexpr size_t BlockBytes = 64 * 1024;
    static constexpr size_t LargeBlockBytes = 2 * 1024 * 1024;

    // text (null text: a null SharedText).
    SharedText make(QString text);

private:
    SharedTextBlock *m_block = nullptr; // the block being filled
    size_t m_used = 0;                  // bytes of it taken, its header included
    size_t m_size = 0;
    bool m_large = false;
};

} // namespace Brigade
