#pragma once

#include <QString>

namespace Brigade::Formatting {

// Short human texts for the window: locale-aware counts, durations and sizes.
QString count(qint64 n);
QString clock(qint64 ms);        // "0:07", "1:02:03"; "–" when negative (unknown)
QString milliseconds(double ms); // "850 ms", "1.25 s", "2 min 5 s"
QString microseconds(quint32 us);
QString bytes(qint64 n); // "512 B", "4.0 KiB"
// Decimal units, as the CLI prints data sizes and speeds: "496.7 MB".
QString decimalBytes(qint64 n);
QString rate(double perSecond);
QString percent(double fraction);
// A command's end: its exit status ("3"), the signal that killed it ("SIGKILL"), or empty.
QString exitStatus(qint32 exitCode, quint8 signal);
// one or many ("%1 worker", "%1 workers") filled with count(n); English plurals work
// without a translation loaded, unlike tr("%n ...").
QString counted(qint64 n, const QString &one, const QString &many);

} // namespace Brigade::Formatting
