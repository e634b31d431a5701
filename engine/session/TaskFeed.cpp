#include "TaskFeed.h"

#include "batch/BatchLineParser.h"
#include "run/Engine.h"
#include "run/FeedGate.h"
#include "usercode/CommandLineBatch.h"

#include <QHashFunctions>
#include <QLoggingCategory>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace Brigade {

QString TaskFeed::mapReduceRefusal()
{
    return QStringLiteral("a \"mapreduce\" job cannot join a running run (run it as a batch "
                          "of its own)");
}

Q_LOGGING_CATEGORY(lcFeed, "brigade.feed", QtInfoMsg)

namespace {

constexpr qsizetype ReadBytes = 1024 * 1024;
// Lines parsed and handed over at once: enough to make the hand-over cheap per task, few
// enough that a trickle of lines is not held back (a stretch is whatever has arrived).
constexpr qint64 MaxLinesPerStretch = 65536;
// At the end of a followed file, a look now and then even without word from inotify (a
// file replaced rather than appended to is not seen by the watch).
constexpr int FollowPollMs = 1000;

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace

// The reading thread's state: the input, the bytes read but not parsed yet, and what the
// lines so far established (the defaults line, the ids taken).
struct TaskFeed::Reader
{
    const FeedSource &source;
    int fd = -1;
    bool ownFd = false;
    int watchFd = -1; // inotify, when following a file
    int wakeFd = -1;
    QByteArray buffer;
    qsizetype consumed = 0; // bytes of buffer already parsed
    bool atEnd = false;
    qint64 lineNo = 0;      // lines of the input taken so far
    bool seenFirst = false; // the first non-blank line (the only place for defaults)
    BatchLineParser::Fields defaults;
    bool haveDefaults = false;
    ProgramTable programs;
    // Ids taken, so a later duplicate is refused. A task without an id has its line's
    // number: those are unique among themselves, so they cost a bit per line, and only the
    // ids written out are hashed (W1's 10M id-less lines would spend seconds on a set).
    QSet<size_t> writtenIds;
    std::vector<bool> lineIds; // per line: its task's id is its line number
    QByteArray header; // journal lines to send with the next tasks (command mode's defaults)
    qint64 accepted = 0;
    qint64 rejected = 0;

