#include "SubmitServer.h"

#include "IntakeStream.h"
#include "SubmitIntake.h"
#include "core/TaskSpec.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QtEndian>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

namespace Brigade {

// One client's submission: its frames not read yet, and its lines on their way in.
struct SubmitServer::Connection
{
    QByteArray inbox;   // bytes read from the socket, not yet split into frames
    IntakeStream lines; // bytes received, not yet taken (whole lines first), and the counts
    std::optional<qint32> priority; // the header's, for lines without their own
    quint64 id = 0;                 // for the answers of other threads (see pump)
    int outstanding = 0;            // stretches handed to the engine, not yet journaled
    bool headerRead = false;
    bool busy = false; // a stretch is being taken
};

SubmitServer::SubmitServer(std::shared_ptr<SubmitIntake> intake, QObject *parent)
    : QObject(parent)
    , m_intake(std::move(intake))
{
    m_pool.setMaxThreadCount(1); // the intake takes one stretch at a time anyway
    connect(this, &SubmitServer::stretchJournaled, this, &SubmitServer::onStretchJournaled,
            Qt::QueuedConnection);
    connect(this, &SubmitServer::stretchTaken, this, &SubmitServer::onStretchTaken,
            Qt::QueuedConnection);
}

SubmitServer::~SubmitServer()
{
    close();
    m_pool.waitForDone();
    if (m_server)
        m_server->close();
}

QString SubmitServer::socketDirectory()
{
    const QByteArray runtime = qgetenv("XDG_RUNTIME_DIR");
    const QString dir = !runtime.isEmpty() ? QFile::decodeName(runtime) + QStringLiteral("/brigade")
                                           : QStringLiteral("/tmp/brigade-%1").arg(::getuid());
    // 0700: only this user may connect, whatever the socket's own mode.
    if (::mkdir(QFile::encodeName(dir).constData(), 0700) != 0 && errno == EEXIST)
        ::chmod(QFile::encodeName(dir).constData(), 0700);
    return dir;
}

QString SubmitServer::nameFor(const QString &base)
{
    return QStringLiteral("%1-%2").arg(base).arg(QCoreApplication::applicationPid());
}

QStringList SubmitServer::runningNames()
{
    const QString dir = socketDirectory();
    QStringList names;
    const QFileInfoList entries = QDir(dir).entryInfoList(QDir::System | QDir::Files, QDir::Name);
    for (const QFileInfo &entry : entries) {
        const QString name = entry.fileName();
        const qsizetype dash = name.lastIndexOf(u'-');
        bool ok = false;
        const qint64 pid = dash > 0 ? name.mid(dash + 1).toLongLong(&ok) : 0;
        if (!ok || pid <= 0)
            continue;
        if (::kill(pid_t(pid), 0) != 0 && errno == ESRCH) {
            QFile::remove(entry.filePath()); // left by a Brigade that died
            continue;
        }
        names.append(name);
    }
    return names;
}

bool SubmitServer::listen(const QString &name, QString *error)
{
    const QString path = socketDirectory() + u'/' + name;
    QLocalServer::removeServer(path);
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(path)) {
        *error = tr("cannot listen at %1: %2").arg(path, m_server->errorString());
        return false;
    }
    connect(m_server, &QLocalServer::newConnection, this, &SubmitServer::onNewConnection);
    return true;
}

QString SubmitServer::serverPath() const
{
    return m_server ? m_server->fullServerName() : QString();
}

void SubmitServer::close()
{
    if (m_closed)
        return;
    m_closed = true;
    m_intake->close();
}

void SubmitServer::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        // Qt reads from the kernel only into this much: past it, the client's writes wait.
        socket->setReadBufferSize(MaxFrameBytes + 4);
        const auto connection = std::make_shared<Connection>();
        connection->id = ++m_lastId;
        m_connections.insert(socket, connection);
        m_sockets.insert(connection->id, socket);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { pump(socket); });
        connect(socket, &QLocalSocket::disconnected, this, [this, socket, id = connection->id] {
            // A client gone before its answer: what it sent so far still runs.
            m_sockets.remove(id);
            if (const auto c = m_connections.take(socket))
                emit submissionEnded(c->lines.accepted(), c->lines.rejected().size());
            socket->deleteLater();
        });
        if (m_closed)
            finish(socket, tr("the run has ended"));
        else
            pump(socket);
    }
}

