#include "RunCommand.h"

#include "FailureReport.h"
#include "FinishHook.h"
#include "InterruptWatcher.h"
#include "JournalsCommand.h"
#include "MapReduceCommand.h"
#include "OutputPaths.h"
#include "SubmitCommand.h"
#include "job/Job.h"
#include "journal/Journal.h"
#include "run/RunSettingsRules.h"
#include "session/FinishCommand.h"
#include "session/SubmitServer.h"
#include "session/TaskFeed.h"
#include "usercode/CommandLineBatch.h"

#include <QCoreApplication>
#include <QDir>
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
        std::fputs(CliParser::helpText(options.helpCommand).toLocal8Bit().constData(), stdout);
        return 0;
    }
    if (options.command == CliOptions::Command::Journals)
        return JournalsCommand::run(options);
    if (options.command == CliOptions::Command::Submit)
        return SubmitCommand::run(options);
    if (options.command == CliOptions::Command::Version) {
        std::printf("brigade %s\n", BRIGADE_VERSION);
        return 0;
    }
    if (options.settings.insecure)
        printErr(RunSettings::insecureWarning());
    options.settings.keepTimeline = false; // no view here shows one
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
    m_session.reset();
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

bool RunCommand::openFed()
{
    // brigade run - and --follow FILE: no tasks yet; they come while the run goes.
    const QString &follow = m_options.followPath;
    if (!follow.isEmpty() && !QFileInfo(follow).isFile()) {
        fail(QStringLiteral("brigade: cannot follow %1: %2")
                     .arg(follow, QFileInfo::exists(follow) ? QStringLiteral("not a file")
                                                            : QStringLiteral("no such file")),
             2);
        return false;
    }
    m_session->setJournalling(!m_options.noJournal);
    m_session->setJournalPath(m_options.journalPath);
    m_session->adopt(
            RunSession::openFeed(CommandLineBatch::nameFor(follow.isEmpty() ? "-" : follow)));
    return true;
}

void RunCommand::explain(const ResumePlan &plan, const TaskStore &store)
{
    std::printf("%s\n", plan.summary().toLocal8Bit().constData());
    const qint64 lines = qMin<qint64>(m_options.explain, store.size());
    for (int row = 0; row < lines; ++row)
        std::printf("%s\n", plan.explain(row, store).toLocal8Bit().constData());
    if (lines < store.size() && m_options.explain > 0)
        std::printf("... and %lld more (--explain=all lists every task)\n",
                    static_cast<long long>(store.size() - lines));
    std::fflush(stdout);
    emit exitRequested(0);
}

bool RunCommand::openEdited()
{
    const QString &batch = m_options.batchPath;
    QString journal = m_options.journalPath;
    if (journal.isEmpty()) {
        journal = RunSession::lastJournalOf(batch);
        if (journal.isEmpty()) {
            fail(QStringLiteral("brigade: no journal of an earlier run of %1 (name one: brigade "
                                "run %1 --resume JOURNAL)")
                         .arg(batch),
                 2);
            return false;
        }
    }
    const ResumePlan::Mode mode = m_options.command == CliOptions::Command::RetryFailed
                                          ? ResumePlan::Mode::RetryFailed
                                          : ResumePlan::Mode::Resume;
    OpenOptions options;
    options.maxErrors = MaxErrorsShown;
    Result<OpenedRun> opened = RunSession::openEdited(batch, journal, mode, options);
    if (!opened) {
        fail(QStringLiteral("brigade: %1").arg(opened.error()), 2);
        return false;
    }
    const Batch &parsed = *opened->batch;
    if (parsed.hasErrors()) {
        for (const BatchError &e : parsed.errors)
            printErr(e.toString());
        if (!m_options.skipInvalid) {
            fail(QStringLiteral("brigade: %1 has %2; nothing was run (use --skip-invalid to "
                                "run its valid tasks)")
                         .arg(batch,
                              ProgressView::counted(parsed.errorCount, "problem", "problems")),
                 2);
            return false;
        }
    }
    if (m_options.explain >= 0) {
        printErr(QStringLiteral("brigade: %1 against %2").arg(batch, journal));
        explain(*opened->resumePlan, *opened->store);
        return false;
    }
    const QString path = m_options.newJournalPath.isEmpty() ? Journal::defaultPathFor(batch)
                                                            : m_options.newJournalPath;
    if (const Status made = RunSession::makeEditedJournal(&*opened, path); !made) {
        fail(QStringLiteral("brigade: %1").arg(made.error()), 2);
        return false;
    }
    printErr(QStringLiteral("brigade: %1 against %2: %3")
                     .arg(batch, journal, opened->resumePlan->summary()));
    m_session->setJournalling(true);
    m_session->adopt(std::move(*opened));
    return true;
}

