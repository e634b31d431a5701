#include "RunEndActions.h"

#include "FinishCommand.h"

#include <QSettings>

namespace Brigade {

namespace {
const QString Group = QStringLiteral("runEnd");
} // namespace

Result<QStringList> RunEndActions::commandWords() const
{
    return FinishCommand::split(command);
}

RunEndActions RunEndActions::load()
{
    RunEndActions a;
    QSettings settings;
    settings.beginGroup(Group);
    a.command = settings.value(QStringLiteral("command")).toString();
    a.bell = settings.value(QStringLiteral("bell"), a.bell).toBool();
    a.notify = settings.value(QStringLiteral("notify"), a.notify).toBool();
    return a;
}

void RunEndActions::save() const
{
    QSettings settings;
    settings.beginGroup(Group);
    settings.setValue(QStringLiteral("command"), command);
    settings.setValue(QStringLiteral("bell"), bell);
    settings.setValue(QStringLiteral("notify"), notify);
}

} // namespace Brigade
