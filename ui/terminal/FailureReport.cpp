#include "FailureReport.h"

#include "ProgressView.h"

#include <QDateTime>

namespace Brigade {

namespace {

QString timeOf(qint64 ms)
{
    return ms < 0 ? QStringLiteral("?")
                  : QDateTime::fromMSecsSinceEpoch(ms).toString(
                          QStringLiteral("yyyy-MM-dd hh:mm:ss"));
}

} // namespace

QStringList FailureReport::lines(const FailureSummary &f, const Options &o)
{
    const int w = qMax(20, o.columns) - 1;
    QStringList out;
    if (f.isEmpty())
        return out;
    out << QStringLiteral("%1 by cause (%2):")
                    .arg(ProgressView::counted(f.failedTasks + f.retryingTasks, "failed task",
                                               "failed tasks"),
                         ProgressView::counted(f.activeGroupCount, "group", "groups"));
    int countWidth = 1;
    for (const FailureGroup &g : f.groups)
        countWidth = qMax(countWidth, int(ProgressView::count(g.tasks()).size()));
    int shown = 0;
    int number = 0;
    for (const FailureGroup &g : f.groups) {
        ++number;
        if (g.tasks() == 0 && !o.details)
            continue; // recovered: only the full listing names them
        if (o.maxGroups >= 0 && shown >= o.maxGroups)
            break;
        ++shown;
        const QString n = g.tasks() ? ProgressView::count(g.tasks()) : QStringLiteral("0");
        // The full listing numbers the groups for brigade retry-failed --group N.
        const QString head = o.details
                                     ? QStringLiteral("  #%1  %2  ").arg(number).arg(n, countWidth)
                                     : QStringLiteral("  %1  ").arg(n, countWidth);
        out << head + ProgressView::elide(g.cause.label(), w - int(head.size()));
        const QString indent(head.size(), QLatin1Char(' '));
        if (g.tasks() == 0)
            out << indent
                            + ProgressView::elide(
                                    QStringLiteral("recovered on retry (%1)")
                                            .arg(ProgressView::counted(g.attempts, "attempt",
                                                                       "attempts")),
                                    w - int(indent.size()));
        else if (!g.exampleId.isEmpty())
            out << indent
                            + ProgressView::elide(QStringLiteral("e.g. %1: %2")
                                                          .arg(g.exampleId, g.exampleMessage),
                                                  w - int(indent.size()));
        if (g.retrying > 0)
            out << indent
                            + QStringLiteral("%1 still retrying")
                                      .arg(ProgressView::count(g.retrying));
        if (o.details) {
            QStringList hosts;
            for (const auto &[host, n] : g.workerHosts)
                hosts << QStringLiteral("%1 (%2)").arg(host.isEmpty() ? QStringLiteral("?") : host,
                                                       ProgressView::count(n));
            out << indent
                            + ProgressView::elide(
                                    QStringLiteral("%1, %2 to %3")
                                            .arg(ProgressView::counted(g.attempts, "failed attempt",
                                                                       "failed attempts"),
                                                 timeOf(g.firstAtMs), timeOf(g.lastAtMs)),
                                    w - int(indent.size()));
            if (!hosts.isEmpty())
                out << indent
                                + ProgressView::elide(QStringLiteral("on %1").arg(
                                                              hosts.join(QStringLiteral(", "))),
                                                      w - int(indent.size()));
        }
    }
    const int left = f.activeGroupCount - shown;
    if (left > 0 && !o.details) {
        const QString more = QStringLiteral("  and %1 more")
                                     .arg(ProgressView::counted(left, "group", "groups"));
        // The command whole, even if it wraps: it is there to be copied.
        out << (o.journal.isEmpty()
                        ? more
                        : more + QStringLiteral(": brigade failures %1").arg(o.journal));
    }
    return out;
}

} // namespace Brigade
