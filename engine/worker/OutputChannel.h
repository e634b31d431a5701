#pragma once

#include <QByteArray>

namespace Brigade {

// Buffered binary output to a file descriptor (stdout). Nothing but frames may reach it,
// so logs go to stderr.
class OutputChannel
{
public:
    explicit OutputChannel(int fd = 1);

    QByteArray *buffer() { return &m_buffer; }
    bool isEmpty() const { return m_buffer.isEmpty(); }
    // Writes everything buffered; blocks while the reader is slow (that is the flow
    // control). Returns false when the reader is gone.
    bool flush();

private:
    int m_fd;
    QByteArray m_buffer;
};

} // namespace Brigade
