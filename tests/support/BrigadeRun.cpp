#include "BrigadeRun.h"

#include <QProcess>
#include <QSignalSpy>

namespace Brigade::Test {

BrigadeRun runBrigade(const QStringList &args, const QProcessEnvironment &env, int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(env);
    // Waited for in an event loop, so a server in the test's own process can answer it.
    QSignalSpy finished(&p, &QProcess::finished);
    p.start(QStringLiteral(BRIGADE_APP_PATH), args);
    BrigadeRun r;
    if (!finished.wait(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QProcessEnvironment headlessEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
        env.remove(QLatin1String(name));
    return env;
}

} // namespace Brigade::Test
