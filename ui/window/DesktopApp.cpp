#include "DesktopApp.h"

#include "MainWindow.h"
#include "WindowBenchmark.h"
#include "core/TaskStore.h"
#include "tasks/TaskRunView.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QIcon>
#include <QScreen>
#include <QTimer>

#include <memory>

namespace Brigade {

bool DesktopApp::displayAvailable()
{
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    return qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || !qEnvironmentVariableIsEmpty("DISPLAY")
           || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
#else
    return true;
#endif
}

int DesktopApp::main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Brigade"));
    QApplication::setOrganizationName(QStringLiteral("Brigade"));
    QApplication::setApplicationDisplayName(QStringLiteral("Brigade"));
    QApplication::setApplicationVersion(QStringLiteral(BRIGADE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("brigade"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/brigade.svg")));

    MainWindow window;
    const QString screenshot = qEnvironmentVariable("BRIGADE_SCREENSHOT");
    if (!screenshot.isEmpty() && window.screen())
        window.setGeometry(window.screen()->availableGeometry()); // fill the (virtual) screen
    window.show();
    // For scripts and screenshots: BRIGADE_SHOW=timeline (or details, core) brings that
    // dock to the front.
    if (const QString dock = qEnvironmentVariable("BRIGADE_SHOW"); !dock.isEmpty()) {
        if (auto *w = window.findChild<QDockWidget *>(dock + QStringLiteral("Dock"))) {
            w->show();
            w->raise();
        }
    }

    const QStringList args = QApplication::arguments();
    const QString benchReport = qEnvironmentVariable("BRIGADE_BENCH_REPORT");
    std::unique_ptr<WindowBenchmark> bench;
    if (!benchReport.isEmpty() && args.size() > 1) {
        bench = std::make_unique<WindowBenchmark>(
                &window, QDir::current().absoluteFilePath(args.at(1)), benchReport);
        QTimer::singleShot(0, bench.get(), &WindowBenchmark::start);
    } else if (args.size() > 1) {
        if (qEnvironmentVariableIntValue("BRIGADE_AUTORUN") == 1) {
            QObject::connect(&window, &MainWindow::batchLoaded, &window,
                             [&window] { window.action(MainWindow::Action::Run)->trigger(); });
        }
        // For screenshots: BRIGADE_SELECT=ID selects that task once it has finished, its
        // details shown.
        if (const QString id = qEnvironmentVariable("BRIGADE_SELECT"); !id.isEmpty()) {
            auto *poll = new QTimer(&window);
            QObject::connect(poll, &QTimer::timeout, &window, [&window, id, poll] {
                const std::shared_ptr<TaskStore> store = window.store();
                const int row = store ? store->rowOf(id) : -1;
                if (row < 0 || !isTerminal(store->state(row).status))
                    return;
                window.taskRunView()->selectTask(row);
                poll->stop();
            });
            poll->start(200);
        }
        window.openBatch(QDir::current().absoluteFilePath(args.at(1)));
    }

    if (!screenshot.isEmpty()) {
        const qsizetype colon = screenshot.lastIndexOf(QLatin1Char(':'));
        const QString path = colon > 0 ? screenshot.left(colon) : screenshot;
        const int delayMs = colon > 0 ? screenshot.mid(colon + 1).toInt() : 3000;
        QTimer::singleShot(delayMs, &window, [&window, path] {
            const bool saved = window.grab().save(path, "PNG");
            // Straight out: no "a run is in progress" question in a scripted session.
            QCoreApplication::exit(saved ? 0 : 3);
        });
    }
    return app.exec();
}

} // namespace Brigade
