#pragma once

#include <QVector>

namespace Brigade {

// Utilisation of every core from /proc/stat, as the share of time not idle between two
// samples.
class LoadMonitor
{
public:
    LoadMonitor();
    // Utilisation per core since the previous call (0..1). Empty where /proc is missing.
    QVector<double> sample();

private:
    struct Times
    {
        quint64 busy = 0;
        quint64 total = 0;
    };
    static QVector<Times> read();
    QVector<Times> m_last;
};

} // namespace Brigade
