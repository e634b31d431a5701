#include "MappedFile.h"

#include <QCoreApplication>
#include <QFile>

#include <array>
#include <atomic>
#include <cstring>
#include <mutex>

#if defined(__linux__)
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define BRIGADE_CAN_MAP 1
#endif

namespace Brigade {

#ifdef BRIGADE_CAN_MAP
namespace {

// The live mappings the SIGBUS handler knows, each with the message it prints. Fixed
// slots of lock-free atomics: a signal handler may read nothing else.
struct GuardSlot
{
    std::atomic<uintptr_t> begin{0};
    std::atomic<uintptr_t> end{0};
    std::atomic<bool> taken{false};
    char message[640] = {};
    size_t messageLength = 0;
};
std::array<GuardSlot, 4> g_slots;
struct sigaction g_previous = {};

void onSigbus(int signal, siginfo_t *info, void *context)
{
    const auto address = reinterpret_cast<uintptr_t>(info->si_addr);
    for (GuardSlot &slot : g_slots) {
        if (address >= slot.begin.load() && address < slot.end.load()) {
            ssize_t written = ::write(STDERR_FILENO, slot.message, slot.messageLength);
            (void)written; // nothing better to do: the process ends either way
            _exit(2);
        }
    }
    // Not one of ours: whoever handled SIGBUS before (by default, the crash it is).
    if ((g_previous.sa_flags & SA_SIGINFO) && g_previous.sa_sigaction) {
        g_previous.sa_sigaction(signal, info, context);
        return;
    }
    // Returning re-runs the faulting access under the previous disposition.
    sigaction(SIGBUS, &g_previous, nullptr);
}

// The handler is in place while any mapping is guarded, and the one before it is put back
// after the last: a program that handles SIGBUS itself gets its handler back unchanged.
std::mutex g_installLock;
int g_guarded = 0;

void guardStarts()
{
    const std::lock_guard<std::mutex> locker(g_installLock);
    if (g_guarded++ > 0)
        return;
    struct sigaction action = {};
    action.sa_sigaction = onSigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &g_previous);
}

void guardEnds()
{
    const std::lock_guard<std::mutex> locker(g_installLock);
    if (--g_guarded == 0)
        sigaction(SIGBUS, &g_previous, nullptr);
}

int takeSlot(const char *data, qsizetype size, const QString &path)
{
    for (int i = 0; i < int(g_slots.size()); ++i) {
        GuardSlot &slot = g_slots[size_t(i)];
        bool expected = false;
        if (!slot.taken.compare_exchange_strong(expected, true))
            continue;
        const QString program = QCoreApplication::instance() ? QCoreApplication::applicationName()
                                                             : QStringLiteral("brigade");
        const QByteArray text
                = QStringLiteral("%1: %2 was cut short while it was read; nothing was run\n")
                          .arg(program, path)
                          .toLocal8Bit()
                          .left(int(sizeof slot.message));
        std::memcpy(slot.message, text.constData(), size_t(text.size()));
        slot.messageLength = size_t(text.size());
        slot.end.store(reinterpret_cast<uintptr_t>(data) + uintptr_t(size));
        slot.begin.store(reinterpret_cast<uintptr_t>(data));
        return i;
    }
    return -1;
}

void releaseSlot(int i)
{
    GuardSlot &slot = g_slots[size_t(i)];
    slot.begin.store(0);
    slot.end.store(0);
    slot.taken.store(false);
}

} // namespace
#endif

MappedFile::~MappedFile()
{
    unmap();
}

bool MappedFile::map(const QString &path)
{
    unmap();
#ifdef BRIGADE_CAN_MAP
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat info = {};
    void *mapped = MAP_FAILED;
    if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
        // Populated at once: one call faults the file's cached pages in, where a touch
        // per page would take a trap each.
        mapped = mmap(nullptr, size_t(info.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    }
    ::close(fd);
    if (mapped == MAP_FAILED)
        return false;
    const int slot = takeSlot(static_cast<const char *>(mapped), qsizetype(info.st_size), path);
    if (slot < 0) {
        munmap(mapped, size_t(info.st_size));
        return false;
    }
    guardStarts();
    m_data = static_cast<const char *>(mapped);
    m_size = qsizetype(info.st_size);
    m_guardSlot = slot;
    return true;
#else
    (void)path;
    return false;
#endif
}

void MappedFile::unmap()
{
#ifdef BRIGADE_CAN_MAP
    if (!m_data)
        return;
    // Unguarded first: from here on a fault on these addresses is not a short file.
    releaseSlot(m_guardSlot);
    guardEnds();
    munmap(const_cast<char *>(m_data), size_t(m_size));
#endif
    m_data = nullptr;
    m_size = 0;
    m_guardSlot = -1;
}

} // namespace Brigade
