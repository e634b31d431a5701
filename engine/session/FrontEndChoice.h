#pragma once

#include <QStringList>

namespace Brigade {

// Which front end a command line of `brigade` gets: the one rule app/brigade_main.cpp
// follows, kept here so that it is tested.
//
// The window is for `brigade` and `brigade BATCH_OR_JOURNAL` on a machine with a display;
// every command (run, retry-failed, export, ...), every option (--help, --resume, ...) and
// any longer command line is the terminal's, display or not.
class FrontEndChoice
{
public:
    enum class FrontEnd { Window, Terminal };

    // The words that name a headless command when they come first.
    static const QStringList &commands();
    static bool isCommand(const QString &word) { return commands().contains(word); }

    // args: the arguments after the program name. windowAvailable: the window is built in
    // and a display (or an explicit Qt platform) is there to show it.
    static FrontEnd choose(const QStringList &args, bool windowAvailable);
};

} // namespace Brigade
