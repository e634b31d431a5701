#pragma once

#include "SubmitIntake.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QThreadPool>

#include <memory>

class QLocalServer;
class QLocalSocket;

namespace Brigade {

// Takes tasks from other processes into a running run (brigade submit) over a local
// socket at socketDirectory()/NAME, which only its user may use. A client sends frames,
// each a 32-bit big-endian length and that many bytes: first a JSON object
// {"name": "FILE", "priority": N} (the name its lines have in messages; the priority, if
// any, that lines without their own get: SubmitIntake::take), then the lines' bytes in any
// pieces, then an empty frame. The answer is one JSON line, {"accepted": N, "rejected":
// [{"line": L, "column": C, "message": "..."}], "error": "..."}, sent once every accepted
// task is journaled.
//
// Back-pressure: a connection's bytes are read only while its lines are parsed and taken
// (SubmitIntake::take waits for room in the engine's queue); meanwhile the socket is not
// read, so the client's writes wait. What a connection holds is bounded by one frame and
// one stretch of lines.
class SubmitServer : public QObject
{
    Q_OBJECT
public:
    explicit SubmitServer(std::shared_ptr<SubmitIntake> intake, QObject *parent = nullptr);
    ~SubmitServer() override;

    // $XDG_RUNTIME_DIR/brigade, or /tmp/brigade-UID without it: made 0700 if missing.
    static QString socketDirectory();
    // "BASE-PID" for this process.
    static QString nameFor(const QString &base);
    // The running Brigades' socket names; sockets whose process is gone are removed.
    static QStringList runningNames();

    bool listen(const QString &name, QString *error);
    QString serverPath() const;
    // Submissions connected and not yet answered.
    int activeSubmissions() const { return int(m_connections.size()); }
    // Stop taking tasks: clients still connected and new ones are told the run has ended.
    void close();

    static constexpr qsizetype MaxFrameBytes = 1024 * 1024;

signals:
    // A submission was answered (or its client went away).
    void submissionEnded(qint64 accepted, qint64 rejected);
    // From the intake's threads: a stretch of a connection's lines is journaled, or taken.
    void stretchJournaled(quint64 connection, QPrivateSignal);
    void stretchTaken(quint64 connection, const Brigade::SubmitIntake::Outcome &outcome,
                      QPrivateSignal);

private:
    struct Connection;
    void onNewConnection();
    void pump(QLocalSocket *socket);
    void finish(QLocalSocket *socket, const QString &error = {});
    QLocalSocket *socketOf(quint64 id) const;
    void onStretchJournaled(quint64 id);
    void onStretchTaken(quint64 id, const SubmitIntake::Outcome &outcome);

    std::shared_ptr<SubmitIntake> m_intake;
    QLocalServer *m_server = nullptr;
    QHash<QLocalSocket *, std::shared_ptr<Connection>> m_connections;
    QHash<quint64, QPointer<QLocalSocket>> m_sockets; // by Connection::id
    quint64 m_lastId = 0;
    QThreadPool m_pool; // parses off the caller's thread
    bool m_closed = false;
};

} // namespace Brigade
