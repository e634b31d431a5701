#include "MemoryLimit.h"

#include "protocol/Messages.h"

#include <QUnhandledException>

#include <exception>
#include <new>
#include <sys/resource.h>
#include <unistd.h>

namespace Brigade::MemoryLimit {

namespace {
QByteArray *g_fault = nullptr;
int g_fd = 1;
quint64 g_limitMb = 0;

[[noreturn]] void onTerminate()
{
    bool outOfMemory = false;
    if (std::exception_ptr e = std::current_exception()) {
        try {
            std::rethrow_exception(e);
        } catch (const std::bad_alloc &) {
            outOfMemory = true;
        } catch (const QUnhandledException &wrapped) {
            // Qt Concurrent hands on exceptions from its threads wrapped like this.
            try {
                if (wrapped.exception())
                    std::rethrow_exception(wrapped.exception());
            } catch (const std::bad_alloc &) {
                outOfMemory = true;
            } catch (...) {
            }
        } catch (...) {
        }
    }
    if (outOfMemory && g_fault) [[maybe_unused]]
        ssize_t n = ::write(g_fd, g_fault->constData(), size_t(g_fault->size()));
    ::_exit(outOfMemory ? 4 : 5);
}
} // namespace

void apply(quint64 mb, int outFd)
{
    if (mb == 0)
        return;
    g_limitMb = mb;
    g_fd = outFd;
    g_fault = new QByteArray;
    Wire::encodeFault(g_fault,
                      QStringLiteral("out of memory: exceeded its memory limit of %1 MiB").arg(mb));
    rlimit rl{};
    rl.rlim_cur = rl.rlim_max = rlim_t(mb) * 1024 * 1024;
    setrlimit(RLIMIT_DATA, &rl);
    std::set_terminate(onTerminate);
}

quint64 limitMb()
{
    return g_limitMb;
}

} // namespace Brigade::MemoryLimit
