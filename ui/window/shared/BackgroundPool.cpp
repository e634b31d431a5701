#include "BackgroundPool.h"

#include <QCoreApplication>
#include <QThread>
#include <QThreadPool>

namespace Brigade::BackgroundPool {

QThreadPool *instance()
{
    // Owned by the application, so its threads are joined before Qt goes away; the jobs
    // all watch cancel flags and stop soon.
    static QThreadPool *pool = [] {
        auto *p = new QThreadPool(QCoreApplication::instance());
        p->setObjectName(QStringLiteral("brigade-background"));
        p->setMaxThreadCount(qMax(2, QThread::idealThreadCount()));
        return p;
    }();
    return pool;
}

} // namespace Brigade::BackgroundPool
