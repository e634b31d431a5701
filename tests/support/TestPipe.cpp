#include "TestPipe.h"

#include <QTest>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace Brigade::Test {

TestPipe::TestPipe()
{
    QVERIFY(::pipe2(fds, O_CLOEXEC) == 0);
}

TestPipe::~TestPipe()
{
    closeWrite();
    if (fds[0] >= 0)
        ::close(fds[0]);
}

void TestPipe::closeWrite()
{
    if (fds[1] >= 0)
        ::close(fds[1]);
    fds[1] = -1;
}

bool TestPipe::writeAll(const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fds[1], bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        done += n;
    }
    return true;
}

} // namespace Brigade::Test
