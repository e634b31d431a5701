#pragma once

#include "core/Result.h"

#include <QString>
#include <QStringList>

namespace Brigade {

// What the window does when a run ends, besides showing it, as Run Settings chose it and
// remembered with QSettings: a command (FinishCommand; the CLI's --on-finish), the bell
// (--bell), a desktop notification while the window is not the active one.
struct RunEndActions
{
    QString command; // as typed, split by FinishCommand::split; empty: none
    bool bell = false;
    bool notify = true;

    // The command's words, or why it cannot be split.
    Result<QStringList> commandWords() const;

    static RunEndActions load();
    void save() const;
    bool operator==(const RunEndActions &o) const
    {
        return command == o.command && bell == o.bell && notify == o.notify;
    }
};

} // namespace Brigade