void SubmitServer::pump(QLocalSocket *socket)
{
    const std::shared_ptr<Connection> c = m_connections.value(socket);
    if (!c || c->busy)
        return;
    // Read frames only while nothing much waits: this is where back-pressure stops reading.
    constexpr qsizetype InboxBytes = MaxFrameBytes + 4;
    while (!c->lines.isEnded() && c->lines.pendingBytes() < MaxFrameBytes) {
        // Asking for more than Qt holds is what makes it read the socket again once its
        // read buffer was full; reading only whole frames out of that buffer would leave a
        // partial frame stuck there and the client waiting for good.
        if (c->inbox.size() < InboxBytes && socket->bytesAvailable() > 0)
            c->inbox += socket->read(InboxBytes - c->inbox.size());
        if (c->inbox.size() < 4)
            break;
        const quint32 length = qFromBigEndian<quint32>(c->inbox.constData());
        if (length > MaxFrameBytes)
            return finish(socket, tr("a frame of %1 bytes is too long").arg(length));
        if (c->inbox.size() < 4 + qsizetype(length))
            break;
        const QByteArray frame = c->inbox.mid(4, length);
        c->inbox.remove(0, 4 + qsizetype(length));
        if (!c->headerRead) {
            const QJsonObject header = QJsonDocument::fromJson(frame).object();
            if (header.isEmpty())
                return finish(socket, tr("the request does not start with its header"));
            c->headerRead = true;
            if (const QString name = header.value(u"name").toString(); !name.isEmpty())
                c->lines.setName(name);
            if (header.contains(u"priority")) {
                const QJsonValue p = header.value(u"priority");
                const double n = p.toDouble(MaxPriority + 1.0);
                if (!p.isDouble() || n < -MaxPriority || n > MaxPriority || n != std::floor(n))
                    return finish(socket, tr("the priority must be an integer from %1 to %2")
                                                  .arg(-MaxPriority)
                                                  .arg(MaxPriority));
                c->priority = qint32(n);
            }
        } else if (frame.isEmpty()) {
            c->lines.end();
        } else {
            c->lines.append(frame);
        }
    }
    if (c->lines.isClosed()) {
        if (c->outstanding == 0)
            finish(socket, tr("the run has ended"));
        return;
    }
    if (const QByteArray lines = c->lines.stretch(); !lines.isEmpty()) {
        c->busy = true;
        ++c->outstanding;
        // The connection's state stays on this thread: the pool and the engine get copies and
        // come back in queued signals (their arguments are copies, not a closure that the
        // other thread may free), and the connection is looked up again (it may have gone).
        QPointer<SubmitServer> self(this);
        auto taken = [self, id = c->id] {
            if (self)
                emit self->stretchJournaled(id, QPrivateSignal());
        };
        m_pool.start([self, id = c->id, intake = m_intake, name = c->lines.name(), lines,
                      firstLine = c->lines.nextLine(), taken, priority = c->priority] {
            // The trust of the moment: the window's user may allow code while one sends.
            const SubmitIntake::Outcome outcome = intake->take(name, lines, firstLine, taken,
                                                               {priority, intake->submitTrust()});
            if (outcome.closed)
                taken(); // nothing was handed over
            if (self)
                emit self->stretchTaken(id, outcome, QPrivateSignal());
        });
        return;
    }
    if (c->lines.isEnded() && c->outstanding == 0)
        finish(socket);
}

QLocalSocket *SubmitServer::socketOf(quint64 id) const
{
    return m_sockets.value(id).data();
}

void SubmitServer::onStretchJournaled(quint64 id)
{
    QLocalSocket *socket = socketOf(id);
    if (const auto c = m_connections.value(socket); c && socket) {
        --c->outstanding;
        pump(socket);
    }
}

void SubmitServer::onStretchTaken(quint64 id, const SubmitIntake::Outcome &outcome)
{
    QLocalSocket *socket = socketOf(id);
    const auto c = m_connections.value(socket);
    if (!socket || !c)
        return;
    c->busy = false;
    c->lines.taken(outcome);
    pump(socket);
}

void SubmitServer::finish(QLocalSocket *socket, const QString &error)
{
    const std::shared_ptr<Connection> c = m_connections.take(socket);
    if (!c)
        return;
    QJsonArray rejected;
    for (const BatchError &e : c->lines.rejected())
        rejected.append(QJsonObject{{QStringLiteral("line"), e.line},
                                    {QStringLiteral("column"), e.column},
                                    {QStringLiteral("message"), e.message}});
    QJsonObject answer{{QStringLiteral("accepted"), c->lines.accepted()},
                       {QStringLiteral("rejected"), rejected}};
    if (!error.isEmpty())
        answer.insert(QStringLiteral("error"), error);
    socket->write(QJsonDocument(answer).toJson(QJsonDocument::Compact) + '\n');
    if (c->lines.isEnded()) {
        socket->disconnectFromServer();
    } else {
        // Answered early (the run ended): what the client still sends is read and dropped,
        // so it is not cut off mid-write and reads the answer; it stops when it sees it.
        disconnect(socket, &QLocalSocket::readyRead, this, nullptr);
        connect(socket, &QLocalSocket::readyRead, socket, [socket] { socket->readAll(); });
        socket->readAll();
    }
    emit submissionEnded(c->lines.accepted(), c->lines.rejected().size());
}

} // namespace Brigade
