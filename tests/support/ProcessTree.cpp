#include "ProcessTree.h"

#include <QDir>
#include <QFile>

namespace Brigade::Test {

QList<qint64> childProcesses(qint64 pid)
{
    QList<qint64> children;
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
        const QList<QByteArray> f = s.mid(close + 2).split(' ');
        if (f.size() > 1 && f[1].toLongLong() == pid && f[0] != "Z")
            children.append(p);
    }
    return children;
}

QList<qint64> processesWithArgument(const QByteArray &marker)
{
    QList<qint64> found;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &e : entries) {
        bool ok = false;
        const qint64 p = e.toLongLong(&ok);
        if (!ok)
            continue;
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(p));
        if (!cmdline.open(QIODevice::ReadOnly) || !cmdline.readAll().contains(marker))
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(p));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray s = stat.readAll();
        const qsizetype close = s.lastIndexOf(')');
        if (close > 0 && s.mid(close + 2, 1) != "Z")
            found.append(p);
    }
    return found;
}

} // namespace Brigade::Test
