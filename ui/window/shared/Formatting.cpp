#include "Formatting.h"

#include "core/TaskState.h"
#include "text/Duration.h"
#include "worker/Spawn.h"

#include <QCoreApplication>
#include <QLocale>

namespace Brigade::Formatting {

QString count(qint64 n)
{
    return QLocale().toString(n);
}

QString clock(qint64 ms)
{
    return Duration::clock(ms, QStringLiteral("–"));
}

QString milliseconds(double ms)
{
    const QLocale locale;
    if (ms < 1)
        return QCoreApplication::translate("Formatting", "%1 ms").arg(locale.toString(ms, 'f', 2));
    if (ms < 1000)
        return QCoreApplication::translate("Formatting", "%1 ms").arg(locale.toString(qRound(ms)));
    if (ms < 60000)
        return QCoreApplication::translate("Formatting", "%1 s")
                .arg(locale.toString(ms / 1000.0, 'f', ms < 10000 ? 2 : 1));
    const qint64 s = qRound64(ms / 1000.0);
    return QCoreApplication::translate("Formatting", "%1 min %2 s").arg(s / 60).arg(s % 60);
}

QString microseconds(quint32 us)
{
    return milliseconds(double(us) / 1000.0);
}

QString bytes(qint64 n)
{
    if (n < 0)
        return {};
    return QLocale().formattedDataSize(n, n < 1024 ? 0 : 1, QLocale::DataSizeIecFormat);
}

QString decimalBytes(qint64 n)
{
    if (n < 0)
        return {};
    return QLocale().formattedDataSize(n, n < 1000 ? 0 : 1, QLocale::DataSizeSIFormat);
}

QString rate(double perSecond)
{
    const QLocale locale;
    if (perSecond <= 0)
        return QStringLiteral("–");
    if (perSecond < 10)
        return QCoreApplication::translate("Formatting", "%1/s")
                .arg(locale.toString(perSecond, 'f', 1));
    return QCoreApplication::translate("Formatting", "%1/s")
            .arg(locale.toString(qRound64(perSecond)));
}

QString percent(double fraction)
{
    return QCoreApplication::translate("Formatting", "%1 %")
            .arg(QLocale().toString(int(qBound(0.0, fraction, 1.0) * 100.0))); // 99.6 % is not done
}

QString counted(qint64 n, const QString &one, const QString &many)
{
    return (n == 1 ? one : many).arg(count(n));
}

QString exitStatus(qint32 exitCode, quint8 signal)
{
    if (signal != 0)
        return signalName(signal);
    if (exitCode == ProcessOutcome::NoExitCode)
        return {};
    return QString::number(exitCode);
}

} // namespace Brigade::Formatting