bool RunCommand::open()
{
    if (m_options.isFed())
        return openFed();
    if (m_options.edited)
        return openEdited();
    const bool fromJournal = m_options.resume || m_options.command != CliOptions::Command::Run;
    const QString path = fromJournal ? m_options.journalPath : m_options.batchPath;
    OpenOptions options;
    options.maxErrors = MaxErrorsShown;
    options.findEarlierRun = !fromJournal;
    // The run starts at once: its journal copies the batch from the file (checked against
    // what was parsed) rather than from a copy this process would hold all run long.
    options.readBatchBack = !fromJournal;
    Result<OpenedRun> opened
            = m_options.commandLine.isEmpty()
                      ? RunSession::open(path, options)
                      : RunSession::openCommandLine(m_options.batchPath, m_options.commandLine,
                                                    QDir::currentPath(), options);
    if (!opened) {
        fail(QStringLiteral("brigade: %1").arg(opened.error()), 2);
        return false;
    }
    if (fromJournal && !opened->isJournal()) {
        fail(QStringLiteral("brigade: %1 is not a run journal (to run a batch file: brigade run "
                            "%1)")
                     .arg(path),
             2);
        return false;
    }
    if (fromJournal && m_options.explain >= 0 && opened->isJournal()) {
        // The journal's own batch, as it ran: what a resume or a retry of it runs.
        const ResumePlan plan
                = ResumePlan::make(*opened->store, opened->finishedAtMs, *opened->store,
                                   m_options.command == CliOptions::Command::RetryFailed
                                           ? ResumePlan::Mode::RetryFailed
                                           : ResumePlan::Mode::Resume);
        explain(plan, *opened->store);
        return false;
    }
    if (!fromJournal && opened->isJournal()) {
        fail(QStringLiteral("brigade: %1 is a run journal, not a batch (to continue it: brigade "
                            "run --resume %1)")
                     .arg(path),
             2);
        return false;
    }
    const Batch &batch = *opened->batch;
    // A journal's batch ran once, so its only problems are credentials' environment
    // variables not set here: their tasks are kept, and fail saying which is missing.
    if (batch.hasErrors() && fromJournal) {
        if (m_options.command != CliOptions::Command::Export) {
            for (const BatchError &e : batch.errors)
                printErr(e.toString());
        }
    } else if (batch.hasErrors()) {
        for (const BatchError &e : batch.errors)
            printErr(e.toString());
        if (batch.errorCount > batch.errors.size())
            printErr(QStringLiteral("... and %1")
                             .arg(ProgressView::counted(batch.errorCount - batch.errors.size(),
                                                        "more problem", "more problems")));
        const qint64 valid = opened->store->size();
        if (!m_options.skipInvalid) {
            // The way on only when there is one: no "run the 0 valid tasks".
            const QString hint = valid > 0 ? QStringLiteral(" (use --skip-invalid to run the %1)")
                                                     .arg(ProgressView::counted(valid, "valid task",
                                                                                "valid tasks"))
                                           : QString();
            fail(QStringLiteral("brigade: %1 has %2; nothing was run%3")
                         .arg(path, ProgressView::counted(batch.errorCount, "problem", "problems"),
                              hint),
                 2);
            return false;
        }
        printErr(QStringLiteral("brigade: skipping %1")
                         .arg(ProgressView::counted(batch.errorCount, "invalid line",
                                                    "invalid lines")));
    }
    if (!fromJournal && !opened->isMapReduce() && opened->store->size() == 0) {
        // Nothing to run is not a success: the user meant something else.
        fail(batch.hasErrors()
                     ? QStringLiteral("brigade: %1 has no valid task; nothing was run").arg(path)
                     : QStringLiteral("brigade: %1 has no tasks (it is empty or blank); nothing "
                                      "was run")
                               .arg(path),
             2);
        return false;
    }
    if (!opened->earlierJournal.isEmpty())
        printErr(QStringLiteral("brigade: an earlier run of this batch stopped with %1 of %2 "
                                "tasks unfinished; this run starts over (to continue that one "
                                "instead: brigade run --resume %3)")
                         .arg(opened->earlierOpenTasks)
                         .arg(opened->store->size())
                         .arg(opened->earlierJournal));
    m_session->setJournalling(!m_options.noJournal);
    m_session->setJournalPath(m_options.journalPath);
    m_session->adopt(std::move(*opened));
    return true;
}

