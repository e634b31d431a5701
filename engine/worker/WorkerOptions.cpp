#include "WorkerOptions.h"

namespace Brigade {

WorkerOptions WorkerOptions::parse(const QStringList &args)
{
    WorkerOptions o;
    for (int i = 0; i < args.size() && o.error.isEmpty(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            o.showHelp = true;
        } else if (a == QLatin1String("-v") || a == QLatin1String("--version")) {
            o.showVersion = true;
        } else if (a == QLatin1String("--memory-limit-mb")) {
            bool ok = false;
            const QString value = args.value(i + 1);
            o.memoryLimitMb = value.toULongLong(&ok);
            if (!ok || o.memoryLimitMb == 0) {
                o.error = QStringLiteral("--memory-limit-mb expects a whole number of MiB "
                                         "above 0, not \"%1\"")
                                  .arg(value);
            }
            ++i;
        } else {
            o.error = QStringLiteral("unknown argument \"%1\"").arg(a);
        }
    }
    return o;
}

QString WorkerOptions::helpText()
{
    // Laid out as QCommandLineParser lays out brigade's, so one man page generator reads both.
    return QStringLiteral(
            "Usage: brigade-worker [options]\n"
            "Runs task attempts for a Brigade engine, speaking binary frames on stdin and\n"
            "stdout. brigade starts it: one per core, and on other machines through ssh, srun\n"
            "or a launcher command, which need brigade-worker on their PATH (the\n"
            "brigade-worker package holds only this program). It is not meant to be run by\n"
            "hand.\n"
            "\n"
            "Options:\n"
            "  --memory-limit-mb <MIB>  Cap the worker's data memory; tasks that need more\n"
            "                           fail with \"out of memory\".\n"
            "  -h, --help               Show this help.\n"
            "  -v, --version            Show the version.\n");
}

} // namespace Brigade
