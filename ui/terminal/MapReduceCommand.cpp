#include "MapReduceCommand.h"

#include "InterruptWatcher.h"
#include "ProgressView.h"
#include "mapreduce/CountTable.h"
#include "mapreduce/MapReduceJob.h"
#include "mapreduce/TotalsWriter.h"
#include "session/RunSession.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <cstdio>
#include <unistd.h>

namespace Brigade {

namespace {

constexpr int MinPlainIntervalMs = 100; // at most ~10 progress lines a second

void printErr(const QString &text)
{
    std::fprintf(stderr, "%s\n", text.toLocal8Bit().constData());
}

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / 1e6, 'f', 1);
}

void printTotal(const KeyTotal &k)
{
    if (k.found)
        std::printf("%20llu  ", static_cast<unsigned long long>(k.total));
    else
        std::printf("%20s  ", "-");
    std::fwrite(k.key.constData(), 1, size_t(k.key.size()), stdout);
    std::fputs(k.found ? "\n" : " (not found)\n", stdout);
}

} // namespace

MapReduceCommand::MapReduceCommand(CliOptions options, RunSession *session, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_session(session)
{}

MapReduceCommand::~MapReduceCommand()
{
    m_cancelWrite = true;
}

void MapReduceCommand::start()
{
    QMetaObject::invokeMethod(this, &MapReduceCommand::begin, Qt::QueuedConnection);
}

void MapReduceCommand::begin()
{
    switch (m_options.progress) {
    case CliOptions::Progress::Auto:
        m_live = ::isatty(STDERR_FILENO);
        break;
    case CliOptions::Progress::Live:
        m_live = true;
        break;
    case CliOptions::Progress::Plain:
        break;
    case CliOptions::Progress::None:
        m_quiet = true;
        break;
    }
    auto *interrupts = new InterruptWatcher(this);
    connect(interrupts, &InterruptWatcher::interrupted, this, [this](int count) {
        if (count > 1)
            ::_exit(130);
        printErr(QStringLiteral("brigade: interrupted; cancelling (press Ctrl-C again to quit "
                                "at once)"));
        m_cancelWrite = true;
        if (m_job)
            m_job->kill();
    });
    connect(m_session, &RunSession::jobStarted, this, [this](Job *job) {
        m_job = qobject_cast<MapReduceJob *>(job);
        if (!m_job)
            return;
        connect(m_job, &MapReduceJob::progressChanged, this, &MapReduceCommand::onProgress);
        connect(m_job, &Job::result, this, &MapReduceCommand::onResult);
        connect(m_job, &Job::infoMessage, this, [this](Job *, const QString &text) {
            if (m_live)
                std::fputs("\r\x1b[K", stderr); // the progress line is redrawn after
            printErr(QStringLiteral("brigade: %1").arg(text));
        });
    });
    const Result<Job *> job = m_session->run(m_options.settings);
    if (!job) {
        printErr(QStringLiteral("brigade: %1").arg(job.error()));
        emit exitRequested(2);
        return;
    }
    m_sinceShown.start();
}

void MapReduceCommand::onProgress(const MapReduceProgress &p)
{
    if (m_quiet || p.chunksDone == m_chunksShown)
        return;
    const bool last = p.chunksDone == p.chunksTotal;
    if (!last && m_chunksShown >= 0 && m_sinceShown.elapsed() < MinPlainIntervalMs)
        return;
    m_chunksShown = p.chunksDone;
    m_sinceShown.start();
    const QString line
            = QStringLiteral("mapreduce: chunk %1/%2  %3/%4 MB  %5 MB/s  eta %6%7")
                      .arg(p.chunksDone)
                      .arg(p.chunksTotal)
                      .arg(megabytes(p.bytesDone), megabytes(p.bytesTotal))
                      .arg(p.bytesPerSecond / 1e6, 0, 'f', 0)
                      .arg(ProgressView::formatDuration(p.etaMs))
                      .arg(p.chunksFailed ? QStringLiteral("  failed %1").arg(p.chunksFailed)
                                          : QString());
    if (m_live)
        std::fprintf(stderr, "\r\x1b[K%s%s", line.toLocal8Bit().constData(), last ? "\n" : "");
    else
        std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
    std::fflush(stderr);
}

void MapReduceCommand::onResult(Job *job)
{
    const MapReduceResult &result = m_job->mapReduceResult();
    if (job->error() == Job::StartError) {
        printErr(QStringLiteral("brigade: %1").arg(job->errorText()));
        emit exitRequested(2);
        return;
    }
    m_result = result;
    if (m_live && m_chunksShown >= 0 && m_chunksShown < result.chunks)
        std::fputs("\n", stderr);
    if (result.status == MapReduceResult::Status::Cancelled) {
        printErr(QStringLiteral("brigade: mapreduce cancelled"));
        emit exitRequested(1);
        return;
    }
    if (!result.succeeded()) {
        for (const QString &e : result.errors)
            printErr(QStringLiteral("brigade: %1").arg(e));
        printErr(QStringLiteral("brigade: mapreduce failed; no totals"));
        emit exitRequested(1);
        return;
    }
    printResult(result);
    if (m_options.outputPath.isEmpty()) {
        emit exitRequested(0);
        return;
    }
    writeOutput(result);
}

void MapReduceCommand::printResult(const MapReduceResult &r)
{
    const double secs = double(qMax<qint64>(1, r.elapsedMs)) / 1000.0;
    std::printf("%s MB, %llu lines, %d chunks in %.2f s: %.0f MB/s\n",
                megabytes(r.bytes).toLatin1().constData(), static_cast<unsigned long long>(r.lines),
                r.chunks, secs, double(r.bytes) / 1e6 / secs);
    std::printf("%lld distinct keys, total %llu%s\n", static_cast<long long>(r.distinctKeys),
                static_cast<unsigned long long>(r.totalCount),
                r.overflowed ? " (some totals passed 2^64-1 and were capped)" : "");
    if (!r.top.isEmpty()) {
        std::printf("top %lld:\n", static_cast<long long>(r.top.size()));
        for (const KeyTotal &k : r.top)
            printTotal(k);
    }
    if (!r.keys.isEmpty()) {
        std::printf("keys:\n");
        for (const KeyTotal &k : r.keys)
            printTotal(k);
    }
    if (r.badLines > 0) {
        std::printf("%llu bad line(s), not counted; the first:\n",
                    static_cast<unsigned long long>(r.badLines));
        for (const BadLineExample &e : r.badExamples)
            std::printf("  %s\n", e.toString().toLocal8Bit().constData());
    }
    std::fflush(stdout);
}

void MapReduceCommand::writeOutput(const MapReduceResult &result)
{
    // Sorting millions of keys: on a pool thread, like any other long step.
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, result] {
        const QString error = watcher->result();
        watcher->deleteLater();
        if (!error.isEmpty()) {
            printErr(QStringLiteral("brigade: %1").arg(error));
            emit exitRequested(1);
            return;
        }
        printErr(QStringLiteral("brigade: wrote %1 totals to %2")
                         .arg(result.distinctKeys)
                         .arg(m_options.outputPath));
        emit exitRequested(0);
    });
    watcher->setFuture(QtConcurrent::run(
            [table = result.table, path = m_options.outputPath, cancel = &m_cancelWrite] {
                QString error;
                TotalsWriter::write(*table, path, &error, cancel);
                return error;
            }));
}

} // namespace Brigade
