#pragma once

#include "RunSettings.h"
#include "WorkerLaunch.h"
#include "protocol/FrameDecoder.h"
#include "protocol/Messages.h"

#include <QObject>
#include <QProcess>
#include <QTimer>

namespace Brigade {

// One brigade-worker process as the engine sees it: starts it, turns its stdout into
// frames and its failures (exit, crash, garbage, silence) into one lost() signal.
// After lost() or stopped() the object is finished; the owner deletes it.
class WorkerProcess : public QObject
{
    Q_OBJECT
public:
    WorkerProcess(int slot, quint32 incarnation, WorkerLaunch launch, const RunSettings &settings,
                  QObject *parent = nullptr);
    ~WorkerProcess() override;

    int slot() const { return m_slot; }
    quint32 incarnation() const { return m_incarnation; }
    bool isReady() const { return m_ready; }
    const HelloMsg &hello() const { return m_hello; }
    qint64 pid() const;

    // Starts the process from the event loop (never from inside a caller's slot).
    void start();
    // Frames to send; written as they come.
    void send(const QByteArray &frames);
    // Orderly stop: shutdown frame, close stdin, then terminate, then kill.
    void stop();
    // Immediate SIGKILL; emits lost(reason).
    void kill(const QString &reason);

signals:
    void ready();
    void resultsReceived(const QVector<Brigade::AttemptResult> &results);
    void heartbeat(const Brigade::HeartbeatMsg &hb);
    void outputReceived(const Brigade::OutputMsg &output);
    void lost(const QString &reason);
    void stopped();
    void logLine(const QString &line);

private:
    void launch();
    void armWatchdog();
    void onStdout();
    void onStderr();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onError(QProcess::ProcessError error);
    void handleFrame(const FrameDecoder::Frame &frame);
    void fail(const QString &reason);

    int m_slot;
    quint32 m_incarnation;
    WorkerLaunch m_launch;
    RunSettings m_settings;
    QProcess *m_process;
    FrameDecoder m_decoder;
    QTimer m_watchdog;
    HelloMsg m_hello;
    bool m_ready = false;
    bool m_stopping = false;
    bool m_done = false;
    QByteArray m_stderrLine;
    QVector<AttemptResult> m_results;
};

} // namespace Brigade
