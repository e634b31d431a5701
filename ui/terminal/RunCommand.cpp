#include "RunCommand.h"

#include "InterruptWatcher.h"
#include "MapReduceCommand.h"
#include "batch/BatchParser.h"
#include "journal/Journal.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <utility>

namespace Brigade {

namespace {
constexpr int MaxErrorsShown = 20;

void printErr(const QString &text)
{
    std::fprintf(stderr, "%s\n", text.toLocal8Bit().constData());
}
} // namespace

RunCommand::RunCommand(CliOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{}

RunCommand::~RunCommand() = default;

int RunCommand::main(const QStringList &args)
{
    CliOptions options;
    QString error;
    if (!CliParser::parse(args, &options, &error)) {
        printErr(QStringLiteral("brigade: %1\nTry 'brigade --help'.").arg(error));
        return 2;
    }
    if (options.command == CliOptions::Command::Help) {
        std::fputs(CliParser::helpText().toLocal8Bit().constData(), stdout);
        return 0;
    }
    if (options.command == CliOptions::Command::Version) {
        std::printf("brigade %s\n", BRIGADE_VERSION);
        return 0;
    }
    if (options.settings.insecure)
        printErr(RunSettings::insecureWarning());
    RunCommand command(options);
    QObject::connect(&command, &RunCommand::exitRequested, qApp, &QCoreApplication::exit,
                     Qt::QueuedConnection);
    command.start();
    const int status = QCoreApplication::exec();
    // Everything that must reach the disk is written and closed by stop(). A million-task
    // run leaves hundreds of megabytes of tasks behind; the system takes them back at once,
    // where freeing them piece by piece took tens of milliseconds.
    command.stop();
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(status);
}

void RunCommand::stop()
{
    m_engine.reset();
    qDeleteAll(findChildren<QObject *>(Qt::FindDirectChildrenOnly));
}

void RunCommand::start()
{
    QMetaObject::invokeMethod(this, &RunCommand::begin, Qt::QueuedConnection);
}

void RunCommand::fail(const QString &message, int status)
{
    printErr(message);
    emit exitRequested(status);
}

bool RunCommand::loadBatch(std::shared_ptr<TaskStore> *store)
{
    QFile file(m_options.batchPath);
    if (!QFileInfo(m_options.batchPath).isFile() || !file.open(QIODevice::ReadOnly)) {
        fail(QStringLiteral("brigade: cannot read batch file %1: %2")
                     .arg(m_options.batchPath, QFileInfo::exists(m_options.batchPath)
                                                       ? file.errorString()
                                                       : QStringLiteral("no such file")),
             2);
        return false;
    }
    const QByteArray data = file.readAll();
    BatchParser::Options parseOptions;
    parseOptions.maxErrors = MaxErrorsShown;
    Batch batch = BatchParser::parseData(data, m_options.batchPath, parseOptions);
    if (batch.hasErrors()) {
        for (const BatchError &e : std::as_const(batch.errors))
            printErr(e.toString());
        if (batch.errorCount > batch.errors.size())
            printErr(QStringLiteral("... and %1 more problems")
                             .arg(batch.errorCount - batch.errors.size()));
        if (!m_options.skipInvalid) {
            fail(QStringLiteral("brigade: %1 has %2 problem(s); nothing was run (use "
                                "--skip-invalid to run the %3 valid tasks)")
                         .arg(m_options.batchPath)
                         .arg(batch.errorCount)
                         .arg(batch.tasks.size()),
                 2);
            return false;
        }
        printErr(QStringLiteral("brigade: skipping %1 invalid line(s)").arg(batch.errorCount));
    }
    if (batch.mapReduce) { // a MapReduce job: chunks and totals, not a task per line
        auto *job = new MapReduceCommand(m_options, *batch.mapReduce, this);
        connect(job, &MapReduceCommand::exitRequested, this, &RunCommand::exitRequested);
        job->start();
        return false;
    }
    *store = std::make_shared<TaskStore>(std::move(batch.tasks));
    if (m_options.noJournal)
        return true;
    if (m_options.journalPath.isEmpty())
        m_options.journalPath = Journal::defaultPathFor(m_options.batchPath);
    // The engine builds the journal while its workers start; a path it could not use is
    // refused here, before anything runs.
    QString error;
    if (!Journal::checkCreatable(m_options.journalPath, &error)) {
        fail(QStringLiteral("brigade: %1 (use --no-journal to run without one)").arg(error), 2);
        return false;
    }
    m_journalBatch = data;
    printErr(QStringLiteral("brigade: journal %1 (if interrupted: brigade run --resume %1)")
                     .arg(m_options.journalPath));
    return true;
}

bool RunCommand::loadJournal(std::shared_ptr<TaskStore> *store, QVector<int> *finishedRows)
{
    Journal journal;
    QString error;
    if (!journal.open(m_options.journalPath, &error)) {
        fail(QStringLiteral("brigade: %1").arg(error), 2);
        return false;
    }
    const QByteArray data = journal.batchData(&error);
    if (!error.isEmpty()) {
        fail(QStringLiteral("brigade: %1").arg(error), 2);
        return false;
    }
    // The journal's own copy of the batch: the original file may have moved or changed.
    Batch batch = BatchParser::parseData(data, journal.batchPath());
    *store = std::make_shared<TaskStore>(std::move(batch.tasks));
    if (!journal.restore(**store, &error, finishedRows)) {
        fail(QStringLiteral("brigade: %1").arg(error), 2);
        return false;
    }
    if (m_options.command == CliOptions::Command::RetryFailed) {
        const QVector<int> failed = (*store)->rowsWithStatus(TaskStatus::Failed);
        if (!journal.appendReset(failed, &error)) {
            fail(QStringLiteral("brigade: %1").arg(error), 2);
            return false;
        }
        (*store)->write([&](QVector<TaskState> &, TaskStore &s) {
            for (int row : failed)
                s.resetLocked(row);
        });
        finishedRows->removeIf(
                [&](int row) { return (*store)->state(row).status == TaskStatus::Queued; });
        printErr(QStringLiteral("brigade: retrying %1 failed task(s) of %2")
                         .arg(failed.size())
                         .arg(m_options.journalPath));
    } else if (m_options.resume) {
        printErr(QStringLiteral("brigade: resuming %1: %2 of %3 tasks had finished")
                         .arg(m_options.journalPath)
                         .arg(finishedRows->size())
                         .arg((*store)->size()));
    }
    return true;
}

void RunCommand::begin()
{
    std::shared_ptr<TaskStore> store;
    QVector<int> finishedBefore;
    const bool fromJournal = m_options.resume || m_options.command != CliOptions::Command::Run;
    if (fromJournal ? !loadJournal(&store, &finishedBefore) : !loadBatch(&store))
        return;
    m_store = store;

    if (!m_options.outputPath.isEmpty()) {
        QString error;
        if (!m_writer.open(m_options.outputPath, &error))
            return fail(QStringLiteral("brigade: %1").arg(error), 2);
        m_writing = true;
        // One record per task of the whole batch: those finished before come from the journal.
        m_writer.write(*store, finishedBefore);
    }
    if (m_options.command == CliOptions::Command::Export) {
        QString error;
        if (!m_writer.close(&error))
            return fail(QStringLiteral("brigade: writing %1 failed: %2")
                                .arg(m_options.outputPath, error),
                        2);
        printErr(QStringLiteral("brigade: wrote %1 records of %2 tasks to %3")
                         .arg(m_writer.written())
                         .arg(store->size())
                         .arg(m_options.outputPath));
        emit exitRequested(0);
        return;
    }

    ProgressView::Mode mode = ProgressView::Mode::Plain;
    switch (m_options.progress) {
    case CliOptions::Progress::Auto:
        mode = ::isatty(STDERR_FILENO) ? ProgressView::Mode::Live : ProgressView::Mode::Plain;
        break;
    case CliOptions::Progress::Live:
        mode = ProgressView::Mode::Live;
        break;
    case CliOptions::Progress::Plain:
        mode = ProgressView::Mode::Plain;
        break;
    case CliOptions::Progress::None:
        mode = ProgressView::Mode::None;
        break;
    }
    m_view = std::make_unique<ProgressView>(mode, stderr, m_options.plainIntervalMs);

    m_engine = std::make_unique<Engine>();
    connect(m_engine.get(), &Engine::progress, this,
            [this](const RunStats &s) { m_view->update(s); });
    connect(m_engine.get(), &Engine::loadSampled, this,
            [this](const LoadSample &l) { m_view->setLoad(l); });
    connect(m_engine.get(), &Engine::workerMessage, this, [this](int, const QString &m) {
        m_view->message(QStringLiteral("brigade: %1").arg(m));
    });
    connect(m_engine.get(), &Engine::message, this,
            [this](const QString &m) { m_view->message(QStringLiteral("brigade: %1").arg(m)); });
    connect(m_engine.get(), &Engine::tasksFinished, this, [this](const QVector<int> &rows) {
        if (m_writing)
            m_writer.write(*m_engine->store(), rows);
    });
    connect(m_engine.get(), &Engine::finished, this, &RunCommand::onFinished);

    auto *interrupts = new InterruptWatcher(this);
    connect(interrupts, &InterruptWatcher::interrupted, this, [this](int count) {
        if (count == 1) {
            m_view->message(QStringLiteral("brigade: interrupted; cancelling (press Ctrl-C "
                                           "again to quit at once)"));
            m_engine->cancel();
        } else {
            ::_exit(130);
        }
    });
    RunSettings settings = m_options.settings;
    if (!m_options.noJournal) {
        settings.journalPath = m_options.journalPath;
        if (!fromJournal) {
            settings.createJournal = true;
            settings.journalBatchPath = m_options.batchPath;
            settings.journalBatchData = std::exchange(m_journalBatch, QByteArray());
        }
        settings.journalRunKind = m_options.resume ? QStringLiteral("resume")
                                  : m_options.command == CliOptions::Command::RetryFailed
                                          ? QStringLiteral("retry-failed")
                                          : QStringLiteral("run");
    }
    m_engine->start(store, settings);
}

void RunCommand::onFinished(const RunStats &stats)
{
    m_view->finish(stats);
    if (m_writing) {
        QString error;
        if (!m_writer.close(&error))
            printErr(QStringLiteral("brigade: writing %1 failed: %2")
                             .arg(m_options.outputPath, error));
        else
            printErr(QStringLiteral("brigade: wrote %1 records to %2")
                             .arg(m_writer.written())
                             .arg(m_options.outputPath));
    }
    emit exitRequested(stats.succeeded == stats.total ? 0 : 1);
}

} // namespace Brigade
