#include "OutputChannel.h"

#include <cerrno>
#include <unistd.h>

namespace Brigade {

OutputChannel::OutputChannel(int fd)
    : m_fd(fd)
{}

bool OutputChannel::flush()
{
    const char *p = m_buffer.constData();
    qsizetype left = m_buffer.size();
    while (left > 0) {
        const ssize_t n = ::write(m_fd, p, size_t(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        left -= n;
    }
    m_buffer.resize(0); // keeps the capacity for the next frames
    return true;
}

} // namespace Brigade
