#include "Job.h"

namespace Brigade {

Job::Job(QObject *parent)
    : QObject(parent)
{}

Job::~Job() = default;

void Job::start()
{
    if (m_started)
        return;
    m_started = true;
    doStart();
}

bool Job::kill()
{
    if (!(m_capabilities & Killable) || !isRunning() || m_killed)
        return false;
    if (!doKill())
        return false;
    m_killed = true;
    emit stopping(this);
    return true;
}

bool Job::suspend()
{
    if (!(m_capabilities & Suspendable) || !isRunning() || m_suspended || !doSuspend())
        return false;
    m_suspended = true;
    emit suspended(this);
    return true;
}

bool Job::resume()
{
    if (!m_suspended || !isRunning() || !doResume())
        return false;
    m_suspended = false;
    emit resumed(this);
    return true;
}

qint64 Job::processedAmount(Unit unit) const
{
    return m_processed[int(unit)];
}

qint64 Job::totalAmount(Unit unit) const
{
    return m_total[int(unit)];
}

int Job::percent() const
{
    const qint64 total = totalAmount(m_progressUnit);
    return total > 0 ? int(100 * processedAmount(m_progressUnit) / total) : 0;
}

void Job::setProcessedAmount(Unit unit, qint64 amount)
{
    if (m_processed[int(unit)] == amount)
        return;
    m_processed[int(unit)] = amount;
    emit processedAmountChanged(this, unit, amount);
}

void Job::setTotalAmount(Unit unit, qint64 amount)
{
    if (m_total[int(unit)] == amount)
        return;
    m_total[int(unit)] = amount;
    emit totalAmountChanged(this, unit, amount);
}

void Job::emitResult()
{
    if (m_finished)
        return;
    m_finished = true;
    m_suspended = false;
    if (m_killed)
        m_error = KilledError;
    emit result(this);
}

} // namespace Brigade
