#pragma once

#include <QByteArray>

namespace Brigade::Test {

// A pipe whose write end the test holds (or hands to a writer thread): the read end is what a
// streamed run reads, as it would read a producer's stdout.
struct TestPipe
{
    int fds[2] = {-1, -1};

    TestPipe();
    ~TestPipe();
    TestPipe(const TestPipe &) = delete;
    TestPipe &operator=(const TestPipe &) = delete;

    void closeWrite();
    bool writeAll(const QByteArray &bytes); // all of it, or false
};

} // namespace Brigade::Test
