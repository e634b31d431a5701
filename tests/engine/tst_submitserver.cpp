// Tasks submitted to a running batch run over its local socket (SubmitServer, real client
// sockets, real workers): the answer counts the accepted tasks and places each bad line,
// every accepted task is in the journal before the answer, a client that sends more than
// the run may hold is paused rather than buffered, the socket's folder is the user's alone,
// and a run whose batch is done ends once no submission is in progress.
#include "JournalRuns.h"
#include "TestRunSettings.h"
#include "batch/BatchParser.h"
#include "journal/Journal.h"
#include "run/FeedGate.h"
#include "session/RunSession.h"
#include "session/SubmitIntake.h"
#include "session/SubmitServer.h"
#include "session/UrlListLines.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace Brigade;

namespace {

QByteArray frame(const QByteArray &bytes)
{
    char head[4];
    qToBigEndian<quint32>(quint32(bytes.size()), head);
    return QByteArray(head, 4) + bytes;
}

// The header, lines in frames of at most 64 KiB, and the end.
QByteArray request(const QByteArray &lines)
{
    QByteArray bytes = frame(R"({"name":"more.jsonl"})");
    for (qsizetype at = 0; at < lines.size(); at += 64 * 1024)
        bytes += frame(lines.mid(at, 64 * 1024));
    return bytes + frame({});
}

// Waits (in the event loop, so the server in this process can answer) for the answer.
QJsonObject answerOf(QLocalSocket &socket)
{
    QSignalSpy ready(&socket, &QLocalSocket::readyRead);
    while (!socket.canReadLine()) {
        if (!ready.wait(30000))
            return {};
    }
    return QJsonDocument::fromJson(socket.readLine()).object();
}

} // namespace

class tst_SubmitServer : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void acceptedJournaledAndBadLinesPlaced();
    void clientPausedWhileTheRunIsFull();
    void submissionBeyondOneReadIsTakenWhole();
    void socketFolderIsTheUsersAlone();
    void staleSocketsAreRemoved();
    void priorityIsWrittenIntoTheLines();
    void reopeningIntakeRunsAnEndedRunAgain();
    void codeLinesFollowTheSubmitTrust();
    void trustOnlyLetsInWhatWasShown();
    void addedUrlListPlacesProblemsInItsOwnLines();
    void urlListColumns();

private:
    QTemporaryDir m_runtime;
};

void tst_SubmitServer::initTestCase()
{
    QVERIFY(m_runtime.isValid());
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
}

