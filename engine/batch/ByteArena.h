#pragma once

#include <QByteArrayView>

#include <cstring>
#include <memory>
#include <vector>

namespace Brigade {

// Bytes kept together in large blocks: a million short strings cost a few allocations, and
// the views add() returns stay valid when the arena moves (until it is destroyed).
class ByteArena
{
public:
    QByteArrayView add(QByteArrayView bytes)
    {
        const size_t n = size_t(bytes.size());
        if (n > m_left) {
            const size_t size = std::max(BlockBytes, n);
            m_blocks.push_back(std::make_unique<char[]>(size));
            m_next = m_blocks.back().get();
            m_left = size;
        }
        char *at = m_next;
        if (n > 0)
            std::memcpy(at, bytes.data(), n);
        m_next += n;
        m_left -= n;
        return QByteArrayView(at, qsizetype(n));
    }

private:
    static constexpr size_t BlockBytes = 64 * 1024;
    std::vector<std::unique_ptr<char[]>> m_blocks;
    char *m_next = nullptr;
    size_t m_left = 0;
};

} // namespace Brigade
