#pragma once

#include "batch/Batch.h"

#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>
#include <vector>

class QThread;

namespace Brigade {

class Engine;
class FeedGate;

// Where a fed run's tasks come from (brigade run -, brigade run --follow FILE).
struct FeedSource
{
    int fd = -1;  // read this descriptor (0: stdin) until its end ...
    QString path; // ... or this file, and what is appended to it, until stop()
    QString name; // in messages: "<stdin>" or the path
    // Lines are arguments of this command (brigade run - -- PROG ARG...), each a task as
    // brigade run LIST -- PROG makes them; empty: lines are JSON Lines tasks.
    QStringList command;
    QString cwd;
    // Back-pressure: unstarted tasks the engine holds at most (in a run that retires its
    // finished tasks, RunSettings::retireFinished, finished ones not retired yet count too).
    qint64 maxQueued = 100000;
    // A bad line is reported and skipped; without this the feed also stops at it (what is
    // already in runs to its end), as a batch with errors does not run without
    // --skip-invalid.
    bool skipInvalid = false;
};

// Reads tasks into a running run as they arrive. A thread of its own reads the source,
// parses each stretch of whole lines with the batch parser (so a bad line gets the same
// name:line:column message as in a batch file) and hands the tasks to the engine
// (Engine::addTasks, which journals them before they count). It reads only while the
// engine holds fewer than FeedSource::maxQueued unstarted tasks: a fast producer's pipe
// fills and it waits. At the end of the input the engine hears closeFeed().
//
// Signals arrive in the thread that made the feed.
class TaskFeed : public QObject
{
    Q_OBJECT
public:
    TaskFeed(FeedSource source, Engine *engine, std::shared_ptr<FeedGate> gate,
             QObject *parent = nullptr);
    ~TaskFeed() override; // stops reading and waits for the thread

    void start();
    // Stops reading (the tasks already handed over stay); ended() follows.
    void stop();
    const FeedSource &source() const { return m_source; }
    // Why a fed or submitted line that is a MapReduce job makes no task.
    static QString mapReduceRefusal();
    std::shared_ptr<FeedGate> gate() const { return m_gate; }

signals:
    // A line that made no task, as "name:line:column: message".
    void lineRejected(const Brigade::BatchError &error);
    // Reading is over: at the end of the input, at stop(), after a bad line (unless
    // skipInvalid), or because the input could not be read (error says why).
    void ended(qint64 accepted, qint64 rejected, const QString &error);

private:
    struct Reader;
    struct Line
    {
        QByteArrayView text;
        qint64 no; // in the input
    };
    void run();
    // Waits for input and appends it to the reader's buffer; an error text if it cannot.
    QString readMore(Reader &r);
    // Parses whole lines and hands their tasks to the engine; false if a line was bad (then,
    // without skipInvalid, the lines after it are not taken).
    bool parseStretch(Reader &r, const std::vector<Line> &lines);
    // Whether a task's id is new (then it is taken); written: the line wrote it out.
    static bool takeId(Reader &r, const QString &id, qint64 lineNo, bool written);

    FeedSource m_source;
    Engine *m_engine;
    std::shared_ptr<FeedGate> m_gate;
    QThread *m_thread = nullptr;
    int m_wakeFd = -1; // an eventfd: stop() wakes a read waiting for input
    std::atomic_bool m_stop{false};
};

} // namespace Brigade
