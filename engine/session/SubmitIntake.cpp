#include "SubmitIntake.h"

#include "TaskFeed.h"
#include "core/TaskStore.h"
#include "run/Engine.h"
#include "run/FeedGate.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace Brigade {

SubmitIntake::SubmitIntake(Engine *engine, std::shared_ptr<FeedGate> gate,
                           std::shared_ptr<const TaskStore> store, const Batch &batch,
                           qint64 batchLines, bool endsWithoutNewline)
    : m_engine(engine)
    , m_gate(std::move(gate))
    , m_store(std::move(store))
    , m_lines(batchLines)
    , m_needsNewline(endsWithoutNewline)
    , m_batchRows(m_store ? m_store->size() : 0)
{
    m_programs = batch.programs;
    if (!batch.defaultsText.isEmpty()) {
        BatchLineParser::Result head;
        BatchLineParser parser(batch.path, nullptr, 1, &head);
        m_haveDefaults = parser.parseDefaultsLine(batch.defaultsText.toUtf8(), 1, &m_defaults,
                                                  &m_programs);
    }
}

void SubmitIntake::close()
{
    m_closed.store(true);
    m_gate->close();
}

void SubmitIntake::collectIds()
{
    if (m_idsCollected)
        return;
    m_idsCollected = true;
    // Specs never change once added and need no lock (see TaskStore).
    m_ids.reserve(m_batchRows);
    for (int row = 0; row < m_batchRows; ++row)
        m_ids.insert(m_store->spec(row).id);
}

QByteArray SubmitIntake::withPriority(QByteArrayView line, qint32 priority)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()
        || doc.object().contains(QLatin1String("priority")))
        return {};
    qsizetype end = line.size();
    while (end > 0 && BatchLineParser::isBlank(line.sliced(end - 1, 1)))
        --end;
    if (end == 0 || line[end - 1] != '}')
        return {};
    QByteArray out = line.first(end - 1).toByteArray();
    if (!doc.object().isEmpty())
        out += ',';
    out += "\"priority\":" + QByteArray::number(priority) + '}';
    return out;
}

void SubmitIntake::setSubmitTrust(const IntakeTrust &trust)
{
    QMutexLocker locker(&m_trustMutex);
    m_submitTrust = trust;
}

IntakeTrust SubmitIntake::submitTrust() const
{
    QMutexLocker locker(&m_trustMutex);
    return m_submitTrust;
}

void SubmitIntake::findUserCode(const QString &name, QByteArrayView lines, UserCode *found) const
{
    // The defaults and programs never change once made: no lock (take() may hold it a while).
    BatchLineParser::Result result;
    BatchLineParser parser(name, m_haveDefaults ? &m_defaults : nullptr, 0, &result);
    parser.setPrograms(&m_programs);
    qsizetype pos = 0;
    qint64 lineNo = 0;
    while (pos < lines.size()) {
        qsizetype nl = lines.indexOf('\n', pos);
        if (nl < 0)
            nl = lines.size();
        QByteArrayView text = lines.sliced(pos, nl - pos);
        pos = nl + 1;
        ++lineNo;
        if (text.endsWith('\r'))
            text.chop(1);
        if (BatchLineParser::isBlank(text))
            continue;
        parser.parseJsonLine(text, lineNo);
        if (result.tasks.isEmpty())
            continue;
        const TaskShape &shape = *result.tasks.back().shape;
        if (const QString program = IntakeTrust::programOf(shape); !program.isEmpty())
            ++found->programs[program];
        else if (const QString command = IntakeTrust::commandOf(shape); !command.isEmpty())
            ++found->commands[command];
        result.tasks.clear();
    }
}

SubmitIntake::Outcome SubmitIntake::take(const QString &name, const QByteArray &lines,
                                         qint64 firstLine, std::function<void()> taken,
                                         const Terms &terms)
{
    QMutexLocker locker(&m_mutex);
    Outcome outcome;
    // One waiter at a time (the lock): the gate wakes the one feeder it has.
    const qint64 room = m_closed.load() ? 0 : m_gate->waitForRoom();
    if (room <= 0 || m_closed.load()) {
        outcome.closed = true;
        return outcome;
    }
    collectIds();
    // The journal's line numbers: the submission's lines follow the batch's (and earlier
    // submissions'), so an id made from a line number is the one a resume makes.
    const qint64 offset = m_lines - firstLine + 1;
    QByteArray journal;
    if (std::exchange(m_needsNewline, false))
        journal += '\n';
    BatchLineParser::Result result;
    BatchLineParser parser(name, m_haveDefaults ? &m_defaults : nullptr, int(lines.count('\n')) + 1,
                           &result);
    parser.setPrograms(&m_programs);
    qsizetype pos = 0;
    qint64 lineNo = firstLine;
    while (pos < lines.size() && lineNo - firstLine < room) {
        qsizetype nl = lines.indexOf('\n', pos);
        if (nl < 0)
            nl = lines.size();
        QByteArrayView text(lines.constData() + pos, nl - pos);
        pos = nl + 1;
        if (text.endsWith('\r'))
            text.chop(1);
        const qint64 at = lineNo++ + offset;
        if (BatchLineParser::isBlank(text)) {
            journal += '\n';
            continue;
        }
        QByteArray rewritten;
        if (terms.priority) {
            rewritten = withPriority(text, *terms.priority);
            if (!rewritten.isEmpty())
                text = rewritten;
        }
        const qsizetype tasksBefore = result.tasks.size();
        const qsizetype errorsBefore = result.errors.size();
        const qsizetype jobsBefore = result.mapReduce.size();
        parser.parseJsonLine(text, at);
        bool made = result.tasks.size() > tasksBefore;
        QString problem;
        int column = 1;
        if (result.mapReduce.size() > jobsBefore) {
            problem = TaskFeed::mapReduceRefusal();
        } else if (made && m_ids.contains(result.tasks.back().id)) {
            problem = QStringLiteral("duplicate id \"%1\" (a task of the run has it)")
                              .arg(result.tasks.back().id);
            if (text.contains("\"id\""))
                column = BatchLineParser::keyColumn(text, "id");
            result.tasks.removeLast();
            made = false;
        } else if (made) {
            // Code nobody agreed to does not run (the defaults line may make any line run a
            // command: what is checked is the task the line makes).
            problem = terms.trust.refusal(*result.tasks.back().shape);
            if (!problem.isEmpty()) {
                if (text.contains("\"compute\""))
                    column = BatchLineParser::keyColumn(text, "compute");
                result.tasks.removeLast();
                made = false;
            }
        }
        for (qsizetype i = errorsBefore; i < result.errors.size(); ++i) {
            BatchError e = result.errors[i];
            e.line = int(e.line - offset);
            outcome.rejected.append(e);
        }
        if (!problem.isEmpty())
            outcome.rejected.append(BatchError{name, int(at - offset), column, problem});
        if (made) {
            m_ids.insert(result.tasks.back().id);
            journal += text;
            ++outcome.accepted;
        } else if (errorsBefore == result.errors.size() && problem.isEmpty()) {
            outcome.rejected.append(
                    BatchError{name, int(at - offset), 1, QStringLiteral("no task")});
        }
        journal += '\n'; // a bad line keeps its place: the journal's line numbers stay right
    }
    outcome.bytes = std::min(pos, lines.size());
    outcome.lines = lineNo - firstLine;
    m_lines += outcome.lines;
    m_gate->sent(result.tasks.size());
    m_engine->addTasks(std::move(result.tasks), std::move(journal), std::move(taken));
    return outcome;
}

} // namespace Brigade