void tst_SubmitServer::acceptedJournaledAndBadLinesPlaced()
{
    QTemporaryDir dir;
    const QString batchPath = dir.filePath(QStringLiteral("batch.jsonl"));
    const QString journalPath = dir.filePath(QStringLiteral("batch.journal"));
    {
        QFile file(batchPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        // The defaults apply to submitted lines too; the last line has no '\n'.
        file.write("{\"defaults\":{\"compute\":{\"op\":\"sum_to\",\"n\":3}}}\n"
                   "{\"id\":\"first\",\"fetch\":{\"delay_ms\":30000}}");
    }
    Result<OpenedRun> opened = RunSession::open(batchPath);
    QVERIFY(opened);
    RunSession session;
    session.setJournalPath(journalPath);
    session.adopt(std::move(*opened));
    const QString name = SubmitServer::nameFor(QStringLiteral("batch"));
    session.setIntake(name);
    QSignalSpy finished(&session, &RunSession::finished);
    QVERIFY(session.run(Test::workerSettings(1, 8)));
    QVERIFY(SubmitServer::runningNames().contains(name));

    QLocalSocket client;
    client.connectToServer(SubmitServer::socketDirectory() + u'/' + name);
    QVERIFY(client.waitForConnected(10000));
    client.write(request("{\"id\":\"a\"}\n"
                         "{\"id\":\"first\"}\n"
                         "\n"
                         "{\"fetch\":7}\n"
                         "{}"));
    const QJsonObject answer = answerOf(client);
    QCOMPARE(answer.value(u"accepted").toInteger(), 2);
    const QJsonArray rejected = answer.value(u"rejected").toArray();
    QCOMPARE(rejected.size(), 2);
    QCOMPARE(rejected[0].toObject().value(u"line").toInt(), 2);
    QCOMPARE(rejected[0].toObject().value(u"column").toInt(), 2);
    QVERIFY(rejected[0].toObject().value(u"message").toString().contains(u"duplicate id"));
    QCOMPARE(rejected[1].toObject().value(u"line").toInt(), 4);
    QVERIFY(!answer.contains(u"error"));

    // Journaled before the answer: the journal, read now, has the lines after the batch's,
    // and parsed again they make the same tasks (the id from its line number included).
    {
        Journal journal;
        QString error;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        const QByteArray data = journal.batchData(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(data.endsWith("{\"delay_ms\":30000}}\n{\"id\":\"a\"}\n\n\n\n{}\n"), data);
        const Batch batch = BatchParser::parseData(data, batchPath);
        QCOMPARE(batch.errorCount, 0);
        QCOMPARE(batch.tasks.size(), 3);
        QCOMPARE(batch.tasks[1].id, QStringLiteral("a"));
        QCOMPARE(batch.tasks[2].id, QStringLiteral("7"));
    }
    QTRY_COMPARE_WITH_TIMEOUT(session.store()->size(), 3, 30000);
    QCOMPARE(session.store()->spec(2).id, QStringLiteral("7"));
    // The batch's long task keeps the run going; cancelled, the run ends and takes no more.
    QVERIFY(finished.isEmpty());
    session.job()->kill();
    QVERIFY(finished.wait(30000));
    QLocalSocket late;
    late.connectToServer(SubmitServer::socketDirectory() + u'/' + name);
    if (late.waitForConnected(2000)) {
        late.write(request("{}\n"));
        const QJsonObject lateAnswer = answerOf(late);
        QCOMPARE(lateAnswer.value(u"accepted").toInteger(), 0);
        QVERIFY(lateAnswer.value(u"error").toString().contains(u"ended"));
    }
}

void tst_SubmitServer::clientPausedWhileTheRunIsFull()
{
    QTemporaryDir dir;
    const QString batchPath = dir.filePath(QStringLiteral("small.jsonl"));
    {
        QFile file(batchPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        // Long enough that the run is still going when the client connects.
        file.write("{\"fetch\":{\"delay_ms\":30000}}\n");
    }
    Result<OpenedRun> opened = RunSession::open(batchPath);
    QVERIFY(opened);
    RunSession session;
    session.setJournalling(false);
    session.adopt(std::move(*opened));
    const QString name = SubmitServer::nameFor(QStringLiteral("small"));
    constexpr qint64 maxQueued = 4;
    session.setIntake(name, maxQueued);
    QSignalSpy finished(&session, &RunSession::finished);
    QVERIFY(session.run(Test::workerSettings(1, 1)));

    // Far more than the socket, Qt's read buffer, the server's own frame buffer and one
    // stretch hold (about 3 MiB together): 8 MiB of slow tasks.
    QByteArray lines;
    const QByteArray line = "{\"fetch\":{\"delay_ms\":1000}}\n";
    while (lines.size() < 8 * 1024 * 1024)
        lines += line;
    QLocalSocket client;
    client.connectToServer(SubmitServer::socketDirectory() + u'/' + name);
    QVERIFY(client.waitForConnected(10000));
    client.write(request(lines));
    // The run fills up to its limit, and the rest waits in the client, unread.
    const std::shared_ptr<FeedGate> gate = session.intake()->gate();
    QTRY_COMPARE_WITH_TIMEOUT(gate->held(), maxQueued, 30000);
    QSignalSpy written(&client, &QLocalSocket::bytesWritten);
    written.wait(200); // let the server read what it would
    QVERIFY(gate->peakHeld() <= maxQueued);
    QVERIFY2(client.bytesToWrite() > 4 * 1024 * 1024, QByteArray::number(client.bytesToWrite()));
    QVERIFY(session.store()->size() <= 1 + maxQueued + 1);

    // Cancelled: the client hears that the run ended, with what was taken.
    session.job()->kill();
    QVERIFY(finished.wait(30000));
    const QJsonObject answer = answerOf(client);
    QVERIFY(answer.value(u"error").toString().contains(u"ended"));
    QVERIFY(answer.value(u"accepted").toInteger() <= maxQueued + 1);
    QVERIFY(gate->peakHeld() <= maxQueued);
}

void tst_SubmitServer::submissionBeyondOneReadIsTakenWhole()
{
    // Several times what Qt reads ahead for a connection: the server once stopped for good
    // when a frame was left half in Qt's full read buffer.
    QTemporaryDir dir;
    const QString batchPath = dir.filePath(QStringLiteral("long.jsonl"));
    {
        QFile file(batchPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"id\":\"long\",\"fetch\":{\"delay_ms\":30000}}\n");
    }
    Result<OpenedRun> opened = RunSession::open(batchPath);
    QVERIFY(opened);
    RunSession session;
    session.setJournalling(false);
    session.adopt(std::move(*opened));
    const QString name = SubmitServer::nameFor(QStringLiteral("long"));
    session.setIntake(name, 1000);
    QSignalSpy finished(&session, &RunSession::finished);
    QVERIFY(session.run(Test::workerSettings(2, 256)));

    QByteArray lines;
    int count = 0;
    while (lines.size() < 5 * 1024 * 1024) {
        lines += "{\"id\":\"t" + QByteArray::number(count)
                 + "\",\"compute\":{\"op\":\"sum_to\","
                   "\"n\":"
                 + QByteArray::number(count % 97) + "}}\n";
        ++count;
    }
    QLocalSocket client;
    client.connectToServer(SubmitServer::socketDirectory() + u'/' + name);
    QVERIFY(client.waitForConnected(10000));
    client.write(request(lines));
    QSignalSpy ready(&client, &QLocalSocket::readyRead);
    while (!client.canReadLine())
        QVERIFY2(ready.wait(60000), "no answer to a large submission");
    const QJsonObject answer = QJsonDocument::fromJson(client.readLine()).object();
    QCOMPARE(answer.value(u"accepted").toInteger(), count);
    QVERIFY(answer.value(u"rejected").toArray().isEmpty());
    QVERIFY(!answer.contains(u"error"));
    QCOMPARE(session.store()->size(), 1 + count);
    session.job()->kill();
    QVERIFY(finished.wait(30000));
}

void tst_SubmitServer::socketFolderIsTheUsersAlone()
{
    const QString folder = SubmitServer::socketDirectory();
    QCOMPARE(folder, m_runtime.path() + QStringLiteral("/brigade"));
    QCOMPARE(QFileInfo(folder).permissions()
                     & ~(QFile::ReadUser | QFile::WriteUser | QFile::ExeUser | QFile::ReadOwner
                         | QFile::WriteOwner | QFile::ExeOwner),
             QFile::Permissions());
    // Made loose by someone: tightened again.
    QFile::setPermissions(folder, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner
                                          | QFile::ReadOther | QFile::ExeOther);
    SubmitServer::socketDirectory();
    QVERIFY(!(QFileInfo(folder).permissions() & QFile::ReadOther));

    // Without XDG_RUNTIME_DIR: a folder of the user's own under /tmp.
    const QByteArray runtime = qgetenv("XDG_RUNTIME_DIR");
    qunsetenv("XDG_RUNTIME_DIR");
    const QString fallback = SubmitServer::socketDirectory();
    qputenv("XDG_RUNTIME_DIR", runtime);
    QVERIFY(fallback.startsWith(QStringLiteral("/tmp/brigade-")));
    QVERIFY(QFileInfo(fallback).isDir());
    QVERIFY(!(QFileInfo(fallback).permissions() & (QFile::ReadGroup | QFile::ReadOther)));
}

void tst_SubmitServer::staleSocketsAreRemoved()
{
    const QString folder = SubmitServer::socketDirectory();
    // No process has pid 2^22+1 (above Linux's pid_max limit): its socket is stale.
    const QString stale = folder + QStringLiteral("/gone-4194305");
    {
        QFile file(stale);
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    const QString alive = SubmitServer::nameFor(QStringLiteral("alive"));
    {
        QFile file(folder + u'/' + alive);
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    const QStringList names = SubmitServer::runningNames();
    QVERIFY(!names.contains(QStringLiteral("gone-4194305")));
    QVERIFY(!QFileInfo::exists(stale));
    QVERIFY(names.contains(alive));
    QFile::remove(folder + u'/' + alive);
}

void tst_SubmitServer::priorityIsWrittenIntoTheLines()
{
    QCOMPARE(SubmitIntake::withPriority("{\"id\":\"a\",\"fetch\":\"http://x/\"}", 5),
             QByteArray("{\"id\":\"a\",\"fetch\":\"http://x/\",\"priority\":5}"));
    QCOMPARE(SubmitIntake::withPriority("{ } \t", -3), QByteArray("{ \"priority\":-3}"));
    // Its own wins (null too); what is not a JSON object is left for the parser to report.
    QVERIFY(SubmitIntake::withPriority("{\"priority\":1}", 5).isEmpty());
    QVERIFY(SubmitIntake::withPriority("{\"priority\":null}", 5).isEmpty());
    QVERIFY(SubmitIntake::withPriority("{\"id\":", 5).isEmpty());
    QVERIFY(SubmitIntake::withPriority("[1]", 5).isEmpty());
    // A "priority" deeper in the line is not the task's.
    QCOMPARE(SubmitIntake::withPriority(
                     "{\"fetch\":{\"url\":\"http://x/\",\"headers\":{\"priority\":\"u=1\"}}}", 2),
             QByteArray("{\"fetch\":{\"url\":\"http://x/"
                        "\",\"headers\":{\"priority\":\"u=1\"}},\"priority\":2}"));
}

// The window's intake (reopensRun): a submission to a run that has ended, finished or
// cancelled, runs it again in the same journal, with the header's priority in the lines.
void tst_SubmitServer::reopeningIntakeRunsAnEndedRunAgain()
{
    QTemporaryDir dir;
    const QString batchPath = dir.filePath(QStringLiteral("again.jsonl"));
    const QString journalPath = dir.filePath(QStringLiteral("again.journal"));
    {
        QFile file(batchPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"id\":\"quick\",\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n");
    }
    Result<OpenedRun> opened = RunSession::open(batchPath);
    QVERIFY(opened);
    RunSession session;
    session.setJournalPath(journalPath);
    session.adopt(std::move(*opened));
    const QString name = RunSession::intakeNameFor(batchPath);
    QVERIFY(name.startsWith(QStringLiteral("again-")));
    session.setIntake(name, 100000, true);
    QSignalSpy started(&session, &RunSession::jobStarted);
    QSignalSpy finished(&session, &RunSession::finished);
    QVERIFY(session.run(Test::workerSettings(1, 8)));
    QVERIFY(finished.wait(30000));
    QVERIFY(!session.isRunning());
    // Still listening after the end.
    QVERIFY(SubmitServer::runningNames().contains(name));

    const auto submit = [&](const QByteArray &header, const QByteArray &lines) {
        QLocalSocket client;
        client.connectToServer(SubmitServer::socketDirectory() + u'/' + name);
        if (!client.waitForConnected(10000))
            return QJsonObject();
        client.write(frame(header) + frame(lines) + frame({}));
        return answerOf(client);
    };
    // A priority that is no integer in range is refused, and nothing runs.
    const QJsonObject refused = submit("{\"name\":\"x\",\"priority\":1.5}", "{}\n");
    QVERIFY(refused.value(u"error").toString().contains(u"priority"));
    QCOMPARE(started.size(), 1);

    QJsonObject answer = submit("{\"name\":\"more.jsonl\",\"priority\":4}",
                                "{\"id\":\"m1\",\"compute\":{\"op\":\"sum_to\",\"n\":4}}\n");
    QCOMPARE(answer.value(u"accepted").toInteger(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 2, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 30000);
    QCOMPARE(session.store()->size(), 2);
    QCOMPARE(session.store()->state(1).status, TaskStatus::Succeeded);
    QCOMPARE(session.store()->currentShape(1)->priority, 4);

    // Cancelled, then added to: the new task runs; the cancelled one waits for a resume.
    answer = submit("{\"name\":\"slow.jsonl\"}",
                    "{\"id\":\"slow\",\"fetch\":{\"delay_ms\":30000}}\n");
    QCOMPARE(answer.value(u"accepted").toInteger(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 3, 30000);
    QTRY_VERIFY(session.isRunning());
    session.job()->kill();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 30000);
    answer = submit("{\"name\":\"late.jsonl\"}",
                    "{\"id\":\"late\",\"compute\":{\"op\":\"sum_to\",\"n\":5}}\n");
    QCOMPARE(answer.value(u"accepted").toInteger(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 4, 30000);
    QCOMPARE(started.size(), 4);
    QCOMPARE(session.store()->state(2).status, TaskStatus::Cancelled);
    QCOMPARE(session.store()->state(3).status, TaskStatus::Succeeded);

    QCOMPARE(Test::journalRunKinds(journalPath),
             QStringList({QStringLiteral("run"), QStringLiteral("reopen"), QStringLiteral("reopen"),
                          QStringLiteral("reopen")}));
    Journal journal;
    QString error;
    QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
    const QByteArray data = journal.batchData(&error);
    QVERIFY2(
            data.contains("{\"id\":\"m1\",\"compute\":{\"op\":\"sum_to\",\"n\":4},\"priority\":4}"),
            data.constData());
}

void tst_SubmitServer::codeLinesFollowTheSubmitTrust()
{
    // The window's rule: brigade submit's lines that run commands are rejected, each with
    // how to allow them, while the other lines are taken; allowed, they are taken too.
    QTemporaryDir dir;
    const QString batchPath = dir.filePath(QStringLiteral("held.jsonl"));
    {
        QFile file(batchPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"id\":\"hold\",\"fetch\":{\"delay_ms\":30000}}\n");
    }
    Result<OpenedRun> opened = RunSession::open(batchPath);
    QVERIFY(opened);
    RunSession session;
    session.setJournalPath(dir.filePath(QStringLiteral("held.journal")));
    session.adopt(std::move(*opened));
    session.setSubmitTrust(IntakeTrust::nothing(QStringLiteral("turn it on to allow them")));
    const QString name = SubmitServer::nameFor(QStringLiteral("held"));
    session.setIntake(name);
    QSignalSpy finished(&session, &RunSession::finished);
    QVERIFY(session.run(Test::workerSettings(1, 8)));

    const auto submit = [&name](const QByteArray &lines) {
        QLocalSocket client;
        client.connectToServer(SubmitServer::socketDirectory() + u'/' + name);
        if (!client.waitForConnected(10000))
            return QJsonObject();
        client.write(request(lines));
        return answerOf(client);
    };
    QJsonObject answer
            = submit("{\"id\":\"c1\",\"compute\":{\"op\":\"exec\",\"argv\":[\"true\"]}}\n"
                     "{\"id\":\"s1\",\"compute\":{\"op\":\"sum_to\",\"n\":2}}\n");
    QCOMPARE(answer.value(u"accepted").toInteger(), 1);
    QJsonArray rejected = answer.value(u"rejected").toArray();
    QCOMPARE(rejected.size(), 1);
    const QJsonObject bad = rejected[0].toObject();
    QCOMPARE(bad.value(u"line").toInt(), 1);
    QCOMPARE(bad.value(u"column").toInt(), 12); // "compute"
    const QString message = bad.value(u"message").toString();
    QVERIFY2(message.contains(u"\"true\"") && message.contains(u"turn it on to allow them"),
             qPrintable(message));
    QTRY_COMPARE_WITH_TIMEOUT(session.store()->size(), 2, 30000);
    QCOMPARE(session.store()->spec(1).id, QStringLiteral("s1"));
    {
        Journal journal;
        QString error;
        QVERIFY(journal.open(session.journalPath(), &error));
        QVERIFY(!journal.batchData(&error).contains("\"c1\""));
    }

    // Allowed while the run goes on: the next submission's command lines are taken.
    session.setSubmitTrust(IntakeTrust::everything());
    answer = submit("{\"id\":\"c2\",\"compute\":{\"op\":\"exec\",\"argv\":[\"true\"]}}\n");
    QCOMPARE(answer.value(u"accepted").toInteger(), 1);
    QVERIFY(answer.value(u"rejected").toArray().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(session.store()->size(), 3, 30000);
    QCOMPARE(session.store()->spec(2).id, QStringLiteral("c2"));

    QVERIFY(finished.isEmpty());
    session.job()->kill();
    QVERIFY(finished.wait(30000));
}

void tst_SubmitServer::trustOnlyLetsInWhatWasShown()
{
    // What the window asked about (SubmitIntake::findUserCode) is what IntakeTrust::only
    // lets in: the same command with another folder or environment is another command.
    QTemporaryDir dir;
    const QString batchPath = dir.filePath(QStringLiteral("progs.jsonl"));
    const QByteArray programs = "{\"programs\":{\"score\":{\"argv\":[\"/bin/cat\"]}}}\n";
    {
        QFile file(batchPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(programs + "{\"id\":\"x\",\"compute\":{\"op\":\"sum_to\",\"n\":2}}\n");
    }
    Result<OpenedRun> opened = RunSession::open(batchPath);
    QVERIFY(opened);
    SubmitIntake intake(nullptr, std::make_shared<FeedGate>(10), opened->store, *opened->batch,
                        opened->batch->lines, false);
    SubmitIntake::UserCode code;
    intake.findUserCode(QStringLiteral("more.jsonl"),
                        "{\"compute\":{\"op\":\"exec\",\"argv\":[\"echo\",\"a b\"]}}\n"
                        "\n"
                        "{\"compute\":{\"op\":\"exec\",\"argv\":[\"echo\",\"a b\"]}}\r\n"
                        "{\"compute\":{\"op\":\"exec\",\"shell\":\"ls\",\"cwd\":\"/tmp\"}}\n"
                        "{\"compute\":{\"op\":\"call\",\"program\":\"score\",\"args\":{}}}\n"
                        "{\"compute\":{\"op\":\"sum_to\",\"n\":2}}\n"
                        "{\"fetch\":7}\n",
                        &code);
    QCOMPARE(code.commands.size(), 2);
    QCOMPARE(code.commands.value(QStringLiteral("echo 'a b'")), 2);
    QCOMPARE(code.commands.value(QStringLiteral("ls (in /tmp)")), 1);
    QCOMPARE(code.programs, (QMap<QString, qint64>{{QStringLiteral("score"), 1}}));

    const IntakeTrust trust = IntakeTrust::only(QSet<QString>{QStringLiteral("ls (in /tmp)")}, {},
                                                QStringLiteral("ask again"));
    const auto shapeOf = [&](const QByteArray &line) {
        const Batch batch = BatchParser::parseData(programs + line + '\n', batchPath);
        return batch.tasks.isEmpty() ? TaskShape() : *batch.tasks.first().shape;
    };
    QVERIFY(trust
                    .refusal(shapeOf(
                            "{\"compute\":{\"op\":\"exec\",\"shell\":\"ls\",\"cwd\":\"/tmp\"}}"))
                    .isEmpty());
    QVERIFY(trust.refusal(shapeOf("{\"compute\":{\"op\":\"sum_to\",\"n\":2}}")).isEmpty());
    const QString elsewhere = trust.refusal(
            shapeOf("{\"compute\":{\"op\":\"exec\",\"shell\":\"ls\",\"cwd\":\"/\"}}"));
    QVERIFY2(elsewhere.contains(u"ls (in /)") && elsewhere.endsWith(u"ask again"),
             qPrintable(elsewhere));
    const QString call = trust.refusal(
            shapeOf("{\"compute\":{\"op\":\"call\",\"program\":\"score\",\"args\":{}}}"));
    QVERIFY2(call.contains(u"\"score\""), qPrintable(call));
    QVERIFY(IntakeTrust::everything()
                    .refusal(shapeOf("{\"compute\":{\"op\":\"exec\",\"shell\":\"ls\"}}"))
                    .isEmpty());
}

void tst_SubmitServer::addedUrlListPlacesProblemsInItsOwnLines()
{
    // A .txt file added to the run is journaled as {"fetch": URL} lines, but its problems
    // point into the lines as the user wrote them.
    QTemporaryDir dir;
    const QString batchPath = dir.filePath(QStringLiteral("urls.jsonl"));
    {
        QFile file(batchPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"id\":\"hold\",\"fetch\":{\"delay_ms\":30000}}\n");
    }
    const QString listPath = dir.filePath(QStringLiteral("more.txt"));
    const QByteArray list = "# more to fetch\n"
                            "   http://example.invalid/a\n"
                            "\thttp://exa mple.invalid/b\n"
                            "  {\"id\":\"j\",\"fetch\":7}\n"
                            "  http://b.example/a b\n";
    {
        QFile file(listPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(list);
    }
    Result<OpenedRun> opened = RunSession::open(batchPath);
    QVERIFY(opened);
    RunSession session;
    session.setJournalPath(dir.filePath(QStringLiteral("urls.journal")));
    session.adopt(std::move(*opened));
    session.setIntake(SubmitServer::nameFor(QStringLiteral("urls")));
    QSignalSpy finished(&session, &RunSession::finished);
    QVERIFY(session.run(Test::workerSettings(1, 8)));
    session.job()->suspend(); // the fetch of a/ need not run

    QSignalSpy added(&session, &RunSession::tasksAdded);
    QVERIFY(session.addTasksFrom(listPath));
    QVERIFY(added.wait(30000));
    QCOMPARE(added.last().at(1).toLongLong(), 1);
    const QStringList rejected = added.last().at(2).toStringList();
    QCOMPARE(rejected.size(), 3);
    QVERIFY(added.last().at(3).toString().isEmpty());
    // The URL lines' problems where reading the list as a .txt batch places them (inside the
    // URL), not in the {"fetch": URL} the journal holds.
    const Batch asBatch = BatchParser::parseData(QByteArray(list).replace("  {", "# {"), listPath);
    QCOMPARE(asBatch.errors.size(), 2);
    QCOMPARE(rejected[0], asBatch.errors[0].toString());
    QCOMPARE(rejected[2], asBatch.errors[1].toString());
    QVERIFY2(asBatch.errors[0].column > 2 && asBatch.errors[1].column > 3,
             qPrintable(rejected.join(u'\n')));
    // A JSON line in the list: the column in the line as written, after its blanks.
    QVERIFY2(rejected[1].startsWith(listPath + QStringLiteral(":4:13: ")), qPrintable(rejected[1]));

    session.job()->kill();
    QVERIFY(finished.wait(30000));
}

void tst_SubmitServer::urlListColumns()
{
    const QByteArray lines = "  http://a.example/x \n"
                             "# comment\n"
                             "\n"
                             " {\"fetch\":\"http://b.example/\"}\n"
                             "http://c.example/\xff\n"
                             "http://d.example/\"q\"";
    QCOMPARE(UrlListLines::asJson(lines),
             QByteArray("{\"fetch\":\"http://a.example/x\"}\n"
                        "\n"
                        "\n"
                        "{\"fetch\":\"http://b.example/\"}\n"
                        "http://c.example/\xff\n"
                        "{\"fetch\":\"http://d.example/\\\"q\\\"\"}\n"));
    // A JSON line and a line that is not text are the parser's as written, less the blanks.
    QCOMPARE(UrlListLines::originalColumn(" {\"fetch\":7}", 2), 3);
    QCOMPARE(UrlListLines::originalColumn("\thttp://c.example/\xff", 18), 19);
    // A URL line: where the URL goes wrong, else where it starts.
    QVERIFY(UrlListLines::originalColumn("  http://a b/", 2) > 3);
    QCOMPARE(UrlListLines::originalColumn("  http://a.example/", 2), 3);
}

QTEST_GUILESS_MAIN(tst_SubmitServer)
#include "tst_submitserver.moc"
