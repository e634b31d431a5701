#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace Brigade::Test {

// What the built brigade program did, run as a user runs it.
struct BrigadeRun
{
    int exitCode = -1; // -1: it crashed, or did not end in time and was killed
    QString out;
    QString err;
};

// Runs the built brigade with args in env, for at most timeoutMs, in an event loop.
BrigadeRun runBrigade(const QStringList &args, const QProcessEnvironment &env,
                      int timeoutMs = 60000);
// This process's environment without a display: brigade's headless front end.
QProcessEnvironment headlessEnvironment();

} // namespace Brigade::Test
