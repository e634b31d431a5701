#include "JournalsCommand.h"

#include "ProgressView.h"
#include "journal/Journal.h"
#include "journal/JournalCatalog.h"

#include <QFileInfo>
#include <QLocale>

#include <cstdio>
#include <unistd.h>

namespace Brigade {

namespace {

QString size(qint64 bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1);
}

QString state(const JournalCatalog::Entry &e)
{
    if (!e.problem.isEmpty())
        return QStringLiteral("unreadable");
    if (e.openTasks > 0)
        return QStringLiteral("%1 open").arg(ProgressView::count(e.openTasks));
    return QStringLiteral("finished");
}

void print(const QString &line, FILE *to = stdout)
{
    std::fputs((line + QLatin1Char('\n')).toLocal8Bit().constData(), to);
}

} // namespace

QStringList JournalsCommand::lines(const QString &dir, int columns)
{
    const QList<JournalCatalog::Entry> entries = JournalCatalog::list(dir);
    QStringList out;
    if (entries.isEmpty()) {
        out << QStringLiteral("no journals in %1").arg(dir);
        return out;
    }
    // Fixed columns first, the batch and the journal's name last: a narrow terminal cuts
    // names, never the numbers.
    auto row = [](const QString &when, const QString &ok, const QString &failed, const QString &st,
                  const QString &bytes, const QString &batch, const QString &journal) {
        return when.leftJustified(16) + QLatin1String("  ") + ok.rightJustified(9)
               + QLatin1Char(' ') + failed.rightJustified(7) + QLatin1Char(' ')
               + st.leftJustified(12) + QLatin1String("  ") + bytes.rightJustified(9)
               + QLatin1Char(' ') + batch.leftJustified(14) + QLatin1String("  ") + journal;
    };
    out << ProgressView::elide(row(QStringLiteral("last run (UTC)"), QStringLiteral("ok"),
                                   QStringLiteral("failed"), QStringLiteral("state"),
                                   QStringLiteral("size"), QStringLiteral("batch"),
                                   QStringLiteral("journal")),
                               columns);
    qint64 total = 0;
    for (const JournalCatalog::Entry &e : entries) {
        total += e.bytes;
        const QString batch
                = e.batchPath.isEmpty() ? QStringLiteral("?") : QFileInfo(e.batchPath).fileName();
        const QString line
                = row(e.lastRun.toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                      ProgressView::count(e.succeeded), ProgressView::count(e.failed), state(e),
                      size(e.bytes), ProgressView::elide(batch, 14), QFileInfo(e.path).fileName());
        out << ProgressView::elide(line, columns);
    }
    out << QStringLiteral("%1 in %2 (%3). To continue an open run: brigade run --resume "
                          "JOURNAL; to remove old ones: brigade journals --prune")
                    .arg(ProgressView::counted(entries.size(), "journal", "journals"), dir,
                         size(total));
    return out;
}

int JournalsCommand::run(const CliOptions &o)
{
    const QString dir = Journal::defaultDirectory();
    const int columns
            = ::isatty(STDOUT_FILENO) ? ProgressView::terminalColumns(STDOUT_FILENO) : 160;
    if (!o.pruneJournals) {
        for (const QString &line : lines(dir, qMax(40, columns)))
            print(line);
        return 0;
    }
    const QList<JournalCatalog::Entry> entries = JournalCatalog::list(dir);
    const QList<JournalCatalog::Entry> doomed = JournalCatalog::toPrune(
            entries, o.keepJournals, o.journalsOlderThanDays, QDateTime::currentDateTimeUtc());
    qint64 freed = 0;
    int removed = 0;
    int status = 0;
    for (const JournalCatalog::Entry &e : doomed) {
        if (const Result<void> r = JournalCatalog::remove(e.path); !r) {
            print(QStringLiteral("brigade: %1").arg(r.error()), stderr);
            status = 1;
            continue;
        }
        print(QStringLiteral("removed %1 (%2, %3)")
                      .arg(e.path, QFileInfo(e.batchPath).fileName(), size(e.bytes)));
        freed += e.bytes;
        ++removed;
    }
    const QString rule
            = o.journalsOlderThanDays >= 0
                      ? QStringLiteral("older than %1 days").arg(o.journalsOlderThanDays)
                      : QStringLiteral("all but the newest %1 of each batch").arg(o.keepJournals);
    print(QStringLiteral("removed %1 of %2 (%3): %4; %5 kept")
                  .arg(ProgressView::counted(removed, "journal", "journals"))
                  .arg(entries.size())
                  .arg(size(freed), rule)
                  .arg(entries.size() - removed));
    return status;
}

} // namespace Brigade
