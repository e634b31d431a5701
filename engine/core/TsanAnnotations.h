#pragma once

// Happens-before edges for ThreadSanitizer where the ordering comes from Qt.
//
// Qt is not built with TSan, so the locks and atomics inside libQt6Core (QReadWriteLock,
// the posted-event queue behind queued connections, QThreadPool's queue) order memory
// invisibly to it, and it reports races that cannot happen. In a TSan build these tell it
// what Qt guarantees; elsewhere they compile to nothing.
#if defined(__SANITIZE_THREAD__)
#define BRIGADE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BRIGADE_TSAN 1
#endif
#endif

#ifdef BRIGADE_TSAN
#include <sanitizer/tsan_interface.h>
#endif

#include <QReadWriteLock>

namespace Brigade::Tsan {

// What a thread did before release(tag) happens before what another does after a later
// acquire(tag).
inline void release([[maybe_unused]] const void *tag)
{
#ifdef BRIGADE_TSAN
    __tsan_release(const_cast<void *>(tag));
#endif
}

inline void acquire([[maybe_unused]] const void *tag)
{
#ifdef BRIGADE_TSAN
    __tsan_acquire(const_cast<void *>(tag));
#endif
}

// QReadLocker / QWriteLocker that TSan understands. Readers release too, so a writer that
// comes after them is ordered after their reads.
class ReadLocker
{
public:
    explicit ReadLocker(QReadWriteLock *lock)
        : m_locker(lock)
    {
        acquire(lock);
    }
    ~ReadLocker() { release(m_locker.readWriteLock()); }
    Q_DISABLE_COPY_MOVE(ReadLocker)

private:
    QReadLocker m_locker;
};

class WriteLocker
{
public:
    explicit WriteLocker(QReadWriteLock *lock)
        : m_locker(lock)
    {
        acquire(lock);
    }
    ~WriteLocker() { release(m_locker.readWriteLock()); }
    Q_DISABLE_COPY_MOVE(WriteLocker)

private:
    QWriteLocker m_locker;
};

} // namespace Brigade::Tsan
