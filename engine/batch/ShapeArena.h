#pragma once

#include "core/TaskSpec.h"

#include <memory>

namespace Brigade {

// Shapes made one per line (a URL list's), in large blocks instead of an allocation each:
// each shape (with its shared_ptr's counts) is cut from the current block and keeps the
// block alive; a block is freed with its last shape. Blocks are backed by huge pages, so
// a million shapes fault in a few dozen pages where malloc's took tens of thousands.
class ShapeArena
{
public:
    ShapeArena();
    ~ShapeArena();
    ShapeArena(const ShapeArena &) = delete;
    ShapeArena &operator=(const ShapeArena &) = delete;

    std::shared_ptr<const TaskShape> make(TaskShape &&shape);

    struct Block;

private:
    static constexpr size_t FirstBlockBytes = size_t(64) << 10;
    static constexpr size_t MaxBlockBytes = size_t(4) << 20;

    std::shared_ptr<Block> m_block;
    size_t m_nextBlockBytes = FirstBlockBytes;
};

} // namespace Brigade
