// How fast a batch file is read, and what its tasks cost in memory, measured (not a test):
// BatchParser::parseFile on FILE, REPS times; prints one JSON line: the best and median
// seconds per parse, tasks per second, the growth of RSS while the parsed batch is held
// (bytes per task) and the peak RSS of the process. With --command, FILE is a list of
// arguments read as brigade run FILE -- PROG reads it (BatchParser::parseArgumentList), and
// the batch its journal holds, made later on the journal's thread, is timed apart
// (journal_batch_s).
//   parse_bench FILE [--reps N] [--command PROG]
#include "batch/BatchParser.h"
#include "usercode/CommandLineBatch.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <sys/resource.h>
#include <vector>

using namespace Brigade;

namespace {

// Resident set size now, from /proc (Linux).
qint64 rssBytes()
{
    QFile status(QStringLiteral("/proc/self/statm"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = status.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * 4096 : 0;
}

QByteArray readList(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// As brigade run LIST -- PROG opens its list.
Batch parseList(const QString &path, const QString &program)
{
    return BatchParser::parseArgumentList(
            readList(path), CommandLineBatch::defaultsLine({program}, QStringLiteral("/tmp")),
            CommandLineBatch::nameFor(path));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser cli;
    cli.addPositionalArgument(QStringLiteral("file"), QStringLiteral("The batch file."));
    cli.addOption({QStringLiteral("reps"), QStringLiteral("Parses (default 3)."),
                   QStringLiteral("N"), QStringLiteral("3")});
    cli.addOption({QStringLiteral("command"),
                   QStringLiteral("FILE is a list of arguments for PROG, as brigade run FILE -- "
                                  "PROG reads it."),
                   QStringLiteral("PROG")});
    cli.addHelpOption();
    cli.process(app);
    if (cli.positionalArguments().size() != 1)
        cli.showHelp(2);
    const QString path = cli.positionalArguments().constFirst();
    const int reps = std::max(1, cli.value(QStringLiteral("reps")).toInt());

    std::vector<double> seconds;
    qint64 tasks = 0, errors = 0, heldBytes = 0;
    for (int rep = 0; rep < reps; ++rep) {
        const qint64 before = rssBytes();
        QElapsedTimer timer;
        timer.start();
        const Batch batch = cli.isSet(QStringLiteral("command"))
                                    ? parseList(path, cli.value(QStringLiteral("command")))
                                    : BatchParser::parseFile(path);
        seconds.push_back(double(timer.nsecsElapsed()) / 1e9);
        tasks = batch.tasks.size();
        errors = batch.errorCount;
        heldBytes = std::max(heldBytes, rssBytes() - before);
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    double journalBatch = 0;
    if (cli.isSet(QStringLiteral("command"))) {
        const QByteArray list = readList(path);
        QElapsedTimer timer;
        timer.start();
        const QByteArray made = CommandLineBatch::make(list, {cli.value(QStringLiteral("command"))},
                                                       QStringLiteral("/tmp"));
        journalBatch = double(timer.nsecsElapsed()) / 1e9;
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("{\"file\":\"%s\",\"tasks\":%lld,\"errors\":%lld,\"best_s\":%.4f,\"median_s\":%.4f,"
                "\"tasks_per_s\":%.0f,\"held_bytes_per_task\":%.1f,\"peak_rss_mb\":%.1f,"
                "\"journal_batch_s\":%.4f}\n",
                qPrintable(path), tasks, errors, seconds.front(), median,
                median > 0 ? double(tasks) / median : 0.0,
                tasks > 0 ? double(heldBytes) / double(tasks) : 0.0, usage.ru_maxrss / 1024.0,
                journalBatch);
    return 0;
}
