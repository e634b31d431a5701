#include "FinishCommand.h"

#include <QProcess>

#include <utility>

namespace Brigade {

FinishCommand::FinishCommand(QObject *parent)
    : QObject(parent)
{}

Result<QStringList> FinishCommand::split(const QString &text)
{
    QStringList words;
    QString word;
    bool inWord = false;
    enum { Plain, Single, Double } quote = Plain;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quote == Single) {
            if (c == u'\'')
                quote = Plain;
            else
                word += c;
        } else if (quote == Double) {
            if (c == u'"') {
                quote = Plain;
            } else if (c == u'\\' && i + 1 < text.size()
                       && QStringView(u"\"\\$`").contains(text[i + 1])) {
                word += text[++i];
            } else {
                word += c;
            }
        } else if (c.isSpace()) {
            if (inWord)
                words << std::exchange(word, QString());
            inWord = false;
        } else {
            inWord = true;
            if (c == u'\'')
                quote = Single;
            else if (c == u'"')
                quote = Double;
            else if (c == u'\\' && i + 1 < text.size())
                word += text[++i];
            else
                word += c;
        }
    }
    if (quote != Plain)
        return Result<QStringList>::failure(
                QStringLiteral("a %1 quote is not closed in \"%2\"")
                        .arg(quote == Single ? QStringLiteral("single") : QStringLiteral("double"),
                             text));
    if (inWord)
        words << word;
    return words;
}

RunStats FinishCommand::jobStats(const MapReduceResult &result)
{
    RunStats stats;
    stats.total = 1;
    stats.attempts = 1;
    stats.elapsedMs = result.elapsedMs;
    switch (result.status) {
    case MapReduceResult::Status::Succeeded:
        stats.succeeded = 1;
        break;
    case MapReduceResult::Status::Failed:
        stats.failed = 1;
        break;
    case MapReduceResult::Status::Cancelled:
        stats.cancelled = 1;
        break;
    }
    return stats;
}

QProcessEnvironment FinishCommand::environment(const RunStats &stats, const QString &journal,
                                               int status)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const auto set = [&env](const char *name, qint64 value) {
        env.insert(QLatin1String(name), QString::number(value));
    };
    set("BRIGADE_STATUS", status);
    set("BRIGADE_TOTAL", stats.total);
    set("BRIGADE_SUCCEEDED", stats.succeeded);
    set("BRIGADE_FAILED", stats.failed);
    set("BRIGADE_CANCELLED", stats.cancelled);
    set("BRIGADE_SKIPPED", stats.skipped);
    set("BRIGADE_NOT_RUN", stats.total - stats.finished());
    set("BRIGADE_ELAPSED_MS", stats.elapsedMs);
    env.insert(QStringLiteral("BRIGADE_JOURNAL"), journal);
    return env;
}

void FinishCommand::start(const QStringList &command, const RunStats &stats, const QString &journal,
                          int status, bool forwardInput)
{
    if (command.isEmpty()) {
        QMetaObject::invokeMethod(
                this, [this] { emit finished(QStringLiteral("there is no command to run")); },
                Qt::QueuedConnection);
        return;
    }
    auto *process = new QProcess(this);
    process->setProcessChannelMode(QProcess::ForwardedChannels);
    if (forwardInput)
        process->setInputChannelMode(QProcess::ForwardedInputChannel);
    else
        process->setStandardInputFile(QProcess::nullDevice());
    process->setProcessEnvironment(environment(stats, journal, status));
    connect(process, &QProcess::finished, this, [this, process](int code) {
        if (process->exitStatus() != QProcess::NormalExit)
            emit finished(QStringLiteral("crashed"));
        else if (code != 0)
            emit finished(QStringLiteral("exited with status %1").arg(code));
        else
            emit finished(QString());
    });
    connect(process, &QProcess::errorOccurred, this,
            [this, process, program = command.constFirst()](QProcess::ProcessError e) {
                if (e == QProcess::FailedToStart)
                    emit finished(QStringLiteral("cannot run %1: %2")
                                          .arg(program, process->errorString()));
            });
    process->start(command.constFirst(), command.mid(1));
}

} // namespace Brigade