QList<OutputPaths::Input> RunCommand::inputs() const
{
    const OpenedRun &opened = m_session->opened();
    QList<OutputPaths::Input> in;
    const bool fromJournal = !opened.journalPath.isEmpty();
    if (!m_options.followPath.isEmpty()) {
        in.append({m_options.followPath, QStringLiteral("the file followed")});
    } else if (!m_options.commandLine.isEmpty()) {
        // LIST -- PROG: the list is the input; the batch made of it is no file.
        if (m_options.batchPath != u"-")
            in.append({m_options.batchPath, QStringLiteral("the list of inputs")});
    } else {
        in.append({opened.batchPath, fromJournal
                                             ? QStringLiteral("the batch the journal was made from")
                                             : QStringLiteral("the batch")});
    }
    in.append({m_options.journalPath, QStringLiteral("the journal")});
    if (opened.isMapReduce()) {
        for (const QString &path : opened.batch->mapReduce->inputs)
            in.append({path, QStringLiteral("an input of the job")});
    }
    return in;
}

Result<Job *> RunCommand::startJob()
{
    const QString journal = m_session->journalPath();
    if (m_options.edited)
        return m_session->resume(m_options.settings); // the plan said what runs
    if (m_options.command == CliOptions::Command::RetryFailed
        && (!m_options.groups.isEmpty() || !m_options.change.isEmpty()))
        return retryChosen();
    if (m_options.command == CliOptions::Command::RetryFailed) {
        printErr(
                QStringLiteral("brigade: retrying %1 of %2")
                        .arg(ProgressView::counted(m_session->store()->counts()[TaskStatus::Failed],
                                                   "failed task", "failed tasks"),
                             journal));
        return m_session->retryFailed(m_options.settings);
    }
    if (!m_options.isFed() && !m_session->isMapReduce()) {
        // Other processes may add tasks while it runs (brigade submit).
        // It ends with its run: the program exits then, so a run that ended is not reopened.
        m_session->setIntake(RunSession::intakeNameFor(m_session->opened().batchPath),
                             m_options.maxQueued);
    }
    if (m_options.resume) {
        const qint64 total = m_session->store()->size();
        printErr(QStringLiteral("brigade: resuming %1: %2 of %3 tasks had finished")
                         .arg(journal)
                         .arg(total - m_session->unfinishedTasks())
                         .arg(total));
        return m_session->resume(m_options.settings);
    }
    // Finished tasks leave memory once written out and journaled: nothing here looks at a
    // finished row after its progress update. A stream may be endless; a batch of a million
    // tasks then holds the states of those in flight, not 80 MB of every task's.
    m_session->setRetireFinished(true);
    Result<Job *> job = m_options.isFed() ? m_session->runFeed(feedSource(), m_options.settings)
                                          : m_session->run(m_options.settings);
    if (job && !m_session->journalPath().isEmpty())
        printErr(QStringLiteral("brigade: journal %1 (if interrupted: brigade run --resume %1)")
                         .arg(m_session->journalPath()));
    if (job && m_session->submitServer())
        printErr(QStringLiteral("brigade: taking more tasks while it runs: brigade submit --to %1 "
                                "FILE")
                         .arg(QFileInfo(m_session->submitServer()->serverPath()).fileName()));
    return job;
}

