// The window and the command line drive one RunSession, so they keep a run the same way:
// the same batch gives the same journal and the same results from either, and after a
// Ctrl-C both resume by running the cancelled tasks.
#include "JournalRuns.h"
#include "journal/Journal.h"
#include "session/RunSession.h"
#include "window/MainWindow.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Brigade;
using namespace Brigade::Test;

class tst_FrontEndsAgree : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void sameBatchSameJournalAndResults();
    void resumeAfterCancelRunsTheCancelledTasks();

private:
    struct Outcome
    {
        QString status;
        QByteArray result;
        int attempts = 0;
        QString error;
        bool operator==(const Outcome &o) const
        {
            return status == o.status && result == o.result && attempts == o.attempts
                   && error == o.error;
        }
    };
    using Outcomes = QMap<QString, Outcome>;

    QString writeFile(const QString &name, const QByteArray &data);
    int cli(const QStringList &args, QByteArray *err = nullptr);
    std::unique_ptr<MainWindow> window();
    static Outcomes journalOutcomes(const QString &journal, QByteArray *batch = nullptr);
    static Outcomes records(const QString &jsonl);
    static QByteArray differences(const Outcomes &a, const Outcomes &b);

    QTemporaryDir m_dir;
};

void tst_FrontEndsAgree::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

QString tst_FrontEndsAgree::writeFile(const QString &name, const QByteArray &data)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

int tst_FrontEndsAgree::cli(const QStringList &args, QByteArray *err)
{
    QProcess p;
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            args
                    + QStringList{QStringLiteral("--workers"), QStringLiteral("2"),
                                  QStringLiteral("--progress"), QStringLiteral("none")});
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (err)
        *err = p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

std::unique_ptr<MainWindow> tst_FrontEndsAgree::window()
{
    auto w = std::make_unique<MainWindow>();
    RunSettings s = w->runSettings();
    s = RunSettings{};
    s.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    s.workers = 2;
    w->setRunSettings(s);
    w->show();
    return w;
}

tst_FrontEndsAgree::Outcomes tst_FrontEndsAgree::journalOutcomes(const QString &journal,
                                                                 QByteArray *batch)
{
    Outcomes out;
    const Result<OpenedRun> opened = RunSession::open(journal);
    if (!opened) {
        qWarning("%s", qPrintable(opened.error()));
        return out;
    }
    for (int row = 0; row < opened->store->size(); ++row) {
        const TaskState st = opened->store->state(row);
        out.insert(opened->store->spec(row).id,
                   Outcome{QString::fromLatin1(statusName(st.status)), st.result, st.attempts,
                           QString::fromLatin1(errorKindName(st.error))});
    }
    if (batch) {
        Journal j;
        QString error;
        if (j.open(journal, &error))
            *batch = j.batchData(&error);
    }
    return out;
}

// id -> the outcome a results file (CLI --output, window export) gives, without timings.
tst_FrontEndsAgree::Outcomes tst_FrontEndsAgree::records(const QString &jsonl)
{
    Outcomes out;
    QFile f(jsonl);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        out.insert(o.value(QLatin1String("id")).toString(),
                   Outcome{o.value(QLatin1String("status")).toString(),
                           QJsonDocument(QJsonObject{{QStringLiteral("r"),
                                                      o.value(QLatin1String("result"))}})
                                   .toJson(QJsonDocument::Compact),
                           o.value(QLatin1String("attempts")).toInt(),
                           o.value(QLatin1String("error")).toString()});
    }
    return out;
}

// Each id whose outcomes differ, with both, so a failure says what differed.
QByteArray tst_FrontEndsAgree::differences(const Outcomes &a, const Outcomes &b)
{
    QByteArray out;
    auto show = [](const Outcome &o) {
        return o.status.toUtf8() + '/' + o.result + '/' + QByteArray::number(o.attempts) + '/'
               + o.error.toUtf8();
    };
    QStringList ids = a.keys() + b.keys();
    ids.removeDuplicates();
    for (const QString &id : std::as_const(ids)) {
        if (a.contains(id) && b.contains(id) && a.value(id) == b.value(id))
            continue;
        out += id.toUtf8() + ": " + (a.contains(id) ? show(a.value(id)) : "(none)") + " vs "
               + (b.contains(id) ? show(b.value(id)) : "(none)") + "; ";
    }
    return out;
}

