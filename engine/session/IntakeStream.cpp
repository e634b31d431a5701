#include "IntakeStream.h"

namespace Brigade {

void IntakeStream::end()
{
    m_ended = true;
    if (!m_pending.isEmpty() && !m_pending.endsWith('\n'))
        m_pending += '\n';
}

QByteArray IntakeStream::stretch() const
{
    return m_pending.first(m_pending.lastIndexOf('\n') + 1);
}

void IntakeStream::taken(const SubmitIntake::Outcome &outcome)
{
    if (outcome.closed)
        m_closed = true;
    m_pending.remove(0, outcome.bytes);
    m_nextLine += outcome.lines;
    m_accepted += outcome.accepted;
    m_rejected += outcome.rejected;
}

} // namespace Brigade
