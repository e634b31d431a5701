#include "FrontEndChoice.h"

namespace Brigade {

const QStringList &FrontEndChoice::commands()
{
    static const QStringList words{QStringLiteral("run"),      QStringLiteral("retry-failed"),
                                   QStringLiteral("export"),   QStringLiteral("failures"),
                                   QStringLiteral("journals"), QStringLiteral("skip"),
                                   QStringLiteral("submit")};
    return words;
}

FrontEndChoice::FrontEnd FrontEndChoice::choose(const QStringList &args, bool windowAvailable)
{
    if (!windowAvailable)
        return FrontEnd::Terminal;
    if (args.isEmpty())
        return FrontEnd::Window;
    // One file to open. Anything more is for the command line, which explains what it
    // does not understand (the window would ignore it).
    const QString &first = args.first();
    if (args.size() == 1 && !first.startsWith(QLatin1Char('-')) && !isCommand(first))
        return FrontEnd::Window;
    return FrontEnd::Terminal;
}

} // namespace Brigade