void tst_FrontEndsAgree::sameBatchSameJournalAndResults()
{
    QByteArray batch = "{\"defaults\":{\"max_attempts\":2}}\n";
    for (int i = 0; i < 30; ++i)
        batch += QStringLiteral(R"({"id":"t%1","compute":{"op":"sum_to","n":%1}})").arg(i).toUtf8()
                 + '\n';
    for (int i = 0; i < 3; ++i)
        batch += "{\"id\":\"missing" + QByteArray::number(i) + "\",\"fetch\":\"file://"
                 + m_dir.filePath(QStringLiteral("nope")).toUtf8() + "\"}\n";
    const QString path = writeFile(QStringLiteral("same.jsonl"), batch);

    // The command line.
    const QString cliJournal = m_dir.filePath(QStringLiteral("cli.journal"));
    const QString cliOut = m_dir.filePath(QStringLiteral("cli.jsonl"));
    QByteArray err;
    const int cliStatus = cli({QStringLiteral("run"), path, QStringLiteral("--journal"), cliJournal,
                               QStringLiteral("-o"), cliOut},
                              &err);
    QVERIFY2(cliStatus == 1, (QByteArray::number(cliStatus) + ": " + err).constData());

    // The window.
    std::unique_ptr<MainWindow> w = window();
    QSignalSpy loaded(w.get(), &MainWindow::batchLoaded);
    w->openBatch(path);
    QVERIFY(loaded.wait(20000));
    QSignalSpy finished(w.get(), &MainWindow::jobFinished);
    w->action(MainWindow::Action::Run)->trigger();
    QVERIFY(finished.wait(60000));
    const QString windowJournal = w->journalPath();
    QVERIFY(!windowJournal.isEmpty());
    const QString windowOut = m_dir.filePath(QStringLiteral("window.jsonl"));
    QSignalSpy exported(w.get(), &MainWindow::exportFinished);
    w->exportResults(windowOut, false);
    QVERIFY(exported.wait(20000));
    w.reset();

    QByteArray cliBatch, windowBatch;
    const Outcomes fromCli = journalOutcomes(cliJournal, &cliBatch);
    const Outcomes fromWindow = journalOutcomes(windowJournal, &windowBatch);
    QCOMPARE(fromCli.size(), 33);
    QCOMPARE(fromCli.value(QStringLiteral("t7")).result, QByteArray("28"));
    QCOMPARE(fromCli.value(QStringLiteral("missing1")).status, QStringLiteral("failed"));
    QVERIFY2(fromCli == fromWindow, differences(fromCli, fromWindow).constData());
    QCOMPARE(cliBatch, batch);
    QCOMPARE(windowBatch, batch);
    QCOMPARE(journalRunKinds(cliJournal), QStringList{QStringLiteral("run")});
    QCOMPARE(journalRunKinds(windowJournal), QStringList{QStringLiteral("run")});
    const Outcomes cliRecords = records(cliOut);
    QCOMPARE(cliRecords.size(), 33);
    const Outcomes windowRecords = records(windowOut);
    QVERIFY2(cliRecords == windowRecords, differences(cliRecords, windowRecords).constData());
}

void tst_FrontEndsAgree::resumeAfterCancelRunsTheCancelledTasks()
{
    QByteArray batch;
    for (int i = 0; i < 4; ++i)
        batch += "{\"id\":\"quick" + QByteArray::number(i)
                 + "\",\"compute\":{\"op\":\"sum_to\",\"n\":2}}\n";
    for (int i = 0; i < 6; ++i)
        batch += "{\"id\":\"slow" + QByteArray::number(i)
                 + "\",\"fetch\":{\"delay_ms\":2500},\"compute\":{\"op\":\"sum_to\",\"n\":3}}\n";
    const QString path = writeFile(QStringLiteral("cancel.jsonl"), batch);
    const QString journal = m_dir.filePath(QStringLiteral("cancel.journal"));
    const QString out = m_dir.filePath(QStringLiteral("cancel.out.jsonl"));

    // Ctrl-C once the quick ones are in.
    QProcess p;
    p.start(QStringLiteral(BRIGADE_APP_PATH),
            {QStringLiteral("run"), path, QStringLiteral("--journal"), journal,
             QStringLiteral("-o"), out, QStringLiteral("--progress"), QStringLiteral("none")});
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(records(out).size() >= 4, 20000);
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 1);
    const Outcomes cancelled = journalOutcomes(journal);
    QCOMPARE(cancelled.value(QStringLiteral("slow0")).status, QStringLiteral("cancelled"));
    const QString copy = m_dir.filePath(QStringLiteral("cancel-copy.journal"));
    QVERIFY(QFile::copy(journal, copy));

    // The command line's resume runs the six cancelled tasks.
    const QString all = m_dir.filePath(QStringLiteral("all.jsonl"));
    QByteArray err;
    QCOMPARE(cli({QStringLiteral("run"), QStringLiteral("--resume"), journal, QStringLiteral("-o"),
                  all},
                 &err),
             0);
    QVERIFY2(err.contains("4 of 10 tasks had finished"), err.constData());
    const Outcomes cliRecords = records(all);
    QCOMPARE(cliRecords.size(), 10);
    for (const Outcome &o : cliRecords)
        QCOMPARE(o.status, QStringLiteral("succeeded"));

    // The window's Continue Run on the same journal does the same.
    std::unique_ptr<MainWindow> w = window();
    w->setResumeAnswer(MainWindow::ResumeAnswer::Yes);
    QSignalSpy offered(w.get(), &MainWindow::resumeOffered);
    QSignalSpy finished(w.get(), &MainWindow::jobFinished);
    w->openBatch(copy);
    QVERIFY(offered.wait(20000));
    QCOMPARE(offered.first().at(0).toLongLong(), qint64(6));
    QVERIFY(finished.wait(60000));
    QCOMPARE(w->store()->counts()[TaskStatus::Succeeded], qint64(10));
    w.reset();

    const Outcomes afterCli = journalOutcomes(journal);
    QCOMPARE(afterCli.size(), 10);
    const Outcomes afterWindow = journalOutcomes(copy);
    QVERIFY2(afterCli == afterWindow, differences(afterCli, afterWindow).constData());
    const QStringList kinds{QStringLiteral("run"), QStringLiteral("resume")};
    QCOMPARE(journalRunKinds(journal), kinds);
    QCOMPARE(journalRunKinds(copy), kinds);
}

QTEST_MAIN(tst_FrontEndsAgree)
#include "tst_frontendsagree.moc"
