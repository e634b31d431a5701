// LoadChart: cores at 100 % draw their line inside the chart, below its frame, where it
// can be seen (on the frame's top edge the frame hid it).
#include "window/workers/LoadChart.h"

#include <QImage>
#include <QTest>

using namespace Brigade;

class tst_LoadChart : public QObject
{
    Q_OBJECT
private slots:
    void fullLoadIsVisible();
};

void tst_LoadChart::fullLoadIsVisible()
{
    LoadChart chart;
    chart.resize(400, 220);
    for (int i = 0; i < 10; ++i) {
        LoadSample s;
        s.elapsedMs = i * 250;
        s.cores = {1.0, 1.0};
        s.tasksPerSecond = 0;
        chart.addSample(s);
    }
    const QImage image = chart.grab().toImage();
    const int x = image.width() / 2;
    const QColor base = chart.palette().color(QPalette::Base);
    // The plot's first row of its own background: the frame is just above it.
    int top = -1;
    for (int y = 0; y < image.height() && top < 0; ++y) {
        if (image.pixelColor(x, y) == base)
            top = y;
    }
    QVERIFY(top > 0);
    // The core line (the highlight colour, strong) within a few pixels under the frame.
    const auto strongBlue = [](const QColor &c) {
        return c.blue() > c.red() + 60;
    };
    int line = -1;
    for (int y = top; y < top + 20 && y < image.height() && line < 0; ++y) {
        if (strongBlue(image.pixelColor(x, y)))
            line = y;
    }
    QVERIFY2(line > top, qPrintable(QStringLiteral("no core line under the frame at %1").arg(top)));
    QVERIFY(!strongBlue(image.pixelColor(x, top - 1))); // the frame is not painted over
}

QTEST_MAIN(tst_LoadChart)
#include "tst_loadchart.moc"
