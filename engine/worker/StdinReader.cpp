#include "StdinReader.h"

#include <cerrno>
#include <chrono>
#include <unistd.h>

namespace Brigade {

StdinReader::StdinReader(int fd, QObject *parent)
    : QObject(parent)
    , m_fd(fd)
{}

StdinReader::~StdinReader()
{
    // The thread may be blocked in read(); it ends with the process.
    if (m_thread.joinable())
        m_thread.detach();
}

void StdinReader::start()
{
    m_thread = std::thread([this] { run(); });
}

void StdinReader::run()
{
    QByteArray buffer(256 * 1024, Qt::Uninitialized);
    for (;;) {
        const ssize_t n = ::read(m_fd, buffer.data(), size_t(buffer.size()));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        emit dataReceived(QByteArray(buffer.constData(), n)); // queued to the owner
    }
    emit endOfInput();
    std::this_thread::sleep_for(std::chrono::milliseconds(m_graceMs));
    ::_exit(0);
}

} // namespace Brigade
