#pragma once

#include "CliParser.h"
#include "ProgressView.h"
#include "output/ResultWriter.h"
#include "run/Engine.h"

#include <QMap>
#include <QObject>

#include <memory>

namespace Brigade {

// "brigade run BATCH": loads the batch, runs it headless with a progress view, writes the
// results, and ends with the exit status: 0 all succeeded, 1 some did not, 2 bad input.
class RunCommand : public QObject
{
    Q_OBJECT
public:
    explicit RunCommand(CliOptions options, QObject *parent = nullptr);
    ~RunCommand() override;

    // Starts from the event loop; exitRequested() tells the status to exit with.
    void start();

    // The whole thing for main(): parses args, runs, returns the exit status.
    static int main(const QStringList &args);

signals:
    void exitRequested(int status);

private:
    void begin();
    bool loadBatch(std::shared_ptr<TaskStore> *store);
    bool loadJournal(std::shared_ptr<TaskStore> *store, QVector<int> *finishedRows);
    void onFinished(const RunStats &stats);
    void noteFailure(const QVector<int> &rows);
    void noteChanged(const QVector<int> &rows);
    void fail(const QString &message, int status);
    // Stops what runs (the journal closed, the workers gone) but keeps the tasks in memory.
    void stop();

    CliOptions m_options;
    std::shared_ptr<TaskStore> m_store;
    QByteArray m_journalBatch; // the batch's bytes, for the journal the engine creates
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ProgressView> m_view;
    ResultWriter m_writer;
    bool m_writing = false;
    QMap<int, QString> m_running; // commands and calls running now, for the live view
    QVector<int> m_lastFinished;  // the latest tasksFinished(), for the latest failure
    qint64 m_failedSeen = 0;
};

} // namespace Brigade