Result<QVector<int>> RunCommand::chosenRows() const
{
    if (m_options.groups.isEmpty())
        return m_session->store()->rowsWithStatus(TaskStatus::Failed);
    const FailureSummary failures = m_session->failures();
    QVector<int> ids;
    for (int n : std::as_const(m_options.groups)) {
        if (n > failures.groups.size())
            return Result<QVector<int>>::failure(
                    QStringLiteral("there is no failure group %1 (%2 has %3; see brigade "
                                   "failures %2)")
                            .arg(n)
                            .arg(m_session->journalPath())
                            .arg(ProgressView::counted(failures.groups.size(), "group", "groups")));
        ids += failures.groups[n - 1].ids;
    }
    const OpenedRun &opened = m_session->opened();
    return opened.failures ? opened.failures->rowsOf(ids) : QVector<int>();
}

int RunCommand::exitStatus(const StatusCounts &c)
{
    return c[TaskStatus::Succeeded] + c[TaskStatus::Skipped] == c.total() ? 0 : 1;
}

void RunCommand::skipChosen()
{
    // brigade skip JOURNAL --reason TEXT [--group N]: the chosen failed tasks given up on,
    // journaled; the exit status says whether the run is clean now.
    const Result<QVector<int>> rows = chosenRows();
    if (!rows)
        return fail(QStringLiteral("brigade: %1").arg(rows.error()), 2);
    if (rows->isEmpty()) {
        printErr(QStringLiteral("brigade: no failed tasks to skip in %1")
                         .arg(m_session->journalPath()));
        emit exitRequested(exitStatus(m_session->store()->counts()));
        return;
    }
    connect(m_session.get(), &RunSession::tasksSkipped, this, [this](const QVector<int> &skipped) {
        const StatusCounts c = m_session->store()->counts();
        printErr(QStringLiteral("brigade: skipped %1 of %2 (%3); now %4 succeeded, %5 failed, "
                                "%6 skipped, %7 not finished")
                         .arg(ProgressView::counted(skipped.size(), "task", "tasks"),
                              m_session->journalPath(), m_options.reason,
                              ProgressView::count(c[TaskStatus::Succeeded]),
                              ProgressView::count(c[TaskStatus::Failed]),
                              ProgressView::count(c[TaskStatus::Skipped]),
                              ProgressView::count(c.total() - c[TaskStatus::Succeeded]
                                                  - c[TaskStatus::Failed]
                                                  - c[TaskStatus::Skipped])));
        emit exitRequested(exitStatus(c));
    });
    if (const Status ok = m_session->skipTasks(*rows, m_options.reason); !ok)
        return fail(QStringLiteral("brigade: %1").arg(ok.error()), 2);
}

Result<Job *> RunCommand::retryChosen()
{
    // retry-failed --group N --set-...: the failed tasks of the groups named (all failed
    // tasks without --group), with their specs changed (journaled) or as they are.
    const Result<QVector<int>> chosen = chosenRows();
    if (!chosen)
        return Result<Job *>::failure(chosen.error());
    const QVector<int> rows = *chosen;
    const QString change = m_options.change.isEmpty()
                                   ? QString()
                                   : QStringLiteral(" with %1").arg(m_options.change.describe());
    printErr(QStringLiteral("brigade: retrying %1 of %2%3")
                     .arg(ProgressView::counted(rows.size(), "failed task", "failed tasks"),
                          m_session->journalPath(), change));
    if (m_options.change.isEmpty())
        return m_session->retrySelected(rows, m_options.settings);
    return m_session->retryChanged(rows, m_options.change, m_options.settings);
}

FeedSource RunCommand::feedSource() const
{
    FeedSource source;
    if (m_options.followPath.isEmpty()) {
        source.fd = STDIN_FILENO;
        source.name = QStringLiteral("<stdin>");
    } else {
        source.path = m_options.followPath;
        source.name = m_options.followPath;
    }
    source.command = m_options.commandLine;
    source.cwd = QDir::currentPath();
    source.maxQueued = m_options.maxQueued;
    source.skipInvalid = m_options.skipInvalid;
    return source;
}

