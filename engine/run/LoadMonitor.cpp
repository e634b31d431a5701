#include "LoadMonitor.h"

#include <QFile>

namespace Brigade {

LoadMonitor::LoadMonitor()
    : m_last(read())
{}

QVector<LoadMonitor::Times> LoadMonitor::read()
{
    QVector<Times> times;
    QFile f(QStringLiteral("/proc/stat"));
    if (!f.open(QIODevice::ReadOnly))
        return times;
    const QByteArray all = f.readAll();
    for (const QByteArray &line : all.split('\n')) {
        // "cpuN user nice system idle iowait irq softirq steal ..."; skip the "cpu " total.
        if (!line.startsWith("cpu") || line.size() < 4 || line[3] == ' ')
            continue;
        const QList<QByteArray> f = line.simplified().split(' ');
        if (f.size() < 5)
            continue;
        Times t;
        for (int i = 1; i < f.size() && i <= 8; ++i) {
            const quint64 v = f[i].toULongLong();
            t.total += v;
            if (i != 4 && i != 5) // idle and iowait
                t.busy += v;
        }
        times.append(t);
    }
    return times;
}

QVector<double> LoadMonitor::sample()
{
    const QVector<Times> now = read();
    QVector<double> util(now.size(), 0.0);
    for (int i = 0; i < now.size() && i < m_last.size(); ++i) {
        const quint64 dt = now[i].total - m_last[i].total;
        const quint64 db = now[i].busy - m_last[i].busy;
        util[i] = dt ? qBound(0.0, double(db) / double(dt), 1.0) : 0.0;
    }
    m_last = now;
    return util;
}

} // namespace Brigade
