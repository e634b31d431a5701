#include "ByteArena.h"

#include "core/HugeArrayData.h"
#include "core/HugePages.h"

#include <algorithm>
#include <cstring>

namespace Brigade {

QByteArray ByteArena::copy(QByteArrayView bytes)
{
    const qsizetype n = bytes.size();
    if (n > MaxSharedBytes)
        return bytes.toByteArray();
    if (m_block.isNull() || m_used + n + 1 > m_block.size()) {
        // The old block lives on as long as its arrays do.
        m_block = m_large ? QByteArray(hugeArrayData<char>(BlockBytes)) : QByteArray();
        if (m_block.isNull()) {
            m_block = QByteArray(m_nextBlockBytes, Qt::Uninitialized);
            HugePages::advise(m_block.data_ptr().data(), size_t(m_block.size()));
            m_nextBlockBytes = std::min(m_nextBlockBytes * 2, BlockBytes);
        }
        m_used = 0;
    }
    // data_ptr().data(): the block's bytes without a detach (the block is shared).
    QByteArray::DataPointer &block = m_block.data_ptr();
    char *at = block.data() + m_used;
    std::memcpy(at, bytes.data(), size_t(n));
    at[n] = '\0'; // as every QByteArray's data ends
    m_used += n + 1;
    block.d_ptr()->ref();
    return QByteArray(QByteArray::DataPointer(block.d_ptr(), at, n));
}

} // namespace Brigade
