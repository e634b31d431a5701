#pragma once

namespace Brigade {

// The desktop front end, for app/brigade_main.cpp.
class DesktopApp
{
public:
    // Whether a window can be shown here (a display, or a Qt platform chosen explicitly).
    static bool displayAvailable();
    // Creates the QApplication, opens the main window (and argv[1] as a batch when given)
    // and runs the event loop.
    //
    // For screenshots and demos: BRIGADE_AUTORUN=1 starts the batch once it is loaded;
    // BRIGADE_SCREENSHOT=PATH:DELAY_MS saves the window as PATH (PNG) DELAY_MS after the
    // window is shown, then quits. BRIGADE_BENCH_REPORT=PATH runs argv[1] as the window
    // benchmark (see WindowBenchmark) and writes its JSON report to PATH.
    static int main(int argc, char *argv[]);
};

} // namespace Brigade
