#include "UserCodeSummary.h"

#include "batch/Batch.h"
#include "usercode/CommandSpec.h"
#include "window/shared/Formatting.h"
#include "window/tasks/TaskDetailsView.h"

#include <QCoreApplication>

namespace Brigade {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("UserCodeSummary", text);
}

QString code(const QString &text, int maxChars = 0)
{
    const bool clip = maxChars > 0 && text.size() > maxChars;
    return QStringLiteral("<code>%1</code>")
            .arg((clip ? text.left(maxChars) + QChar(0x2026) : text).toHtmlEscaped());
}

} // namespace

QString UserCodeSummary::html(const Batch &batch, const Options &options)
{
    QStringList lines;
    for (auto it = batch.programs.cbegin(); it != batch.programs.cend(); ++it) {
        const ProgramSpec &program = *it.value();
        QString line
                = tr("Program %1: %2")
                          .arg(code(program.name), code(CommandSpec::joinArguments(program.argv)));
        if (options.fullPrograms) {
            if (!program.cwd.isEmpty())
                line += tr(", in %1").arg(code(program.cwd));
            for (const auto &var : program.env)
                line += QStringLiteral(", %1").arg(
                        code(QStringLiteral("%1=%2").arg(var.first, var.second)));
        }
        if (options.logLinks)
            line += QStringLiteral(" · <a href=\"%1\">%2</a>")
                            .arg(TaskDetailsView::programLogLink(program.name)
                                         .toString(QUrl::FullyEncoded)
                                         .toHtmlEscaped(),
                                 tr("log"));
        lines << line;
    }
    int shown = 0;
    for (auto it = batch.commands.cbegin(); it != batch.commands.cend(); ++it) {
        if (shown == options.maxCommands) {
            const qsizetype rest = batch.commands.size() - shown;
            lines << (rest == 1 ? tr("… and 1 more command")
                                : tr("… and %1 more commands").arg(Formatting::count(rest)));
            break;
        }
        lines << Formatting::counted(it.value(), tr("Command %2 (%1 task)"),
                                     tr("Command %2 (%1 tasks)"))
                         .arg(code(it.key(), options.maxChars));
        ++shown;
    }
    return lines.join(QStringLiteral("<br>"));
}

} // namespace Brigade
