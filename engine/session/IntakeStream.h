#pragma once

#include "SubmitIntake.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Brigade {

// One submission's lines on their way into a SubmitIntake, in the order they came: the
// bytes received and not taken yet, the line the next stretch starts at, and what the
// intake answered so far. A brigade submit connection (SubmitServer) and a file added from
// the window (RunSession::addTasksFrom) both feed the intake through one, a stretch of
// whole lines at a time, so they number and count lines alike.
//
// Not thread-safe: it stays with whoever reads the submission; take() gets copies.
class IntakeStream
{
public:
    explicit IntakeStream(const QString &name = QStringLiteral("<submitted>"))
        : m_name(name)
    {}

    // The name its lines have in messages.
    QString name() const { return m_name; }
    void setName(const QString &name) { m_name = name; }

    void append(QByteArrayView bytes) { m_pending += bytes; }
    // No more bytes come: a last line without its '\n' is given one.
    void end();
    bool isEnded() const { return m_ended; }
    qsizetype pendingBytes() const { return m_pending.size(); }
    // The whole lines received and not taken yet (empty when there are none), and the
    // number of the first, for SubmitIntake::take.
    QByteArray stretch() const;
    qint64 nextLine() const { return m_nextLine; }
    // What take() made of (the start of) stretch(): its bytes are dropped, its counts kept.
    void taken(const SubmitIntake::Outcome &outcome);

    qint64 accepted() const { return m_accepted; }
    const QList<BatchError> &rejected() const { return m_rejected; }
    // The run took no more tasks (take() said closed).
    bool isClosed() const { return m_closed; }

private:
    QString m_name;
    QByteArray m_pending;
    qint64 m_nextLine = 1;
    qint64 m_accepted = 0;
    QList<BatchError> m_rejected;
    bool m_ended = false;
    bool m_closed = false;
};

} // namespace Brigade
