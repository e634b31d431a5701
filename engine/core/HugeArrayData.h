#pragma once

#include "HugePages.h"

#include <QArrayDataPointer>

namespace Brigade {

// Room for n elements of T in an array block on huge pages (HugePages::allocate) that Qt's
// containers (QByteArray, QString) take, share and free as one of their own: the block's
// header is made here at the start of the memory, which is malloc's, and Qt frees a
// block with free() (QArrayData::deallocate). For the arenas' large blocks, which malloc
// would place where huge pages cover little of them. The pointer's size is n; the
// elements are not initialised. Null when out of memory.
template<typename T>
QArrayDataPointer<T> hugeArrayData(qsizetype n)
{
    using Data = QTypedArrayData<T>;
    constexpr qsizetype Alignment = alignof(typename Data::AlignmentDummy);
    const qsizetype headerBytes
            = (qsizetype(sizeof(QArrayData)) + Alignment - 1) & ~(Alignment - 1);
    // One more element: room for the terminating NUL Qt's strings keep after their data.
    void *memory = HugePages::allocate(size_t(headerBytes) + size_t(n + 1) * sizeof(T));
    if (!memory)
        return {};
    auto *d = static_cast<Data *>(memory);
    d->ref_.storeRelaxed(1);
    d->flags = QArrayData::ArrayOptionDefault;
    d->alloc = n;
    T *data = Data::dataStart(d, Alignment);
    Q_ASSERT(reinterpret_cast<char *>(data) == static_cast<char *>(memory) + headerBytes);
    return QArrayDataPointer<T>(d, data, n);
}

} // namespace Brigade
