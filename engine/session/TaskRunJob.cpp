#include "TaskRunJob.h"

#include "run/Engine.h"

namespace Brigade {

TaskRunJob::TaskRunJob(Engine *engine, std::function<void()> begin, const QString &title,
                       QObject *parent)
    : Job(parent)
    , m_engine(engine)
    , m_begin(std::move(begin))
{
    setTitle(title);
    setCapabilities(Killable | Suspendable);
    setProgressUnit(Unit::Items);
}

void TaskRunJob::doStart()
{
    connect(m_engine, &Engine::progress, this, &TaskRunJob::onProgress);
    connect(m_engine, &Engine::finished, this, &TaskRunJob::onFinished);
    connect(m_engine, &Engine::message, this,
            [this](const QString &text) { emit infoMessage(this, text); });
    m_begin();
}

bool TaskRunJob::doKill()
{
    m_engine->cancel();
    return true;
}

bool TaskRunJob::doSuspend()
{
    m_engine->pause();
    return true;
}

bool TaskRunJob::doResume()
{
    m_engine->resume();
    return true;
}

void TaskRunJob::onProgress(const RunStats &stats)
{
    if (isFinished())
        return;
    m_stats = stats;
    setTotalAmount(Unit::Items, stats.total);
    setProcessedAmount(Unit::Items, stats.finished());
}

void TaskRunJob::onFinished(const RunStats &stats)
{
    if (isFinished())
        return;
    onProgress(stats);
    disconnect(m_engine, nullptr, this, nullptr);
    if (stats.failed > 0 || stats.cancelled > 0) {
        setError(PartialError);
        QStringList parts;
        if (stats.failed > 0)
            parts << tr("%1 failed").arg(stats.failed);
        if (stats.cancelled > 0)
            parts << tr("%1 cancelled").arg(stats.cancelled);
        setErrorText(tr("of %1 tasks, %2").arg(stats.total).arg(parts.join(QStringLiteral(", "))));
    }
    emitResult();
}

} // namespace Brigade
