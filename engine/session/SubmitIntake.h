#pragma once

#include "IntakeTrust.h"
#include "batch/Batch.h"
#include "batch/BatchLineParser.h"

#include <QMap>
#include <QMutex>
#include <QSet>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace Brigade {

class Engine;
class FeedGate;
class TaskStore;

// Where tasks submitted to a running run (brigade submit, File > Add Tasks...) join it.
// Each stretch of whole lines is parsed with the batch parser under the batch's defaults
// and programs, as if it had been written at the end of the batch file: so a resume of the
// journal, which re-reads the batch with the lines appended, makes the same tasks with the
// same ids. The tasks go to the engine (Engine::addTasks), which journals them before they
// count. A bad line keeps its place in the journal as an empty line.
//
// take() runs on any thread (not the GUI's: parsing is work); calls are serialised, so
// the journal gets the lines in the order their line numbers say.
class SubmitIntake
{
public:
    struct Outcome
    {
        qint64 accepted = 0;
        QList<BatchError> rejected; // lines numbered as in the submission
        qsizetype bytes = 0;        // of lines taken: the rest waits for room
        qint64 lines = 0;
        bool closed = false; // the run takes no more tasks
    };

    // How a stretch of lines is taken.
    struct Terms
    {
        // brigade submit --priority: written into every line that is a JSON object without
        // a "priority" of its own, before it is parsed and journaled, so a resume keeps it.
        std::optional<qint32> priority;
        // The user's code the lines' tasks may run; a task running other code is rejected.
        IntakeTrust trust;
    };

    // The user's code a submission would run (IntakeTrust::commandOf and programOf), with
    // how many of its tasks run each.
    struct UserCode
    {
        QMap<QString, qint64> commands;
        QMap<QString, qint64> programs;
        bool isEmpty() const { return commands.isEmpty() && programs.isEmpty(); }
    };

    // batchLines: lines of the journal's batch so far; endsWithoutNewline: its last line has
    // no '\n' yet (the first stretch adds one).
    SubmitIntake(Engine *engine, std::shared_ptr<FeedGate> gate,
                 std::shared_ptr<const TaskStore> store, const Batch &batch, qint64 batchLines,
                 bool endsWithoutNewline);

    std::shared_ptr<FeedGate> gate() const { return m_gate; }
    // Waits for room in the engine's queue (FeedGate), then parses as many of lines (whole
    // lines, each ending in '\n'; the first is the submission's line firstLine, named name
    // in messages) as there is room for and hands their tasks to the engine. taken is
    // called on the engine's thread once they are journaled and count.
    Outcome take(const QString &name, const QByteArray &lines, qint64 firstLine,
                 std::function<void()> taken, const Terms &terms = {});
    // Adds to *found the user's code the tasks of lines (whole lines) would run, parsed as
    // take() parses them, but takes nothing: so it can be shown before they are taken. Any
    // thread, at any time (it does not wait for room).
    void findUserCode(const QString &name, QByteArrayView lines, UserCode *found) const;

    // What brigade submit's lines may run (SubmitServer takes each stretch under the
    // trust of the moment). Everything unless set; any thread.
    void setSubmitTrust(const IntakeTrust &trust);
    IntakeTrust submitTrust() const;

    // line with "priority": priority added, when it is a JSON object without one; else
    // empty. Added at the end, so the columns of what the line had stay where they were.
    static QByteArray withPriority(QByteArrayView line, qint32 priority);

    // No more tasks: take() says closed, and one waiting for room returns.
    void close();

private:
    void collectIds(); // the batch's ids, once, on the first take()

    QMutex m_mutex;
    Engine *m_engine;
    std::shared_ptr<FeedGate> m_gate;
    std::shared_ptr<const TaskStore> m_store;
    BatchLineParser::Fields m_defaults;
    bool m_haveDefaults = false;
    ProgramTable m_programs;
    qint64 m_lines; // the journal batch's lines so far
    bool m_needsNewline;
    int m_batchRows;
    bool m_idsCollected = false;
    QSet<QString> m_ids; // every task's id in the run: ids are unique in a run
    std::atomic_bool m_closed{false};
    mutable QMutex m_trustMutex; // not m_mutex: take() holds that while it waits for room
    IntakeTrust m_submitTrust;
};

} // namespace Brigade
