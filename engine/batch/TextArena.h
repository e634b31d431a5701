#pragma once

#include <QByteArrayView>
#include <QString>

namespace Brigade {

// Short QStrings (task ids) without an allocation each: they are written one after the
// other into large shared blocks, each string a view of its block that holds a reference
// to it (Qt 6's QString may point anywhere inside its data block). The strings are
// ordinary QStrings: copied, compared, hashed and changed as any (a change detaches), and
// a block is freed when its last string is. The price: one long-lived string keeps its
// whole block (BlockChars) alive. One arena per thread; the strings may go anywhere.
class TextArena
{
public:
    // Strings longer than this get an allocation of their own.
    static constexpr qsizetype MaxSharedChars = 256;
    // Blocks grow from the first to the last size: a few strings cost a small block.
    static constexpr qsizetype FirstBlockChars = 512;
    static constexpr qsizetype BlockChars = 32 * 1024;

    // From now on, every new block is LargeBlockChars on huge pages from its first byte:
    // for a batch's million ids, which small blocks had faulted in 4 KB at a time.
    void useLargeBlocks() { m_large = true; }
    static constexpr qsizetype LargeBlockChars = 4 * 1024 * 1024;

    // latin1: Latin-1 text (plain ASCII ids are both).
    QString fromLatin1(QByteArrayView latin1);
    // The decimal digits of n (the id of a task written without one).
    QString number(qint64 n);

private:
    // Room for n characters and a terminating NUL in the current block, or null when n is
    // too long to share.
    char16_t *reserve(qsizetype n);
    // The string of the n characters at begin (just written after reserve()).
    QString take(char16_t *begin, qsizetype n);

    QString m_block; // holds one reference to the block being filled
    qsizetype m_used = 0;
    qsizetype m_nextBlockChars = FirstBlockChars;
    bool m_large = false;
};

} // namespace Brigade
