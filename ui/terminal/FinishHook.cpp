#include "FinishHook.h"

#include "session/FinishCommand.h"

#include <cstdio>

namespace Brigade {

FinishHook::FinishHook(QObject *parent)
    : QObject(parent)
{}

void FinishHook::run(const QStringList &command, bool bell, const RunStats &stats,
                     const QString &journal, int status)
{
    if (bell) {
        std::fputc('\a', stderr);
        std::fflush(stderr);
    }
    if (command.isEmpty()) {
        QMetaObject::invokeMethod(this, &FinishHook::done, Qt::QueuedConnection);
        return;
    }
    auto *finish = new FinishCommand(this);
    connect(finish, &FinishCommand::finished, this, [this, command](const QString &problem) {
        if (problem.startsWith(QLatin1String("cannot run")))
            std::fprintf(stderr, "brigade: --on-finish: %s\n", problem.toLocal8Bit().constData());
        else if (!problem.isEmpty())
            std::fprintf(stderr, "brigade: --on-finish %s %s\n",
                         command.constFirst().toLocal8Bit().constData(),
                         problem.toLocal8Bit().constData());
        emit done();
    });
    finish->start(command, stats, journal, status, true);
}

} // namespace Brigade
