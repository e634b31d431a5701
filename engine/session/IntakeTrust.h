#pragma once

#include <QSet>
#include <QString>

namespace Brigade {

struct TaskShape;

// How far tasks that join a run after it started (brigade submit, File › Add Tasks…) may
// run the user's own code: commands (exec) and calls of long-lived programs (call). A
// batch's own code is agreed to before it first runs (the window asks); code that arrives
// later has not been looked at by anyone, so the intake (SubmitIntake::take) rejects the
// lines that run code this does not allow, each with why and how to allow it.
//
// Copies are cheap (the sets are shared).
class IntakeTrust
{
public:
    // Any code: the default, and the command line's rule (whoever started `brigade run`
    // trusts what its own user sends to its socket, which no one else can reach).
    IntakeTrust() = default;
    static IntakeTrust everything() { return {}; }
    // No code. how: what a rejected line's message ends with (how to allow it).
    static IntakeTrust nothing(const QString &how);
    // Only these commands and programs (as commandOf() and programOf() give them): what the
    // user was shown and agreed to. Other code is rejected, ending with how.
    static IntakeTrust only(const QSet<QString> &commands, const QSet<QString> &programs,
                            const QString &how);

    // A command task's command as the user is shown it and as it is compared: the command
    // as written, then its folder and environment when it sets them. Empty for other tasks.
    static QString commandOf(const TaskShape &shape);
    // The program a call task calls, or empty.
    static QString programOf(const TaskShape &shape);

    bool allowsEverything() const { return m_everything; }
    // Empty when a task of this shape may join the run, else the line's message.
    QString refusal(const TaskShape &shape) const;

private:
    bool m_everything = true;
    QSet<QString> m_commands;
    QSet<QString> m_programs;
    QString m_how;
};

} // namespace Brigade
