#pragma once

#include <QFlags>
#include <QObject>
#include <QString>

namespace Brigade {

// One piece of work a front end starts, watches and may stop: a run of a batch's tasks
// (TaskRunJob) or a MapReduce job (MapReduceJob). Modelled on KDE's KJob:
//
// - start() begins the work from the event loop; result() is never emitted from inside it.
// - result() is emitted exactly once, after error() and errorText() are set: NoError, or
//   why the job did not do all it was asked. Nothing is emitted after it.
// - kill() asks a Killable job to stop: what is in flight is abandoned, and result() follows
//   (asynchronously, once the job has stopped) with error() == KilledError.
// - suspend()/resume() pause a Suspendable job: nothing new starts; what is in flight ends.
// - processed/total amounts are emitted only when they change.
//
// A view needs nothing but this interface to show any job's progress and to offer its
// actions (the window's job view; the terminal's progress line).
class Job : public QObject
{
    Q_OBJECT
public:
    enum Capability { NoCapabilities = 0, Killable = 1, Suspendable = 2 };
    Q_DECLARE_FLAGS(Capabilities, Capability)

    enum Error {
        NoError = 0,
        KilledError = 1,  // stopped by kill()
        StartError = 2,   // could not start (an input that cannot be read, ...)
        PartialError = 3, // ran to the end, but some of its work failed
        FailedError = 4,  // ran, and failed as a whole
    };

    enum class Unit { Items, Bytes };
    Q_ENUM(Unit)

    explicit Job(QObject *parent = nullptr);
    ~Job() override;

    Capabilities capabilities() const { return m_capabilities; }
    // A short name for views: "Run", "Retry failed", "MapReduce"...
    QString title() const { return m_title; }

    void start();
    bool kill();
    bool suspend();
    bool resume();

    bool isStarted() const { return m_started; }
    bool isFinished() const { return m_finished; }
    bool isRunning() const { return m_started && !m_finished; }
    bool isSuspended() const { return m_suspended; }
    bool isKilled() const { return m_killed; }

    int error() const { return m_error; }
    QString errorText() const { return m_errorText; }

    qint64 processedAmount(Unit unit) const;
    qint64 totalAmount(Unit unit) const;
    // The unit the job counts its progress in (tasks, or bytes of input).
    Unit progressUnit() const { return m_progressUnit; }
    // 0..100 from the progress unit's amounts.
    int percent() const;

signals:
    void result(Brigade::Job *job);
    void processedAmountChanged(Brigade::Job *job, Brigade::Job::Unit unit, qint64 amount);
    void totalAmountChanged(Brigade::Job *job, Brigade::Job::Unit unit, qint64 amount);
    // kill() was accepted: the job is stopping, and result() follows once it has stopped.
    void stopping(Brigade::Job *job);
    void suspended(Brigade::Job *job);
    void resumed(Brigade::Job *job);
    // News worth showing to the user (a worker lost, a journal that cannot be written).
    void infoMessage(Brigade::Job *job, const QString &text);

protected:
    virtual void doStart() = 0;
    // Begin stopping; return false when the job cannot be killed now. result() must follow.
    virtual bool doKill() { return false; }
    virtual bool doSuspend() { return false; }
    virtual bool doResume() { return false; }

    void setCapabilities(Capabilities c) { m_capabilities = c; }
    void setTitle(const QString &title) { m_title = title; }
    void setProgressUnit(Unit unit) { m_progressUnit = unit; }
    void setError(int error) { m_error = error; }
    void setErrorText(const QString &text) { m_errorText = text; }
    void setProcessedAmount(Unit unit, qint64 amount);
    void setTotalAmount(Unit unit, qint64 amount);
    // Ends the job: emits result() once (later calls do nothing).
    void emitResult();

private:
    Capabilities m_capabilities = NoCapabilities;
    QString m_title;
    Unit m_progressUnit = Unit::Items;
    bool m_started = false;
    bool m_finished = false;
    bool m_suspended = false;
    bool m_killed = false;
    int m_error = NoError;
    QString m_errorText;
    qint64 m_processed[2] = {0, 0};
    qint64 m_total[2] = {0, 0};
};

} // namespace Brigade

Q_DECLARE_OPERATORS_FOR_FLAGS(Brigade::Job::Capabilities)
