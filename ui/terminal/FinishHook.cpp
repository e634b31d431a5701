#include "FinishHook.h"

#include <QProcess>

#include <cstdio>
#include <utility>

namespace Brigade {

FinishHook::FinishHook(QObject *parent)
    : QObject(parent)
{}

Result<QStringList> FinishHook::splitCommand(const QString &text)
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

QProcessEnvironment FinishHook::environment(const RunStats &stats, const QString &journal,
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

void FinishHook::run(const QStringList &command, bool bell, const RunStats &stats,
                     const QString &journal, int status)
{
    if (bell) {
        std::fputc('\a', stderr);
        std::fflush(stderr);
    }
    if (command.isEmpty()) {
        QMetaObject::invokeMethod(this, &FinishHook::done, Qt::QueuedConnection);
        return;
    }
    auto *process = new QProcess(this);
    process->setProcessChannelMode(QProcess::ForwardedChannels);
    process->setInputChannelMode(QProcess::ForwardedInputChannel);
    process->setProcessEnvironment(environment(stats, journal, status));
    connect(process, &QProcess::finished, this, [this, process, command](int code) {
        if (process->exitStatus() != QProcess::NormalExit || code != 0)
            std::fprintf(stderr, "brigade: --on-finish %s %s\n",
                         command.constFirst().toLocal8Bit().constData(),
                         process->exitStatus() != QProcess::NormalExit
                                 ? "crashed"
                                 : QStringLiteral("exited with status %1")
                                           .arg(code)
                                           .toLocal8Bit()
                                           .constData());
        emit done();
    });
    connect(process, &QProcess::errorOccurred, this,
            [this, process, command](QProcess::ProcessError e) {
                if (e != QProcess::FailedToStart)
                    return;
                std::fprintf(stderr, "brigade: --on-finish: cannot run %s: %s\n",
                             command.constFirst().toLocal8Bit().constData(),
                             process->errorString().toLocal8Bit().constData());
                emit done();
            });
    process->start(command.constFirst(), command.mid(1));
}

} // namespace Brigade
