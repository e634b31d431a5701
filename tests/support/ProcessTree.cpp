#include "ProcessTree.h"

#include <QDir>
#include <QFile>

namespace Brigade::Test {

namespace {

// Calls f(pid, state, ppid) for every process in /proc.
template<typename F>
void forEachProcess(F f)
{
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &e : entries) {
        bool ok = false;
        const qint64 p = e.toLongLong(&ok);
        if (!ok)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(p));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray s = stat.readAll();
        // "pid (comm) state ppid ...": comm may hold spaces, so parse after the last ')'.
        const qsizetype close = s.lastIndexOf(')');
        const QList<QByteArray> fields = s.mid(close + 2).split(' ');
        if (fields.size() > 1)
            f(p, fields[0], fields[1].toLongLong());
    }
}

} // namespace

QList<qint64> childProcesses(qint64 pid)
{
    QList<qint64> children;
    forEachProcess([&](qint64 p, const QByteArray &state, qint64 ppid) {
        if (ppid == pid && state != "Z")
            children.append(p);
    });
    return children;
}

QList<qint64> processesWithArgument(const QByteArray &marker)
{
    QList<qint64> found;
    forEachProcess([&](qint64 p, const QByteArray &state, qint64) {
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(p));
        if (state != "Z" && cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(marker))
            found.append(p);
    });
    return found;
}

} // namespace Brigade::Test
