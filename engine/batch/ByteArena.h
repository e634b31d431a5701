#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Brigade {

// Short QByteArrays (a URL list's URLs) without an allocation each: as TextArena does for
// ids, they are written one after the other into large shared blocks, each a view of its
// block holding a reference to it, so they are copied, compared and freed as any. With
// large blocks (a big batch's), a million URLs fault in a few dozen huge pages.
class ByteArena
{
public:
    // Longer ones get an allocation of their own.
    static constexpr qsizetype MaxSharedBytes = 4096;
    static constexpr qsizetype FirstBlockBytes = 16 * 1024;
    static constexpr qsizetype BlockBytes = 8 * 1024 * 1024;

    QByteArray copy(QByteArrayView bytes);
    // From now on, every new block is BlockBytes on huge pages from its first byte, where
    // blocks grow from FirstBlockBytes and huge pages cover little of them: for a batch's
    // million URLs, which were otherwise faulted in 4 KB at a time.
    void useLargeBlocks() { m_large = true; }

private:
    QByteArray m_block; // holds one reference to the block being filled
    qsizetype m_used = 0;
    qsizetype m_nextBlockBytes = FirstBlockBytes;
    bool m_large = false;
};

} // namespace Brigade
