#include "IntakeTrust.h"

#include "compute/ComputeRegistry.h"
#include "core/TaskSpec.h"
#include "usercode/CommandSpec.h"
#include "usercode/ProgramSpec.h"

namespace Brigade {

namespace {

quint8 execOpId()
{
    static const quint8 id = ComputeRegistry::instance().idOf("exec");
    return id;
}

} // namespace

IntakeTrust IntakeTrust::nothing(const QString &how)
{
    IntakeTrust trust;
    trust.m_everything = false;
    trust.m_how = how;
    return trust;
}

IntakeTrust IntakeTrust::only(const QSet<QString> &commands, const QSet<QString> &programs,
                              const QString &how)
{
    IntakeTrust trust = nothing(how);
    trust.m_commands = commands;
    trust.m_programs = programs;
    return trust;
}

QString IntakeTrust::commandOf(const TaskShape &shape)
{
    CommandSpec command;
    if (shape.compute.op == 0 || shape.compute.op != execOpId()
        || !CommandSpec::decode(shape.compute.params, &command))
        return {};
    // The folder and the environment change what runs as much as the words do.
    QString text = command.displayTemplate();
    if (!command.cwd.isEmpty())
        text += QStringLiteral(" (in %1)").arg(command.cwd);
    for (const auto &var : std::as_const(command.env))
        text += QStringLiteral(" (%1=%2)").arg(var.first, var.second);
    return text;
}

QString IntakeTrust::programOf(const TaskShape &shape)
{
    return shape.compute.program ? shape.compute.program->name : QString();
}

QString IntakeTrust::refusal(const TaskShape &shape) const
{
    if (m_everything || shape.compute.op == 0)
        return {};
    if (const QString program = programOf(shape); !program.isEmpty()) {
        if (m_programs.contains(program))
            return {};
        return QStringLiteral("a call of the program \"%1\" is not taken here: %2")
                .arg(program, m_how);
    }
    if (const QString command = commandOf(shape); !command.isEmpty()) {
        if (m_commands.contains(command))
            return {};
        return QStringLiteral("the command \"%1\" is not taken here: %2").arg(command, m_how);
    }
    return {};
}

} // namespace Brigade
