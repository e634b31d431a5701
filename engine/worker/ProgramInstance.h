#pragma once

#include "usercode/ProgramSpec.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>

#include <functional>

namespace Brigade {

class ChildProcess;
class ProcessGuardian;

// One running process of a long-lived program: starts it with fd 3 (requests in) and fd 4
// (replies out), frames what crosses them (docs/programs.md) and turns stdout and stderr
// into log lines. What a reply means, and what to do when the program misbehaves, is the
// CallRunner's business.
class ProgramInstance : public QObject
{
    Q_OBJECT
public:
    struct Environment
    {
        QList<QByteArray> base; // the worker's environment
        int workerSlot = 0;
        QString helperDir; // put on PYTHONPATH: the Python helper module
    };

    ProgramInstance(const ProgramSpec &spec, ProcessGuardian *guardian, QObject *parent = nullptr);
    ~ProgramInstance() override;

    bool start(const Environment &environment, QString *error);
    qint64 pid() const;
    bool isRunning() const;

    // One request: a JSON line and the body's bytes. Queued; flush() writes what is queued.
    void send(QByteArrayView line, QByteArrayView body);
    void flush();
    void closeRequests(); // end of input: the program should exit once it has replied
    void terminate(int graceMs);

    QByteArray stderrTail() const { return m_stderrTail; }
    QByteArray lastStderrLine() const;
    qint64 repliesSeen() const { return m_lines; }

    // A line on fd 4, parsed as a JSON object. onGarbage: a line that is not one.
    std::function<void(const QJsonObject &line)> onLine;
    std::function<void(const QByteArray &line)> onGarbage;
    // Whole lines of stdout (stream 1) and stderr (stream 2), for the log.
    std::function<void(quint8 stream, QByteArrayView lines)> onLog;
    std::function<void(int waitStatus)> onExited;

private:
    void onReplies(QByteArrayView data);
    void onOutput(quint8 stream, QByteArrayView data);

    ProgramSpec m_spec;
    ProcessGuardian *m_guardian;
    ChildProcess *m_process = nullptr;
    QByteArray m_out;
    QByteArray m_replyBuffer;
    QByteArray m_logBuffer[2];
    QByteArray m_stderrTail;
    qint64 m_lines = 0;
    bool m_garbage = false;
};

} // namespace Brigade
