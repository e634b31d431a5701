#include "SubmitCommand.h"

#include "session/SubmitServer.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QtEndian>

#include <cstdio>

namespace Brigade {

namespace {

constexpr qsizetype ChunkBytes = 256 * 1024;

void printErr(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stderr);
    std::fputc('\n', stderr);
}

bool sendFrame(QLocalSocket &socket, const QByteArray &bytes)
{
    char head[4];
    qToBigEndian<quint32>(quint32(bytes.size()), head);
    if (socket.write(head, 4) != 4 || socket.write(bytes) != bytes.size())
        return false;
    // Waits while the run reads no more (back-pressure): the file is read no further.
    while (socket.bytesToWrite() > 0) {
        if (!socket.waitForBytesWritten(-1))
            return false;
    }
    return true;
}

} // namespace

int SubmitCommand::run(const CliOptions &options)
{
    const QString &path = options.batchPath;
    const QString name = path == u"-" ? QStringLiteral("<stdin>") : path;
    QFile file(path);
    const bool opened = path == u"-" ? file.open(stdin, QIODevice::ReadOnly)
                                     : (QFileInfo(path).isFile() && file.open(QIODevice::ReadOnly));
    if (!opened) {
        printErr(QStringLiteral("brigade: cannot read %1: %2")
                         .arg(path, QFileInfo::exists(path) ? file.errorString()
                                                            : QStringLiteral("no such file")));
        return 2;
    }
    const QStringList running = SubmitServer::runningNames();
    QString target = options.submitTo;
    if (target.isEmpty()) {
        if (running.isEmpty()) {
            printErr(QStringLiteral("brigade: no Brigade is running to submit to (brigade run "
                                    "BATCH or the window takes submissions while it runs)"));
            return 1;
        }
        if (running.size() > 1) {
            printErr(QStringLiteral("brigade: several Brigades are running; choose one with "
                                    "--to NAME:\n  %1")
                             .arg(running.join(QStringLiteral("\n  "))));
            return 2;
        }
        target = running.first();
    } else if (!running.contains(target)) {
        printErr(QStringLiteral("brigade: no Brigade named %1 is running%2")
                         .arg(target, running.isEmpty()
                                              ? QString()
                                              : QStringLiteral(" (running: %1)")
                                                        .arg(running.join(QStringLiteral(", ")))));
        return 2;
    }

    QLocalSocket socket;
    socket.connectToServer(SubmitServer::socketDirectory() + u'/' + target);
    if (!socket.waitForConnected(10000)) {
        printErr(QStringLiteral("brigade: cannot reach %1: %2").arg(target, socket.errorString()));
        return 1;
    }
    QJsonObject header{{QStringLiteral("name"), name}};
    // The run writes it into the lines without their own, so its journal keeps it.
    if (options.submitPriority)
        header.insert(QStringLiteral("priority"), *options.submitPriority);
    bool sent = sendFrame(socket, QJsonDocument(header).toJson(QJsonDocument::Compact));
    // An answer before the end means the run takes no more: stop sending.
    while (sent && !file.atEnd() && !socket.canReadLine()) {
        const QByteArray chunk = file.read(ChunkBytes);
        if (chunk.isEmpty())
            break;
        sent = sendFrame(socket, chunk);
    }
    if (sent && !socket.canReadLine())
        sent = sendFrame(socket, {});
    // The answer comes once every accepted task is journaled (or at once if the run ended).
    while (!socket.canReadLine() && socket.state() == QLocalSocket::ConnectedState)
        socket.waitForReadyRead(-1);
    const QByteArray line = socket.readLine();
    const QJsonObject answer = QJsonDocument::fromJson(line).object();
    if (answer.isEmpty()) {
        printErr(QStringLiteral("brigade: %1 closed the connection without an answer").arg(target));
        return 1;
    }
    const qint64 accepted = answer.value(u"accepted").toInteger();
    const QJsonArray rejected = answer.value(u"rejected").toArray();
    for (const QJsonValue &v : rejected) {
        const QJsonObject e = v.toObject();
        printErr(QStringLiteral("%1:%2:%3: %4")
                         .arg(name)
                         .arg(e.value(u"line").toInteger())
                         .arg(e.value(u"column").toInteger())
                         .arg(e.value(u"message").toString()));
    }
    const QString error = answer.value(u"error").toString();
    if (!error.isEmpty())
        printErr(QStringLiteral("brigade: %1: %2").arg(target, error));
    printErr(QStringLiteral("brigade: %1 accepted %2 %3, rejected %4 %5")
                     .arg(target)
                     .arg(accepted)
                     .arg(accepted == 1 ? QStringLiteral("task") : QStringLiteral("tasks"))
                     .arg(rejected.size())
                     .arg(rejected.size() == 1 ? QStringLiteral("line") : QStringLiteral("lines")));
    return rejected.isEmpty() && error.isEmpty() && sent ? 0 : 1;
}

} // namespace Brigade