void RunCommand::onFeedEnded(qint64 accepted, qint64 rejected, const QString &error)
{
    const QString name = m_session->feed() ? m_session->feed()->source().name : QString();
    if (!error.isEmpty()) {
        m_feedFailed = true;
        m_view->message(QStringLiteral("brigade: %1; the %2 taken run to their end")
                                .arg(error, ProgressView::counted(accepted, "task", "tasks")));
    } else if (rejected > 0 && !m_options.skipInvalid) {
        m_feedFailed = true;
        m_view->message(QStringLiteral("brigade: stopped reading %1 at its bad line (use "
                                       "--skip-invalid to skip bad lines and read on); the %2 "
                                       "taken run to their end")
                                .arg(name, ProgressView::counted(accepted, "task", "tasks")));
    } else if (rejected > 0) {
        m_view->message(
                QStringLiteral("brigade: skipped %1 of %2")
                        .arg(ProgressView::counted(rejected, "invalid line", "invalid lines"),
                             name));
    }
}

void RunCommand::begin()
{
    m_session = std::make_unique<RunSession>();
    if (!open())
        return;
    if (m_options.command == CliOptions::Command::Failures) {
        if (m_session->isMapReduce())
            return fail(QStringLiteral("brigade: a MapReduce job has no task failures to list"), 2);
        return listFailures();
    }
    if (m_options.command == CliOptions::Command::Skip)
        return skipChosen();
    if (m_options.command != CliOptions::Command::Export) {
        // What the window's settings refuse, the command line refuses too, before any run.
        const QList<RunSettingsRules::Problem> missing
                = RunSettingsRules::checkEnvironment(m_options.settings);
        if (!missing.isEmpty())
            return fail(QStringLiteral("brigade: %1").arg(missing.first().message), 2);
    }
    if (!m_options.outputPath.isEmpty()) {
        const QString refused = OutputPaths::check(m_options.outputPath, inputs());
        if (!refused.isEmpty())
            return fail(QStringLiteral("brigade: %1").arg(refused), 2);
    }
    if (m_session->isMapReduce()) { // a MapReduce job: chunks and totals, not a task per line
        auto *job = new MapReduceCommand(m_options, m_session.get(), this);
        // A job that ran ends as a run does: the bell and --on-finish, the job as one task.
        connect(job, &MapReduceCommand::exitRequested, this, [this, job](int status) {
            if (!job->result() || (m_options.onFinish.isEmpty() && !m_options.bell)) {
                emit exitRequested(status);
                return;
            }
            auto *hook = new FinishHook(this);
            connect(hook, &FinishHook::done, this, [this, status] { emit exitRequested(status); });
            hook->run(m_options.onFinish, m_options.bell, FinishCommand::jobStats(*job->result()),
                      QString(), status);
        });
        job->start();
        return;
    }
    const std::shared_ptr<TaskStore> store = m_session->store();
    if (!m_options.outputPath.isEmpty()) {
        QString error;
        if (!m_writer.open(m_options.outputPath, &error))
            return fail(QStringLiteral("brigade: %1").arg(error), 2);
        m_writing = true;
    }
    if (m_options.command == CliOptions::Command::Export) {
        m_writer.write(*store, m_session->opened().finishedRows);
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

    RunSession *s = m_session.get();
    connect(s, &RunSession::progress, this, [this](const RunStats &st) {
        if (st.failed > m_failedSeen) // the rows that just finished hold the latest failure
            noteFailure(m_lastFinished);
        m_failedSeen = st.failed;
        m_view->update(st);
    });
    connect(s, &RunSession::loadSampled, this, [this](const LoadSample &l) { m_view->setLoad(l); });
    connect(s, &RunSession::workerMessage, this, [this](int, const QString &m) {
        m_view->message(QStringLiteral("brigade: %1").arg(m));
    });
    connect(s, &RunSession::message, this,
            [this](const QString &m) { m_view->message(QStringLiteral("brigade: %1").arg(m)); });
    connect(s, &RunSession::tasksFinished, this, [this](const QVector<int> &rows) {
        if (m_writing)
            m_writer.write(*m_session->store(), rows);
        m_lastFinished = rows;
        if (!m_running.isEmpty()) {
            for (int row : rows)
                m_running.remove(row);
        }
    });
    // Running commands are shown only in the live view.
    if (mode == ProgressView::Mode::Live)
        connect(s, &RunSession::tasksChanged, this, &RunCommand::noteChanged);
    connect(s, &RunSession::finished, this, &RunCommand::onFinished);
    connect(s, &RunSession::feedLineRejected, this,
            [this](const BatchError &e) { m_view->message(e.toString()); });
    connect(s, &RunSession::feedEnded, this, &RunCommand::onFeedEnded);

    auto *interrupts = new InterruptWatcher(this);
    connect(interrupts, &InterruptWatcher::interrupted, this, [this](int count) {
        if (count == 1) {
            m_view->message(QStringLiteral("brigade: interrupted; cancelling (press Ctrl-C "
                                           "again to quit at once)"));
            if (Job *job = m_session->job())
                job->kill();
        } else {
            ::_exit(130);
        }
    });
    const Result<Job *> job = startJob();
    if (!job) {
        const bool journal = !m_options.noJournal;
        return fail(QStringLiteral("brigade: %1%2")
                            .arg(job.error(), journal ? QStringLiteral(" (use --no-journal to "
                                                                       "run without one)")
                                                      : QString()),
                    2);
    }
    // One record per task of the whole batch: those finished before (and not run again)
    // come from the journal.
    if (m_writing && !m_options.onlyRetried)
        m_writer.write(*store, m_session->earlierResults());
}

void RunCommand::noteFailure(const QVector<int> &rows)
{
    // The latest failure, with what a command said about it. One look under the store's
    // lock, and only when the run's count of failures went up.
    const TaskStore &store = *m_session->store();
    int failed = -1;
    qint64 failures = 0;
    store.read([&](const TaskStates &states) {
        for (int row : rows) {
            if (states[row].status == TaskStatus::Failed) {
                failed = row;
                ++failures;
            }
        }
    });
    if (failed < 0)
        return;
    const ProcessOutcome p = store.process(failed);
    QString line = QStringLiteral("%1: %2").arg(store.spec(failed).id, store.state(failed).message);
    if (!p.command.isEmpty())
        line += QStringLiteral(" (%1)").arg(p.command);
    m_view->setLastFailure(line, failures);
}

void RunCommand::noteChanged(const QVector<int> &rows)
{
    // Commands and calls now running, for the live view: a few rows of each update are
    // enough (the view shows four).
    const TaskStore &store = *m_session->store();
    for (qsizetype i = 0; i < rows.size() && i < 256; ++i) {
        const int row = rows[i];
        const ProcessOutcome p = store.process(row);
        if (p.command.isEmpty() || store.state(row).status != TaskStatus::Running) {
            m_running.remove(row);
            continue;
        }
        const QByteArray last = p.lastStderrLine();
        m_running.insert(
                row, last.isEmpty()
                             ? p.command
                             : QStringLiteral("%1 -- %2").arg(p.command, QString::fromUtf8(last)));
    }
    QStringList lines;
    for (auto it = m_running.cbegin(); it != m_running.cend() && lines.size() < 4; ++it)
        lines << it.value().left(160);
    m_view->setRunning(lines);
}

void RunCommand::onFinished(const RunStats &stats)
{
    m_view->finish(stats);
    bool written = false;
    if (m_writing) {
        QString error;
        written = m_writer.close(&error);
        if (!written)
            printErr(QStringLiteral("brigade: writing %1 failed: %2")
                             .arg(m_options.outputPath, error));
        else if (m_options.command != CliOptions::Command::RetryFailed)
            printErr(QStringLiteral("brigade: wrote %1 to %2")
                             .arg(ProgressView::counted(m_writer.written(), "record", "records"),
                                  m_options.outputPath));
        else if (m_options.onlyRetried)
            printErr(QStringLiteral("brigade: wrote %1 to %2: the retried tasks only (without "
                                    "--only-retried: every task of the run)")
                             .arg(ProgressView::counted(m_writer.written(), "record", "records"),
                                  m_options.outputPath));
        else
            printErr(QStringLiteral("brigade: wrote %1 to %2: every task of the run, the "
                                    "retried as they ended now and the others as the journal "
                                    "has them (--only-retried writes the retried alone)")
                             .arg(ProgressView::counted(m_writer.written(), "record", "records"),
                                  m_options.outputPath));
    }
    printSummary(stats, written);
    // A bad line in a feed is bad input, whatever the tasks did.
    const int status = m_feedFailed ? 2 : stats.exitStatus();
    if (m_options.onFinish.isEmpty() && !m_options.bell) {
        emit exitRequested(status);
        return;
    }
    auto *hook = new FinishHook(this);
    connect(hook, &FinishHook::done, this, [this, status] { emit exitRequested(status); });
    hook->run(m_options.onFinish, m_options.bell, stats, m_session->journalPath(), status);
}

void RunCommand::listFailures()
{
    // brigade failures JOURNAL: every group, with when and where, on stdout.
    const std::shared_ptr<TaskStore> store = m_session->store();
    const FailureSummary failures = m_session->failures();
    const qint64 failed = store->counts()[TaskStatus::Failed];
    std::printf("%s: %s, %s failed\n", m_session->journalPath().toLocal8Bit().constData(),
                ProgressView::counted(store->size(), "task", "tasks").toLocal8Bit().constData(),
                ProgressView::count(failed).toLocal8Bit().constData());
    FailureReport::Options report;
    report.columns = ::isatty(STDOUT_FILENO) ? ProgressView::terminalColumns(STDOUT_FILENO) : 100;
    report.maxGroups = -1;
    report.details = true;
    const QStringList lines = FailureReport::lines(failures, report);
    for (const QString &line : lines)
        std::printf("%s\n", line.toLocal8Bit().constData());
    if (failed > 0)
        std::printf("retry the failed: brigade retry-failed %s\n"
                    "retry a group, changed: brigade retry-failed %s --group N [--set-host "
                    "HOST[:PORT]] [--set-header 'NAME: VALUE'] [--set-timeout-ms MS]\n",
                    m_session->journalPath().toLocal8Bit().constData(),
                    m_session->journalPath().toLocal8Bit().constData());
    std::fflush(stdout);
    emit exitRequested(0);
}

void RunCommand::printSummary(const RunStats &stats, bool written)
{
    // What a run ends with, on stdout: counts, the top causes of failure with an example
    // each, where the journal and the results are, and the commands that go on from here.
    const int fd = ::isatty(STDOUT_FILENO) ? STDOUT_FILENO : STDERR_FILENO;
    const int columns = qMax(
            40, ProgressView::terminalColumns(fd) > 0 ? ProgressView::terminalColumns(fd) : 80);
    QStringList out;
    QStringList counts{QStringLiteral("%1 succeeded").arg(ProgressView::count(stats.succeeded)),
                       QStringLiteral("%1 failed").arg(ProgressView::count(stats.failed))};
    if (stats.skipped)
        counts << QStringLiteral("%1 skipped").arg(ProgressView::count(stats.skipped));
    if (stats.cancelled)
        counts << QStringLiteral("%1 cancelled").arg(ProgressView::count(stats.cancelled));
    const qint64 open = stats.total - stats.finished();
    if (open > 0)
        counts << QStringLiteral("%1 not run").arg(ProgressView::count(open));
    out << QStringLiteral("brigade: %1 in %2: %3")
                    .arg(ProgressView::counted(stats.total, "task", "tasks"),
                         ProgressView::formatDuration(stats.elapsedMs),
                         counts.join(QStringLiteral(", ")));
    const QString journal = m_session->journalPath();
    FailureReport::Options report;
    report.columns = columns;
    report.journal = journal;
    if (stats.failed > 0)
        out << FailureReport::lines(m_session->failures(), report);
    if (!journal.isEmpty())
        out << QStringLiteral("journal: %1").arg(journal);
    if (written)
        out << QStringLiteral("results: %1 (%2)")
                        .arg(m_options.outputPath,
                             ProgressView::counted(m_writer.written(), "record", "records"));
    const QString output = m_options.outputPath.isEmpty()
                                   ? QString()
                                   : QStringLiteral(" -o %1").arg(m_options.outputPath);
    if (!journal.isEmpty() && stats.failed > 0)
        out << QStringLiteral("retry the failed: brigade retry-failed %1%2").arg(journal, output);
    if (!journal.isEmpty() && stats.cancelled + open > 0)
        out << QStringLiteral("run the rest: brigade run --resume %1%2").arg(journal, output);
    std::fputs(out.join(QLatin1Char('\n')).append(QLatin1Char('\n')).toLocal8Bit().constData(),
               stdout);
    std::fflush(stdout);
}

} // namespace Brigade
