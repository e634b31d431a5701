#include "WindowTestSetup.h"

#include "journal/Journal.h"

#include <QCoreApplication>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>

namespace Brigade::Test {

void isolateWindowSettings(const QString &applicationName)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("BrigadeTests"));
    QCoreApplication::setApplicationName(applicationName);
    QSettings().clear();
    QDir(Journal::defaultDirectory()).removeRecursively();
}

RunSettings windowTestRunSettings(RunSettings s)
{
    s.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    s.workers = 2;
    s.concurrency = RunSettings{}.concurrency; // a test may have lowered it
    s.maxAttempts = 2;
    s.retry.baseDelayMs = 10;
    s.retry.maxDelayMs = 50;
    s.seed = 1;
    s.timeoutMs = 0;
    return s;
}

} // namespace Brigade::Test
