// brigade: the desktop window, or the headless command line (see FrontEndChoice).
#include "session/FrontEndChoice.h"
#include "terminal/RunCommand.h"

#ifdef BRIGADE_HAVE_WINDOW
#include "window/DesktopApp.h"
#endif

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    using Brigade::FrontEndChoice;
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
#ifdef BRIGADE_HAVE_WINDOW
    const bool windowAvailable = Brigade::DesktopApp::displayAvailable();
#else
    const bool windowAvailable = false;
#endif
    if (FrontEndChoice::choose(args, windowAvailable) == FrontEndChoice::FrontEnd::Terminal) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("brigade"));
        QCoreApplication::setApplicationVersion(QStringLiteral(BRIGADE_VERSION));
        return Brigade::RunCommand::main(args);
    }
#ifdef BRIGADE_HAVE_WINDOW
    return Brigade::DesktopApp::main(argc, argv);
#else
    return 2; // not reached: without a window every command line is the terminal's
#endif
}
