#include "TextArena.h"

#include "core/HugeArrayData.h"

#include <algorithm>

namespace Brigade {

char16_t *TextArena::reserve(qsizetype n)
{
    if (n > MaxSharedChars)
        return nullptr;
    if (m_block.isNull() || m_used + n + 1 > m_block.size()) {
        // The old block lives on as long as its strings do.
        m_block = m_large ? QString(hugeArrayData<char16_t>(LargeBlockChars)) : QString();
        if (m_block.isNull()) {
            m_block = QString(m_nextBlockChars, Qt::Uninitialized);
            m_nextBlockChars = std::min(m_nextBlockChars * 2, BlockChars);
        }
        m_used = 0;
    }
    // data_ptr().data(): the block's characters without a detach (the block is shared).
    return m_block.data_ptr().data() + m_used;
}

QString TextArena::take(char16_t *begin, qsizetype n)
{
    begin[n] = u'\0'; // utf16() hands out the characters as a NUL-terminated string
    m_used += n + 1;
    QString::DataPointer &block = m_block.data_ptr();
    block.d_ptr()->ref();
    return QString(QString::DataPointer(block.d_ptr(), begin, n));
}

QString TextArena::fromLatin1(QByteArrayView latin1)
{
    const qsizetype n = latin1.size();
    char16_t *at = reserve(n);
    if (!at)
        return QString::fromLatin1(latin1);
    const char *from = latin1.data();
    for (qsizetype i = 0; i < n; ++i)
        at[i] = char16_t(uchar(from[i]));
    return take(at, n);
}

QString TextArena::number(qint64 n)
{
    char digits[24];
    char *end = digits + sizeof digits;
    char *p = end;
    const bool negative = n < 0;
    quint64 u = negative ? quint64(0) - quint64(n) : quint64(n);
    do {
        *--p = char('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (negative)
        *--p = '-';
    return fromLatin1(QByteArrayView(p, end - p));
}

} // namespace Brigade
