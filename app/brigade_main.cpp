// brigade: the desktop window, or the headless runner ("brigade run BATCH", or any batch
// when there is no display).
#include "terminal/RunCommand.h"

#ifdef BRIGADE_HAVE_WINDOW
#include "window/DesktopApp.h"
#endif

#include <QCoreApplication>

namespace {

bool wantsHeadless(const QStringList &args)
{
    if (!args.isEmpty()) {
        const QString &first = args.first();
        if (first == QLatin1String("run") || first.startsWith(QLatin1Char('-')))
            return true;
    }
#ifdef BRIGADE_HAVE_WINDOW
    return !Brigade::DesktopApp::displayAvailable();
#else
    return true;
#endif
}

} // namespace

int main(int argc, char *argv[])
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    if (wantsHeadless(args)) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("brigade"));
        QCoreApplication::setApplicationVersion(QStringLiteral(BRIGADE_VERSION));
        return Brigade::RunCommand::main(args);
    }
#ifdef BRIGADE_HAVE_WINDOW
    return Brigade::DesktopApp::main(argc, argv);
#endif
}
