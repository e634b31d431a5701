#include "ByteArena.h"

#include "core/HugePages.h"

#include <algorithm>
#include <cstring>

namespace Brigade {

namespace {

// A block on huge pages that QByteArray frees as its own: its header is made here at the
// start of memory from HugePages::allocate(), which is malloc's, and Qt frees an array's
// header and data with free() (QArrayData::deallocate).
QByteArray hugeBlock(qsizetype bytes)
{
    using Data = QTypedArrayData<char>;
    constexpr qsizetype Alignment = alignof(Data::AlignmentDummy);
    const qsizetype headerBytes
            = (qsizetype(sizeof(QArrayData)) + Alignment - 1) & ~(Alignment - 1);
    void *memory = HugePages::allocate(size_t(headerBytes + bytes + 1));
    if (!memory)
        return QByteArray(bytes, Qt::Uninitialized);
    auto *d = static_cast<Data *>(memory);
    d->ref_.storeRelaxed(1);
    d->flags = QArrayData::ArrayOptionDefault;
    d->alloc = bytes; // the byte after them is room for a terminating NUL, as Qt leaves
    char *data = Data::dataStart(d, Alignment);
    Q_ASSERT(data == static_cast<char *>(memory) + headerBytes);
    return QByteArray(QByteArray::DataPointer(d, data, bytes));
}

} // namespace

void ByteArena::reserve(qsizetype bytes)
{
    if (bytes <= 0)
        return;
    if (!m_block.isNull() && m_used + bytes + 1 <= m_block.size())
        return;
    m_block = size_t(bytes) >= HugePages::MinBytes ? hugeBlock(bytes + 1)
                                                   : QByteArray(bytes + 1, Qt::Uninitialized);
    m_used = 0;
}

QByteArray ByteArena::copy(QByteArrayView bytes)
{
    const qsizetype n = bytes.size();
    if (n > MaxSharedBytes)
        return bytes.toByteArray();
    if (m_block.isNull() || m_used + n + 1 > m_block.size()) {
        // The old block lives on as long as its arrays do.
        m_block = QByteArray(m_nextBlockBytes, Qt::Uninitialized);
        HugePages::advise(m_block.data_ptr().data(), size_t(m_block.size()));
        m_nextBlockBytes = std::min(m_nextBlockBytes * 2, BlockBytes);
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