    explicit Reader(const FeedSource &s)
        : source(s)
    {}
    ~Reader()
    {
        if (ownFd && fd >= 0)
            ::close(fd);
        if (watchFd >= 0)
            ::close(watchFd);
    }
};

TaskFeed::TaskFeed(FeedSource source, Engine *engine, std::shared_ptr<FeedGate> gate,
                   QObject *parent)
    : QObject(parent)
    , m_source(std::move(source))
    , m_engine(engine)
    , m_gate(std::move(gate))
{
    m_wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

TaskFeed::~TaskFeed()
{
    stop();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

void TaskFeed::start()
{
    if (m_thread)
        return;
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("brigade-feed"));
    m_thread->start();
}

void TaskFeed::stop()
{
    m_stop.store(true);
    if (m_wakeFd >= 0) {
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_wakeFd, &one, sizeof one);
    }
    m_gate->close();
}

void TaskFeed::run()
{
    Reader r(m_source);
    r.wakeFd = m_wakeFd;
    QString error;
    bool stoppedAtBadLine = false;
    if (!m_source.path.isEmpty()) {
        r.fd = ::open(m_source.path.toLocal8Bit().constData(), O_RDONLY | O_CLOEXEC);
        r.ownFd = true;
        if (r.fd < 0)
            error = QStringLiteral("cannot read %1: %2").arg(m_source.path, systemError(errno));
        r.watchFd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (r.watchFd >= 0)
            ::inotify_add_watch(r.watchFd, m_source.path.toLocal8Bit().constData(),
                                IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE);
    } else {
        r.fd = m_source.fd;
    }
    if (!m_source.command.isEmpty()) {
        // brigade run - -- PROG: the command is the batch's defaults line, as for a list file.
        r.header = CommandLineBatch::defaultsLine(m_source.command, m_source.cwd);
        BatchLineParser::Result head;
        BatchLineParser parser(m_source.name, nullptr, 1, &head);
        r.haveDefaults = parser.parseDefaultsLine(r.header, 1, &r.defaults, &r.programs);
        r.header += '\n';
        r.seenFirst = true;
    }

    std::vector<Line> lines; // one stretch: views into r.buffer

    while (error.isEmpty() && !m_stop.load()) {
        const qint64 room = m_gate->waitForRoom();
        if (room <= 0 || m_stop.load())
            break;
        lines.clear();
        const qint64 want = std::min(room, MaxLinesPerStretch);
        qsizetype pos = r.consumed;
        while (qint64(lines.size()) < want && pos < r.buffer.size()) {
            const qsizetype nl = r.buffer.indexOf('\n', pos);
            if (nl < 0 && !r.atEnd)
                break; // the rest of this line has not arrived
            const qsizetype end = nl < 0 ? r.buffer.size() : nl;
            QByteArrayView text(r.buffer.constData() + pos, end - pos);
            if (text.endsWith('\r'))
                text.chop(1);
            lines.push_back({text, ++r.lineNo});
            pos = nl < 0 ? r.buffer.size() : nl + 1;
        }
        if (lines.empty()) {
            if (r.atEnd)
                break;
            // Nothing whole to parse: read more (only now, so a full engine stops reading).
            r.buffer.remove(0, r.consumed);
            r.consumed = 0;
            error = readMore(r);
            continue;
        }
        const qsizetype stretchEnd = pos;
        stoppedAtBadLine = !parseStretch(r, lines) && !m_source.skipInvalid;
        r.consumed = stretchEnd;
        if (stoppedAtBadLine)
            break;
    }
    qCDebug(lcFeed) << m_source.name << "ends:" << r.accepted << "tasks," << r.rejected
                    << "bad lines" << error;
    // ended() first: it is queued to the session's thread before the run can end there, so
    // a front end knows how the reading went (a bad line sets the exit status) by the time
    // finished() comes.
    emit ended(r.accepted, r.rejected, error);
    m_engine->closeFeed();
}

QString TaskFeed::readMore(Reader &r)
{
    while (!m_stop.load()) {
        pollfd fds[2] = {{r.fd, POLLIN, 0}, {r.wakeFd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return QStringLiteral("cannot read %1: %2").arg(m_source.name, systemError(errno));
        }
        if (fds[1].revents)
            return {}; // stop()
        const qsizetype old = r.buffer.size();
        r.buffer.resize(old + ReadBytes);
        const ssize_t n = ::read(r.fd, r.buffer.data() + old, size_t(ReadBytes));
        const int readError = errno;
        r.buffer.resize(old + std::max<qsizetype>(0, n));
        if (n > 0)
            return {};
        if (n < 0) {
            if (readError == EINTR || readError == EAGAIN)
                continue;
            return QStringLiteral("cannot read %1: %2").arg(m_source.name, systemError(readError));
        }
        if (m_source.path.isEmpty()) {
            r.atEnd = true;
            return {};
        }
        // Following a file: its end is only where the writer is now. Wait until it grows.
        pollfd wait[2] = {{r.watchFd, POLLIN, 0}, {r.wakeFd, POLLIN, 0}};
        ::poll(wait, r.watchFd >= 0 ? 2 : 0, FollowPollMs);
        char events[4096];
        while (r.watchFd >= 0 && ::read(r.watchFd, events, sizeof events) > 0) {
        }
    }
    return {};
}

bool TaskFeed::takeId(Reader &r, const QString &id, qint64 lineNo, bool written)
{
    if (r.lineIds.size() <= size_t(lineNo))
        r.lineIds.resize(size_t(lineNo) + 1 + r.lineIds.size() / 2);
    bool ok = false;
    const qint64 number = id.toLongLong(&ok);
    const bool isLineNumber = ok && number > 0 && QString::number(number) == id;
    if (!written || (isLineNumber && number == lineNo)) {
        if (!r.writtenIds.isEmpty() && r.writtenIds.contains(qHash(id)))
            return false;
        r.lineIds[size_t(lineNo)] = true;
        return true;
    }
    if (isLineNumber && number < lineNo && r.lineIds[size_t(number)])
        return false;
    const size_t hash = qHash(id);
    if (r.writtenIds.contains(hash))
        return false;
    r.writtenIds.insert(hash);
    return true;
}

bool TaskFeed::parseStretch(Reader &r, const std::vector<Line> &lines)
{
    const QString &name = m_source.name;
    const int maxErrors = int(MaxLinesPerStretch) * 4;
    QByteArray journal = std::exchange(r.header, QByteArray());
    QList<BatchError> errors;
    bool clean = true;

    // A command's arguments become the JSON lines brigade run LIST -- PROG makes; the
    // journal gets those, one per line of the list (its line numbers one more: the
    // command's defaults line is the batch's first).
    QByteArray converted;
    std::vector<Line> made;
    const std::vector<Line> *json = &lines;
    QByteArrayView data;
    if (!m_source.command.isEmpty()) {
        std::vector<std::pair<qsizetype, qsizetype>> spans;
        spans.reserve(lines.size());
        for (const Line &line : lines) {
            const qsizetype begin = converted.size();
            CommandLineBatch::appendTask(&converted, line.no, line.text);
            spans.emplace_back(begin, converted.size() - 1 - begin);
        }
        for (size_t i = 0; i < lines.size(); ++i)
            made.push_back({QByteArrayView(converted.constData() + spans[i].first, spans[i].second),
                            lines[i].no + 1});
        json = &made;
        data = converted;
    } else {
        data = QByteArrayView(lines.front().text.data(),
                              lines.back().text.data() + lines.back().text.size());
    }

    BatchLineParser::Result result;
    std::unique_ptr<BatchLineParser> parser;
    for (const Line &line : *json) {
        if (BatchLineParser::isBlank(line.text)) {
            journal += '\n';
            continue;
        }
        if (!r.seenFirst) {
            // The first line may set the defaults (and declare programs), as in a batch.
            r.seenFirst = true;
            BatchLineParser::Result head;
            BatchLineParser first(name, nullptr, maxErrors, &head);
            if (first.parseDefaultsLine(line.text, line.no, &r.defaults, &r.programs)) {
                r.haveDefaults = true;
                journal += line.text;
                journal += '\n';
                errors += head.errors;
                if (head.errorCount > 0) {
                    clean = false;
                    if (!m_source.skipInvalid)
                        break;
                }
                continue;
            }
        }
        if (!parser) {
            parser = std::make_unique<BatchLineParser>(name, r.haveDefaults ? &r.defaults : nullptr,
                                                       maxErrors, &result);
            parser->setPrograms(&r.programs);
            parser->setData(data);
        }
        const qsizetype tasksBefore = result.tasks.size();
        const qsizetype errorsBefore = result.errors.size();
        const qsizetype jobsBefore = result.mapReduce.size();
        parser->parseJsonLine(line.text, line.no);
        bool taken = result.tasks.size() > tasksBefore;
        // Ids are checked here, line by line (takeId): the parser's lists for a batch's
        // check are not kept.
        const bool idWritten = taken && result.idWritten.back();
        result.idWritten.clear();
        result.errorLineIds.clear();
        QString problem;
        int column = 1;
        if (result.mapReduce.size() > jobsBefore) {
            problem = TaskFeed::mapReduceRefusal();
        } else if (taken) {
            // Ids are unique in a fed run as in a batch (a resume finds its tasks by row).
            const QString &id = result.tasks.back().id;
            if (!takeId(r, id, line.no, idWritten)) {
                problem = QStringLiteral("duplicate id \"%1\" (an earlier task has it)").arg(id);
                if (line.text.contains("\"id\""))
                    column = BatchLineParser::keyColumn(line.text, "id");
                result.tasks.removeLast();
                taken = false;
            }
        }
        for (qsizetype i = errorsBefore; i < result.errors.size(); ++i)
            errors.append(result.errors[i]);
        if (!problem.isEmpty())
            errors.append(BatchError{name, int(line.no), column, problem});
        if (taken) {
            journal += line.text;
            ++r.accepted;
        } else {
            ++r.rejected;
            clean = false;
            if (!m_source.skipInvalid)
                break;
        }
        journal += '\n'; // a bad line's place is kept: the journal's lines stay the input's
    }
    if (!result.tasks.isEmpty() || !journal.isEmpty()) {
        m_gate->sent(result.tasks.size());
        m_engine->addTasks(std::move(result.tasks), std::move(journal));
    }
    for (const BatchError &e : std::as_const(errors))
        emit lineRejected(e);
    return clean;
}

} // namespace Brigade
