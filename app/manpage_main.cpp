// brigade-manpage OUTDIR: writes brigade.1 and brigade-worker.1 from the programs' own help
// texts (a build step; not installed).
#include "terminal/CliParser.h"
#include "terminal/ManPage.h"
#include "worker/WorkerOptions.h"

#include <QCoreApplication>
#include <QDir>
#include <QSaveFile>

#include <cstdio>

namespace {

bool write(const QString &path, const QString &page)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(page.toUtf8()) >= 0 && file.commit())
        return true;
    std::fprintf(stderr, "brigade-manpage: cannot write %s: %s\n", qPrintable(path),
                 qPrintable(file.errorString()));
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: brigade-manpage OUTDIR\n");
        return 2;
    }
    const QDir out(QString::fromLocal8Bit(argv[1]));
    // The help's "Usage:" line names the running program: make that "brigade".
    char name[] = "brigade";
    char *appArgv[] = {name, nullptr};
    int appArgc = 1;
    QCoreApplication app(appArgc, appArgv);
    const QString version = QStringLiteral("Brigade " BRIGADE_VERSION);

    Brigade::ManPage brigade(
            QStringLiteral("brigade"),
            QStringLiteral("run batches of tasks on every core and watch each one live"), version);
    for (const Brigade::HelpTopic &topic : Brigade::CliParser::helpTopics()) {
        if (topic.command.isEmpty())
            brigade.setMainHelp(topic.text);
        else
            brigade.addCommandHelp(topic.command, topic.text);
    }
    brigade.addSeeAlso(QStringLiteral("brigade-worker(1)"));

    Brigade::ManPage worker(QStringLiteral("brigade-worker"),
                            QStringLiteral("runs task attempts for a Brigade engine"), version);
    worker.setMainHelp(Brigade::WorkerOptions::helpText());
    worker.addSeeAlso(QStringLiteral("brigade(1)"));

    return write(out.filePath(QStringLiteral("brigade.1")), brigade.render())
                           && write(out.filePath(QStringLiteral("brigade-worker.1")),
                                    worker.render())
                   ? 0
                   : 1;
}
