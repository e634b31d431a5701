#include "RunSession.h"

#include "IntakeStream.h"
#include "JournalWait.h"
#include "SubmitIntake.h"
#include "SubmitServer.h"
#include "TaskFeed.h"
#include "TaskRunJob.h"
#include "UrlListLines.h"
#include "batch/BatchParser.h"
#include "core/HugePages.h"
#include "core/MappedFile.h"
#include "journal/Journal.h"
#include "mapreduce/MapReduceJob.h"
#include "run/Engine.h"
#include "run/FeedGate.h"
#include "usercode/CommandLineBatch.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QtConcurrent/QtConcurrentRun>

#include <numeric>

namespace Brigade {

Q_LOGGING_CATEGORY(lcSession, "brigade.session", QtInfoMsg)

namespace {

constexpr int JournalsLookedAt = 5;

// The newest journal in the default directory of a run of this very batch (same path,
// same bytes) that left tasks unfinished.
QString unfinishedJournalFor(const QString &batchPath, const BatchBytes &bytes, qint64 *openTasks)
{
    const QString absolute = QFileInfo(batchPath).absoluteFilePath();
    for (const QString &path : Journal::journalsNamedFor(batchPath).mid(0, JournalsLookedAt)) {
        Journal journal;
        QString error;
        if (!journal.open(path, &error) || journal.batchPath() != absolute)
            continue;
        const qint64 open = journal.openTasks();
        if (open <= 0)
            continue;
        if (!bytes.sameAs(journal.batchData(&error)))
            continue; // the file changed since: that run was of another batch
        *openTasks = open;
        return path;
    }
    return {};
}

Result<OpenedRun> openJournal(const QString &path, const OpenOptions &options)
{
    OpenedRun opened;
    opened.path = path;
    // The Journal (a QSqlDatabase connection) lives and dies in this thread.
    Journal journal;
    QString error;
    if (!journal.open(path, &error))
        return Result<OpenedRun>::failure(error);
    const QByteArray data = journal.batchData(&error);
    if (!error.isEmpty())
        return Result<OpenedRun>::failure(error);
    BatchParser::Options parse;
    parse.maxErrors = options.maxErrors;
    parse.cancel = options.cancel;
    parse.progress = options.progress;
    // The journal's own copy of the batch: the original may have moved or changed.
    opened.batch
            = std::make_shared<Batch>(BatchParser::parseData(data, journal.batchPath(), parse));
    opened.batchPath = journal.batchPath();
    if (opened.batch->cancelled || (options.cancel && options.cancel->load())) {
        opened.cancelled = true;
        opened.batch->tasks = {};
        return opened;
    }
    // Built here, before any engine sees it: restoring is this store's first writer.
    opened.store = std::make_shared<TaskStore>(std::move(opened.batch->tasks));
    opened.batch->tasks = {};
    QVector<qint64> &finishedAt = opened.finishedAtMs;
    if (!journal.restore(*opened.store, &error, &opened.finishedRows, &finishedAt))
        return Result<OpenedRun>::failure(error);
    // Retries with changes: the tasks run with their changed specs from now on.
    const QList<JournalEdit> edits = journal.edits(&error);
    if (!error.isEmpty())
        return Result<OpenedRun>::failure(error);
    for (const JournalEdit &edit : edits) {
        const Result<SpecChange> change = SpecChange::fromJson(edit.change);
        if (!change)
            return Result<OpenedRun>::failure(
                    QStringLiteral("journal %1 holds a change Brigade cannot make: %2")
                            .arg(path, change.error()));
        opened.store->write([&](TaskStates &, TaskStore &s) {
            for (int row : edit.rows) {
                if (row >= 0 && row < s.size())
                    s.setShapeLocked(row, change->apply(s.spec(row), s.shapeLocked(row)));
            }
        });
    }
    opened.failures = std::make_shared<const FailureGroups>(
            FailureGroups::fromStore(*opened.store, finishedAt, journal.workerHosts()));
    opened.journalPath = path;
    return opened;
}

Result<OpenedRun> openBatchData(OpenedRun opened, const OpenOptions &options);

// All of an open file, read in one piece of the file's size: readAll() grows its buffer by
// doubling, which for a 55 MB batch held 67 MB.
QByteArray readWhole(QFile &file)
{
    const qint64 size = file.isSequential() ? 0 : file.size();
    if (size <= 0)
        return file.readAll();
    QByteArray data(size, Qt::Uninitialized); // resize() would round up
    HugePages::advise(data.data(), size_t(size));
    const qint64 got = file.read(data.data(), size);
    data.truncate(qMax<qint64>(0, got));
    if (got == size)
        data += file.readAll(); // grown since its size was read
    return data;
}

Result<OpenedRun> openBatch(const QString &path, const OpenOptions &options)
{
    OpenedRun opened;
    opened.path = path;
    opened.batchPath = QFileInfo(path).absoluteFilePath();
    // A front end that runs the batch at once parses it in place: its journal reads the
    // copy back from the file (checked), so no copy of the batch is made at all.
    MappedFile mapped;
    if (options.readBatchBack && mapped.map(path)) {
        opened.batchData = QByteArray::fromRawData(mapped.bytes().data(), mapped.bytes().size());
    } else {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return Result<OpenedRun>::failure(
                    QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        opened.batchData = readWhole(file);
        if (file.error() != QFileDevice::NoError)
            return Result<OpenedRun>::failure(
                    QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    }
    Result<OpenedRun> parsed = openBatchData(std::move(opened), options);
    if (parsed && options.readBatchBack) {
        if (!parsed->batchData.isEmpty())
            parsed->batchBytes = BatchBytes::readBack(parsed->batchPath, parsed->batchData);
        parsed->batchData = {}; // before the mapping ends
    }
    return parsed;
}

BatchParser::Options parseOptions(const OpenOptions &options)
{
    BatchParser::Options parse;
    parse.maxErrors = options.maxErrors;
    parse.cancel = options.cancel;
    parse.progress = options.progress;
    return parse;
}

// The rest of opening a batch, once opened.batch is parsed.
Result<OpenedRun> openParsed(OpenedRun opened, const OpenOptions &options)
{
    const QString path = opened.path;
    if (opened.batch->cancelled || (options.cancel && options.cancel->load())) {
        opened.cancelled = true;
        opened.batch->tasks = {};
        opened.batchData = {};
        return opened;
    }
    opened.store = std::make_shared<TaskStore>(std::move(opened.batch->tasks));
    opened.batch->tasks = {};
    if (!options.readBatchBack) {
        // A front end that may show the run (the window) gets every task's state made now,
        // on the opening thread: made as the run writes them, under the store's write lock,
        // the first touch of their memory would hold up the GUI thread's reads.
        opened.store->write([](TaskStates &states, TaskStore &) {
            for (int row = 0; row < states.size(); row += TaskStates::BlockSize)
                states[row] = std::as_const(states)[row];
        });
    }
    if (opened.batch->mapReduce) {
        opened.batchData = {}; // a MapReduce job keeps no journal
    } else if (options.findEarlierRun) {
        opened.earlierJournal = unfinishedJournalFor(
                path, opened.batchBytes.isNull() ? BatchBytes(opened.batchData) : opened.batchBytes,
                &opened.earlierOpenTasks);
    }
    return opened;
}

Result<OpenedRun> openBatchData(OpenedRun opened, const OpenOptions &options)
{
    opened.batch = std::make_shared<Batch>(
            BatchParser::parseData(opened.batchData, opened.path, parseOptions(options)));
    return openParsed(std::move(opened), options);
}

} // namespace

QString RunSession::kindName(RunKind kind)
{
    switch (kind) {
    case RunKind::Run:
        return QStringLiteral("run");
    case RunKind::Resume:
        return QStringLiteral("resume");
    case RunKind::RetryFailed:
        return QStringLiteral("retry-failed");
    case RunKind::RetrySelected:
        return QStringLiteral("retry");
    case RunKind::RunAgain:
        return QStringLiteral("run-again");
    case RunKind::RetryChanged:
        return QStringLiteral("retry-changed");
    case RunKind::Reopen:
        return QStringLiteral("reopen");
    }
    return {};
}

RunSession::RunSession(QObject *parent)
    : QObject(parent)
{
    m_addPool.setMaxThreadCount(1); // one file at a time: its lines keep their order
    m_checkPool.setMaxThreadCount(1);
    m_addWait = std::make_shared<JournalWait>();
}

RunSession::~RunSession()
{
    stopAdding();
    dropJob();
    m_feed.reset();
    m_submitServer.reset();
    // The workers stop before anything that shows them goes away.
    m_engine.reset();
}

bool RunSession::isJournalFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.peek(16) == QByteArray("SQLite format 3\0", 16);
}

Result<OpenedRun> RunSession::open(const QString &path, const OpenOptions &options)
{
    QElapsedTimer clock;
    clock.start();
    const QFileInfo info(path);
    if (!info.exists())
        return Result<OpenedRun>::failure(QStringLiteral("cannot read %1: no such file").arg(path));
    if (info.isDir())
        return Result<OpenedRun>::failure(
                QStringLiteral("cannot read %1: it is a folder, not a batch file").arg(path));
    Result<OpenedRun> opened
            = isJournalFile(path) ? openJournal(path, options) : openBatch(path, options);
    if (opened)
        opened->elapsedMs = clock.elapsed();
    return opened;
}

QString RunSession::lastJournalOf(const QString &batchPath)
{
    const QString absolute = QFileInfo(batchPath).absoluteFilePath();
    for (const QString &path : Journal::journalsNamedFor(batchPath).mid(0, JournalsLookedAt)) {
        Journal journal;
        QString error;
        if (journal.open(path, &error) && journal.batchPath() == absolute)
            return path;
    }
    return {};
}

Result<OpenedRun> RunSession::openEdited(const QString &batchPath, const QString &journalPath,
                                         ResumePlan::Mode mode, const OpenOptions &options)
{
    QElapsedTimer clock;
    clock.start();
    if (!isJournalFile(journalPath))
        return Result<OpenedRun>::failure(
                QStringLiteral("%1 is not a Brigade journal").arg(journalPath));
    if (isJournalFile(batchPath))
        return Result<OpenedRun>::failure(
                QStringLiteral("%1 is a journal, not a batch file").arg(batchPath));
    Result<OpenedRun> earlier = openJournal(journalPath, options);
    if (!earlier || earlier->cancelled)
        return earlier;
    OpenOptions batchOptions = options;
    batchOptions.findEarlierRun = false;
    Result<OpenedRun> opened = open(batchPath, batchOptions);
    if (!opened || opened->cancelled)
        return opened;
    if (opened->isMapReduce())
        return Result<OpenedRun>::failure(
                QStringLiteral("%1 is a MapReduce job, which keeps no journal").arg(batchPath));
    auto plan = std::make_shared<ResumePlan>(
            ResumePlan::make(*earlier->store, earlier->finishedAtMs, *opened->store, mode));
    plan->seed(*earlier->store, *opened->store);
    opened->resumePlan = plan;
    opened->elapsedMs = clock.elapsed();
    return opened;
}

Status RunSession::makeEditedJournal(OpenedRun *opened, const QString &path)
{
    if (!opened->resumePlan || opened->isJournal())
        return Status::failure(QStringLiteral("no edited batch to make a journal for"));
    // The batch as it is now, with the results it keeps, so a later resume, export or -o of
    // this journal has every task without the earlier one.
    const QVector<int> kept = opened->resumePlan->keptRows();
    Journal journal;
    QString error;
    const BatchBytes bytes
            = opened->batchBytes.isNull() ? BatchBytes(opened->batchData) : opened->batchBytes;
    if (!journal.create(path, opened->batchPath, bytes, &error)
        || !journal.appendFinished(*opened->store, kept, &error)
        || !journal.setOpenTasks(opened->resumePlan->toRun(), &error))
        return Status::failure(error);
    opened->batchData = {};
    opened->journalPath = path;
    opened->finishedRows = kept;
    return {};
}

Result<OpenedRun> RunSession::openCommandLine(const QString &listPath, const QStringList &command,
                                              const QString &cwd, const OpenOptions &options)
{
    QFile file(listPath);
    const bool opened = listPath == u"-"
                                ? file.open(stdin, QIODevice::ReadOnly)
                                : (QFileInfo(listPath).isFile() && file.open(QIODevice::ReadOnly));
    if (!opened)
        return Result<OpenedRun>::failure(
                QStringLiteral("cannot read list %1: %2")
                        .arg(listPath, QFileInfo::exists(listPath)
                                               ? file.errorString()
                                               : QStringLiteral("no such file")));
    const QByteArray list = readWhole(file);
    if (file.error() != QFileDevice::NoError)
        return Result<OpenedRun>::failure(
                QStringLiteral("cannot read list %1: %2").arg(listPath, file.errorString()));
    OpenedRun run;
    run.path = CommandLineBatch::nameFor(listPath);
    run.batchPath = QFileInfo(run.path).absoluteFilePath();
    // The tasks straight from the list; the batch they are (what the journal holds, and
    // what --resume parses) is made only when the first run's journal copies it, on the
    // journal's thread: making it here took a sixth of reading a million arguments.
    run.batch = std::make_shared<Batch>(BatchParser::parseArgumentList(
            list, CommandLineBatch::defaultsLine(command, cwd), run.path, parseOptions(options)));
    run.batchBytes = BatchBytes::madeBy(
            [list, command, cwd] { return CommandLineBatch::make(list, command, cwd); });
    return openParsed(std::move(run), options);
}

OpenedRun RunSession::openFeed(const QString &batchName)
{
    OpenedRun opened;
    opened.path = batchName;
    opened.batchPath = QFileInfo(batchName).absoluteFilePath();
    opened.batch = std::make_shared<Batch>();
    opened.batch->path = batchName;
    opened.store = std::make_shared<TaskStore>();
    return opened;
}

Result<Job *> RunSession::runFeed(const FeedSource &source, const RunSettings &settings)
{
    if (!m_engine || !m_opened.store || m_tasksStarted || m_opened.store->size() > 0)
        return Result<Job *>::failure(tr("only a new run made by openFeed() can be fed"));
    auto gate = std::make_shared<FeedGate>(source.maxQueued);
    m_engine->openFeed(gate);
    Result<Job *> job = startTasks(RunKind::Run, {}, settings);
    if (!job) {
        m_engine->closeFeed();
        return job;
    }
    m_feed = std::make_unique<TaskFeed>(source, m_engine.get(), gate);
    connect(m_feed.get(), &TaskFeed::lineRejected, this, &RunSession::feedLineRejected);
    connect(m_feed.get(), &TaskFeed::ended, this, &RunSession::feedEnded);
    // A run that ends otherwise (cancelled) reads no more.
    connect(m_engine.get(), &Engine::finished, m_feed.get(), &TaskFeed::stop);
    m_feed->start();
    return job;
}

void RunSession::setIntake(const QString &name, qint64 maxQueued, bool reopensRun)
{
    m_intakeName = name;
    m_intakeMaxQueued = maxQueued;
    m_intakeReopens = reopensRun;
}

QString RunSession::intakeNameFor(const QString &batchPath)
{
    const QString base = QFileInfo(batchPath).completeBaseName();
    return SubmitServer::nameFor(base.isEmpty() ? QStringLiteral("run") : base);
}

Status RunSession::openIntake()
{
    if (m_intakeReopens && m_intake && m_submitServer && !m_feed) {
        // The window's intake lasts as long as its batch: each run opens the feed again.
        m_engine->openFeed(m_intake->gate(), true);
        return {};
    }
    m_submitServer.reset();
    m_intake.reset();
    if (m_intakeName.isEmpty() || m_feed)
        return {};
    auto gate = std::make_shared<FeedGate>(m_intakeMaxQueued);
    m_intake = std::make_shared<SubmitIntake>(m_engine.get(), gate, m_opened.store, *m_opened.batch,
                                              m_opened.batch->lines, m_opened.batch->lastLineOpen);
    m_intake->setSubmitTrust(m_submitTrust);
    m_submitServer = std::make_unique<SubmitServer>(m_intake);
    QString error;
    if (!m_submitServer->listen(m_intakeName, &error)) {
        m_submitServer.reset();
        m_intake.reset();
        if (m_intakeReopens) {
            // The window runs anyway, and says why it takes no tasks.
            emit message(tr("This run takes no tasks from brigade submit: %1").arg(error));
            return {};
        }
        return Status::failure(error);
    }
    // Posted before the run starts: the run does not end while it may be sent tasks.
    m_engine->openFeed(gate, m_intakeReopens);
    connect(m_submitServer.get(), &SubmitServer::submissionEnded, this,
            &RunSession::submissionEnded);
    // A submission that ended may have been the last thing keeping the run open: the engine
    // looks again, and says feedIdle() if it has nothing left to run.
    connect(m_submitServer.get(), &SubmitServer::submissionEnded, m_engine.get(),
            &Engine::checkFeed);
    return {};
}

void RunSession::closeIntakeIfIdle()
{
    if (!m_submitServer || m_submitServer->activeSubmissions() > 0 || m_adding > 0)
        return;
    qCDebug(lcSession) << "nothing left to run and no submission in progress: the run ends";
    if (m_intakeReopens) {
        // The run ends; the intake stays, and what it takes next reopens the run.
        m_engine->closeFeed();
        return;
    }
    m_submitServer->close();
    m_engine->closeFeed();
}

void RunSession::setSubmitTrust(const IntakeTrust &trust)
{
    m_submitTrust = trust;
    if (m_intake)
        m_intake->setSubmitTrust(trust);
}

void RunSession::stopAdding()
{
    // An addition waiting for room, or for its tasks to be journaled, gives up: the intake
    // and the engine it hands tasks to are about to go.
    m_addWait->stop();
    if (m_intake)
        m_intake->close();
    m_addPool.waitForDone();
    m_checkPool.waitForDone();
    m_addWait = std::make_shared<JournalWait>();
    m_adding = 0;
}

namespace {

// A file's whole lines, a read at a time, as the intake takes them: a .txt list of URLs
// converted (UrlListLines). Returns false at the end of the file, or on a read error.
bool readLines(QFile *file, QByteArray *rest, QByteArray *lines)
{
    *rest += file->read(SubmitServer::MaxFrameBytes);
    const bool atEnd = file->atEnd() || file->error() != QFileDevice::NoError;
    if (atEnd && !rest->isEmpty() && !rest->endsWith('\n'))
        *rest += '\n';
    const qsizetype whole = rest->lastIndexOf('\n') + 1;
    *lines = rest->first(whole);
    rest->remove(0, whole);
    return !atEnd;
}

QList<QByteArrayView> splitLines(const QByteArray &lines)
{
    QList<QByteArrayView> out;
    for (qsizetype pos = 0; pos < lines.size();) {
        qsizetype nl = lines.indexOf('\n', pos);
        if (nl < 0)
            nl = lines.size();
        out.append(QByteArrayView(lines).sliced(pos, nl - pos));
        pos = nl + 1;
    }
    return out;
}

bool isUrlList(const QString &path)
{
    return path.endsWith(QLatin1String(".txt"), Qt::CaseInsensitive);
}

} // namespace

Status RunSession::checkTasksFrom(const QString &path)
{
    if (!m_intake || !m_engine)
        return Status::failure(tr("the run takes no tasks: run the batch first"));
    struct Checked
    {
        SubmitIntake::UserCode code;
        QString error;
    };
    auto *watcher = new QFutureWatcher<Checked>(this);
    connect(watcher, &QFutureWatcher<Checked>::finished, this,
            [this, watcher, path, intake = std::weak_ptr<SubmitIntake>(m_intake)] {
                Checked checked = watcher->result();
                watcher->deleteLater();
                if (intake.lock() != m_intake || !m_intake)
                    checked.error = tr("the run it was for is no longer open");
                emit tasksChecked(path, checked.code, checked.error);
            });
    watcher->setFuture(QtConcurrent::run(
            &m_checkPool, [intake = m_intake, path, wait = m_addWait]() -> Checked {
                Checked checked;
                QFile file(path);
                if (!file.open(QIODevice::ReadOnly)) {
                    checked.error = tr("cannot read %1: %2").arg(path, file.errorString());
                    return checked;
                }
                QByteArray rest, lines;
                for (bool more = true; more && !wait->isStopped();) {
                    more = readLines(&file, &rest, &lines);
                    intake->findUserCode(path,
                                         isUrlList(path) ? UrlListLines::asJson(lines) : lines,
                                         &checked.code);
                }
                if (file.error() != QFileDevice::NoError)
                    checked.error = tr("cannot read %1: %2").arg(path, file.errorString());
                return checked;
            }));
    return {};
}

Status RunSession::addTasksFrom(const QString &path, const IntakeTrust &trust)
{
    if (!m_intake || !m_engine)
        return Status::failure(tr("the run takes no tasks: run the batch first"));
    ++m_adding;
    struct Added
    {
        qint64 accepted = 0;
        QStringList rejected;
        QString error;
    };
    auto *watcher = new QFutureWatcher<Added>(this);
    connect(watcher, &QFutureWatcher<Added>::finished, this, [this, watcher, path] {
        const Added added = watcher->result();
        watcher->deleteLater();
        m_adding = qMax(0, m_adding - 1);
        emit tasksAdded(path, added.accepted, added.rejected, added.error);
        // It may have been the last thing keeping the run open.
        if (m_engine)
            m_engine->checkFeed();
    });
    watcher->setFuture(QtConcurrent::run(
            &m_addPool, [intake = m_intake, path, trust, wait = m_addWait]() -> Added {
                Added added;
                QFile file(path);
                if (!file.open(QIODevice::ReadOnly)) {
                    added.error = tr("cannot read %1: %2").arg(path, file.errorString());
                    return added;
                }
                // As brigade submit sends them (SubmitServer): whole lines, a stretch at a
                // time, each taken when the run has room (SubmitIntake::take waits for it).
                IntakeStream stream(path);
                const bool urlList = isUrlList(path);
                QByteArray rest, lines;
                for (bool more = true; more && !stream.isClosed() && !wait->isStopped();) {
                    more = readLines(&file, &rest, &lines);
                    const qint64 firstLine = stream.nextLine();
                    stream.append(urlList ? UrlListLines::asJson(lines) : lines);
                    QList<QByteArrayView> written; // lines as in the file, when converted
                    for (QByteArray stretch; !(stretch = stream.stretch()).isEmpty();) {
                        wait->handed();
                        SubmitIntake::Outcome outcome = intake->take(
                                path, stretch, stream.nextLine(), [wait] { wait->journaled(); },
                                {std::nullopt, trust});
                        if (outcome.closed)
                            wait->journaled(); // nothing was handed over
                        if (urlList && !outcome.rejected.isEmpty()) {
                            if (written.isEmpty())
                                written = splitLines(lines);
                            for (BatchError &e : outcome.rejected) {
                                const qint64 at = e.line - firstLine;
                                if (at >= 0 && at < written.size())
                                    e.column = UrlListLines::originalColumn(written[at], e.column);
                            }
                        }
                        stream.taken(outcome);
                        if (stream.isClosed() || wait->isStopped())
                            break;
                    }
                }
                if (stream.isClosed() || wait->isStopped())
                    added.error = tr("the run takes no more tasks");
                else if (file.error() != QFileDevice::NoError)
                    added.error = tr("cannot read %1: %2").arg(path, file.errorString());
                // Answered once every accepted task is journaled, as a submitter is.
                wait->waitForAll();
                added.accepted = stream.accepted();
                for (const BatchError &e : stream.rejected())
                    added.rejected.append(e.toString());
                return added;
            }));
    return {};
}

void RunSession::adopt(OpenedRun opened)
{
    stopAdding();
    dropJob();
    m_feed.reset();
    m_submitServer.reset();
    m_intake.reset();
    // A new engine per batch: nothing of the previous run can reach the new store.
    m_engine.reset();
    m_opened = std::move(opened);
    // The batch's bytes are kept only for the journal's copy of it: without a journal, they
    // would hold as much memory again as the file for the whole run (a list of arguments'
    // batch, the list it is made from).
    if (!m_journalling) {
        m_opened.batchData = {};
        m_opened.batchBytes = {};
    }
    m_tasksStarted = false;
    m_journalPath = m_opened.journalPath;
    m_earlier = m_opened.finishedRows;
    m_failures = m_opened.failures ? m_opened.failures->summary() : FailureSummary();
    if (!m_opened.isMapReduce()) {
        m_engine = std::make_unique<Engine>();
        connectEngine(m_engine.get(), true);
    }
    emit journalChanged(m_journalPath);
    emit failuresChanged(m_failures);
}

qint64 RunSession::unfinishedTasks() const
{
    if (!m_opened.store)
        return 0;
    const StatusCounts c = m_opened.store->counts();
    return c.total() - c[TaskStatus::Succeeded] - c[TaskStatus::Failed] - c[TaskStatus::Skipped];
}

RunSession::RunKind RunSession::nextRunKind() const
{
    // A batch file nothing has run yet is all queued: no need to count a million states
    // on the caller's (a GUI's) thread to know it.
    if (!m_opened.store || isMapReduce() || isFresh())
        return RunKind::Run;
    return unfinishedTasks() > 0 ? RunKind::Resume : RunKind::RunAgain;
}

bool RunSession::isFresh() const
{
    return !m_opened.isJournal() && !m_tasksStarted;
}

bool RunSession::canRun() const
{
    return m_opened.store && (isMapReduce() || m_opened.store->size() > 0);
}

bool RunSession::runMakesJournal() const
{
    return !isMapReduce() && m_journalling && m_journalPath.isEmpty() && isFresh();
}

bool RunSession::isRunning() const
{
    return m_job && m_job->isRunning();
}

Engine *RunSession::engine() const
{
    if (auto *mapReduce = qobject_cast<MapReduceJob *>(m_job.data()))
        return mapReduce->engine();
    return m_engine.get();
}

std::shared_ptr<const ProgramLog> RunSession::programLog() const
{
    return m_engine ? m_engine->programLog() : nullptr;
}

Result<Job *> RunSession::run(const RunSettings &settings)
{
    if (isMapReduce())
        return startMapReduce(settings);
    switch (nextRunKind()) {
    case RunKind::Run:
        return startTasks(RunKind::Run, {}, settings);
    case RunKind::RunAgain: {
        QVector<int> all(m_opened.store->size());
        std::iota(all.begin(), all.end(), 0);
        return startTasks(RunKind::RunAgain, all, settings);
    }
    default:
        return resume(settings);
    }
}

Result<Job *> RunSession::resume(const RunSettings &settings)
{
    if (isMapReduce())
        return startMapReduce(settings);
    if (!m_opened.store)
        return Result<Job *>::failure(tr("no batch is open"));
    // Cancelled tasks are not finished: they run again, with fresh attempts.
    return startTasks(RunKind::Resume, m_opened.store->rowsWithStatus(TaskStatus::Cancelled),
                      settings);
}

Result<Job *> RunSession::retryFailed(const RunSettings &settings)
{
    if (!m_opened.store || isMapReduce())
        return Result<Job *>::failure(tr("no tasks to retry"));
    return startTasks(RunKind::RetryFailed, m_opened.store->rowsWithStatus(TaskStatus::Failed),
                      settings);
}

QVector<int> RunSession::finishedOf(const QVector<int> &rows) const
{
    QVector<int> finished;
    m_opened.store->read([&](const TaskStates &states) {
        for (int row : rows) {
            if (row >= 0 && row < states.size() && isTerminal(states[row].status))
                finished.append(row);
        }
    });
    return finished;
}

Result<Job *> RunSession::retryChanged(const QVector<int> &rows, const SpecChange &change,
                                       const RunSettings &settings)
{
    if (!m_opened.store || isMapReduce() || !m_engine)
        return Result<Job *>::failure(tr("no tasks to retry"));
    if (const Status ok = change.check(); !ok)
        return Result<Job *>::failure(ok.error());
    const QVector<int> finished = finishedOf(rows);
    if (finished.isEmpty())
        return Result<Job *>::failure(tr("only finished tasks can be retried"));
    // Tasks of one shape keep sharing one after the change.
    QHash<const TaskShape *, std::shared_ptr<const TaskShape>> made;
    QVector<std::shared_ptr<const TaskShape>> shapes;
    shapes.reserve(finished.size());
    JournalEdit edit;
    edit.rows = finished;
    edit.change = change.toJson();
    const TaskStore &store = *m_opened.store;
    for (int row : finished) {
        const TaskSpec &spec = store.spec(row);
        const std::shared_ptr<const TaskShape> before = store.currentShape(row);
        std::shared_ptr<const TaskShape> after;
        if (change.changesEachTask(*before)) {
            after = change.apply(spec, before);
        } else {
            auto it = made.find(before.get());
            if (it == made.end())
                it = made.insert(before.get(), change.apply(spec, before));
            after = it.value();
        }
        shapes.append(after);
        QJsonObject line{{QStringLiteral("row"), row},
                         {QStringLiteral("id"), spec.id},
                         {QStringLiteral("before"), SpecChange::fieldsOf(spec, *before)},
                         {QStringLiteral("after"), SpecChange::fieldsOf(spec, *after)}};
        edit.specs += QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    }
    qCDebug(lcSession) << "retry with changes:" << change.describe() << "for" << finished.size()
                       << "tasks";
    m_engine->changeTasks(m_opened.store, finished, std::move(shapes), edit);
    return startTasks(RunKind::RetryChanged, finished, settings);
}

Result<Job *> RunSession::retrySelected(const QVector<int> &rows, const RunSettings &settings)
{
    if (!m_opened.store || isMapReduce())
        return Result<Job *>::failure(tr("no tasks to retry"));
    const QVector<int> finished = finishedOf(rows);
    if (finished.isEmpty())
        return Result<Job *>::failure(tr("only finished tasks can be retried"));
    return startTasks(RunKind::RetrySelected, finished, settings);
}

Status RunSession::skipTasks(const QVector<int> &rows, const QString &reason)
{
    if (!m_opened.store || isMapReduce() || !m_engine)
        return Status::failure(tr("no tasks to skip"));
    if (isFresh())
        return Status::failure(tr("nothing has run yet: run the batch first"));
    if (reason.trimmed().isEmpty())
        return Status::failure(tr("a skip needs a reason"));
    if (rows.isEmpty())
        return Status::failure(tr("no tasks chosen"));
    m_tasksStarted = true; // the engine has the failure groups from now on
    m_engine->skipTasks(m_opened.store, rows, reason.trimmed(),
                        m_journalling ? m_journalPath : QString(), m_opened.failures);
    return {};
}

void RunSession::cancelTasks(const QVector<int> &rows)
{
    if (m_engine && isRunning())
        m_engine->cancelTasks(rows);
}

void RunSession::changePriority(const QVector<int> &rows, int delta)
{
    if (!m_engine || !isRunning() || delta == 0)
        return;
    SpecChange change;
    change.priorityDelta = delta;
    m_engine->changePriority(rows, delta, change.toJson());
}

Result<Job *> RunSession::startTasks(RunKind kind, const QVector<int> &reset,
                                     const RunSettings &settings)
{
    if (!m_opened.store || !m_engine)
        return Result<Job *>::failure(tr("no batch is open"));
    if (isRunning()) {
        // A retry during a run joins it; the reset is journaled by the engine.
        qCDebug(lcSession) << kindName(kind) << "joins the run:" << reset.size() << "tasks";
        m_engine->retryTasks(reset);
        return m_job.data();
    }
    RunSettings s = settings;
    s.retireFinished = settings.retireFinished || m_retireFinished;
    if (m_opened.batch && m_opened.batch->hasPacing)
        s.pacing = m_opened.batch->pacing.under(settings.pacing);
    s.journalRunKind = kindName(kind);
    s.createJournal = false;
    s.journalPath.clear();
    if (kind == RunKind::Run && runMakesJournal()) {
        // The first run of a batch makes its journal, on the engine's journal thread while
        // the workers start; a path that cannot be used is refused before anything runs.
        const QString path = m_chosenJournal.isEmpty() ? Journal::defaultPathFor(m_opened.batchPath)
                                                       : m_chosenJournal;
        if (const Status creatable = Journal::checkCreatable(path); !creatable)
            return Result<Job *>::failure(creatable.error());
        qCDebug(lcSession) << "the first run makes the journal" << path;
        s.createJournal = true;
        s.journalBatchPath = m_opened.batchPath;
        s.journalBatchData = m_opened.batchBytes.isNull()
                                     ? BatchBytes(std::exchange(m_opened.batchData, QByteArray()))
                                     : std::exchange(m_opened.batchBytes, BatchBytes());
        m_journalPath = path;
        emit journalChanged(path);
    }
    if (m_journalling)
        s.journalPath = m_journalPath;
    m_earlier.clear();
    if (!m_opened.finishedRows.isEmpty()) {
        QVector<bool> rerun(m_opened.store->size());
        for (int row : reset)
            rerun[row] = true;
        for (int row : std::as_const(m_opened.finishedRows)) {
            if (!rerun[row])
                m_earlier.append(row);
        }
    }
    dropJob();
    if (const Status intake = openIntake(); !intake)
        return Result<Job *>::failure(intake.error());
    m_tasksStarted = true;
    m_retiring = s.retireFinished;
    m_toRelease.clear();
    qCDebug(lcSession) << kindName(kind) << "of" << m_opened.path << ":" << reset.size()
                       << "finished tasks run again, journal" << s.journalPath;
    Engine *engine = m_engine.get();
    auto *job = new TaskRunJob(
            engine,
            [engine, store = m_opened.store, s, reset, earlier = m_opened.failures] {
                engine->start(store, s, reset, earlier);
            },
            kindName(kind), this);
    m_job = job;
    job->start();
    emit jobStarted(job);
    return static_cast<Job *>(job);
}

Result<Job *> RunSession::startMapReduce(const RunSettings &settings)
{
    if (isRunning())
        return Result<Job *>::failure(tr("the job is already running"));
    dropJob();
    auto *job = new MapReduceJob(*m_opened.batch->mapReduce, settings, this);
    m_job = job;
    connect(job, &MapReduceJob::engineStarted, this,
            [this](Engine *engine) { connectEngine(engine, false); });
    job->start();
    // An input that cannot be read is known at once: nothing started, nothing to follow.
    if (job->error() == Job::StartError) {
        m_job.clear();
        job->deleteLater();
        return Result<Job *>::failure(job->errorText());
    }
    emit jobStarted(job);
    return static_cast<Job *>(job);
}

quint64 RunSession::findFailureRows(const QVector<int> &groupIds)
{
    const quint64 token = m_nextToken++;
    if (!m_tasksStarted || !m_engine) {
        // Nothing has run yet: the groups are the journal's, here.
        const QVector<int> rows
                = m_opened.failures ? m_opened.failures->rowsOf(groupIds) : QVector<int>();
        QMetaObject::invokeMethod(
                this, [this, token, rows] { emit failureRowsFound(token, rows); },
                Qt::QueuedConnection);
        return token;
    }
    m_pendingRows.insert(m_engine->findFailureRows(groupIds), token);
    return token;
}

void RunSession::connectEngine(Engine *e, bool tasks)
{
    if (tasks) {
        connect(e, &Engine::failuresChanged, this, [this](const FailureSummary &failures) {
            m_failures = failures;
            emit failuresChanged(failures);
        });
        connect(e, &Engine::failureRowsFound, this,
                [this](quint64 engineToken, const QVector<int> &rows) {
                    const auto it = m_pendingRows.constFind(engineToken);
                    if (it == m_pendingRows.cend())
                        return;
                    const quint64 token = it.value();
                    m_pendingRows.erase(it);
                    emit failureRowsFound(token, rows);
                });
        connect(e, &Engine::started, this, &RunSession::onEngineStarted);
        // A retiring run: the rows finished go once tasksFinished() and the progress() that
        // follows it (the engine sends both with each update) have reached every receiver.
        connect(e, &Engine::progress, this, [this, e](const RunStats &stats) {
            emit progress(stats);
            if (m_retiring && !m_toRelease.isEmpty())
                e->releaseRows(std::exchange(m_toRelease, {}));
        });
        connect(e, &Engine::tasksChanged, this, &RunSession::tasksChanged);
        connect(e, &Engine::tasksFinished, this, [this](const QVector<int> &rows) {
            emit tasksFinished(rows);
            if (m_retiring)
                m_toRelease += rows;
        });
        connect(e, &Engine::programLogChanged, this, &RunSession::programLogChanged);
        connect(e, &Engine::finished, this, &RunSession::finished);
        connect(e, &Engine::message, this, &RunSession::message);
        connect(e, &Engine::tasksSkipped, this, &RunSession::tasksSkipped);
        connect(e, &Engine::feedIdle, this, &RunSession::closeIntakeIfIdle);
        // A run that ends otherwise (cancelled) takes no more submissions.
        connect(e, &Engine::finished, this, [this] {
            if (m_submitServer && !m_intakeReopens)
                m_submitServer->close();
        });
    }
    connect(e, &Engine::loadSampled, this, &RunSession::loadSampled);
    connect(e, &Engine::workerMessage, this, &RunSession::workerMessage);
}

void RunSession::onEngineStarted()
{
    emit started();
    if (!m_intakeReopens || !m_intake || !m_engine || isRunning() || !m_tasksStarted)
        return;
    // Tasks added after the run ended started it again: a job follows it like any run's.
    qCDebug(lcSession) << "tasks added to a run that had ended: it runs again";
    dropJob();
    Engine *engine = m_engine.get();
    auto *job = new TaskRunJob(
            engine, [] {}, kindName(RunKind::Reopen), this);
    m_job = job;
    job->start();
    emit jobStarted(job);
}

void RunSession::dropJob()
{
    Job *job = m_job.data();
    m_job.clear();
    if (!job)
        return;
    if (job->isRunning()) {
        job->kill();
        // Deleted once it has stopped; nobody hears from it any more.
        job->disconnect();
        connect(job, &Job::result, job, &QObject::deleteLater);
        if (!qobject_cast<MapReduceJob *>(job))
            job->deleteLater(); // a task run stops with its engine
    } else {
        job->deleteLater();
    }
}

} // namespace Brigade
