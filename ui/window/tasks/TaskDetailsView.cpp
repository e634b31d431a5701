#include "TaskDetailsView.h"

#include "compute/ComputeRegistry.h"
#include "usercode/CallSpec.h"
#include "usercode/CommandSpec.h"
#include "usercode/ProgramSpec.h"
#include "window/shared/Formatting.h"
#include "window/shared/StatusStyle.h"

#include <QJsonDocument>
#include <QScrollBar>
#include <QtEndian>

namespace Brigade {

namespace {

constexpr qsizetype MaxResultBytes = 256 * 1024;
constexpr qsizetype MaxArgsChars = 4000; // of a call's args; the batch file has them all
const QString ProgramLinkScheme = QStringLiteral("brigade-program");

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString tr(const char *text)
{
    return TaskDetailsView::tr(text);
}

QString fieldRow(const QString &label, const QString &value)
{
    return QStringLiteral("<tr><td style=\"padding-right:12px\"><b>%1</b></td><td>%2</td></tr>")
            .arg(esc(label), value);
}

QString fetchText(const FetchSpec &fetch, const QByteArray &url);

QString headerRows(const HeaderList &headers)
{
    QString rows;
    for (const auto &header : headers)
        rows += fieldRow(tr("Header"), QStringLiteral("<code>%1: %2</code>")
                                               .arg(esc(QString::fromUtf8(header.first)),
                                                    esc(QString::fromUtf8(header.second))));
    return rows;
}

quint32 timeoutOf(const TaskShape &shape)
{
    return shape.fetch.timeoutMs ? shape.fetch.timeoutMs : shape.timeoutMs;
}

// A task a retry with changes gave a new shape: what the batch had, where it differs.
QString changedRows(const TaskSpec &spec, const TaskShape &was, const TaskShape &now,
                    const QString &dim)
{
    QString rows;
    if (was.fetch.kind != now.fetch.kind || urlOf(spec, was) != urlOf(spec, now))
        rows += fieldRow(tr("Fetch"), fetchText(was.fetch, urlOf(spec, was)));
    if (was.fetch.headers() != now.fetch.headers())
        rows += was.fetch.headers().isEmpty() ? fieldRow(tr("Headers"), tr("none"))
                                              : headerRows(was.fetch.headers());
    if (was.maxAttempts != now.maxAttempts)
        rows += fieldRow(tr("Max attempts"), was.maxAttempts ? QString::number(was.maxAttempts)
                                                             : tr("the run's setting"));
    if (timeoutOf(was) != timeoutOf(now))
        rows += fieldRow(tr("Timeout"), timeoutOf(was) ? Formatting::milliseconds(timeoutOf(was))
                                                       : tr("the run's setting"));
    return QStringLiteral("<tr><td colspan=\"2\" style=\"padding-top:6px; color:%1\">%2</td></tr>")
                   .arg(dim, esc(tr("Changed by Retry with Changes; the batch had:")))
           + rows;
}

// The engine encodes op parameters compactly; these are the ops it ships with.
QString computeText(const ComputeSpec &compute)
{
    if (compute.op == 0)
        return tr("none");
    const ComputeOp *op = ComputeRegistry::instance().op(compute.op);
    const QByteArray name
            = op ? op->name() : QByteArray("op %1").replace("%1", QByteArray::number(compute.op));
    QString params;
    if (name == "sum_to" && compute.params.size() == 8)
        params = QStringLiteral("n = %1").arg(
                qFromLittleEndian<quint64>(compute.params.constData()));
    else if (name == "sha256" && compute.params.size() == 4)
        params = QStringLiteral("rounds = %1")
                         .arg(qFromLittleEndian<quint32>(compute.params.constData()));
    else if (name == "wordcount" && compute.params.size() == 4)
        params = QStringLiteral("top = %1")
                         .arg(qFromLittleEndian<quint32>(compute.params.constData()));
    return QStringLiteral("<code>%1</code>%2")
            .arg(esc(QString::fromUtf8(name)),
                 params.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(params));
}

enum class UserCode { None, Exec, Call };

UserCode userCodeOf(const ComputeSpec &compute)
{
    if (compute.op == 0)
        return UserCode::None;
    const ComputeOp *op = ComputeRegistry::instance().op(compute.op);
    if (!op || !op->hasOwnRunner())
        return UserCode::None;
    return op->name() == "call" ? UserCode::Call : UserCode::Exec;
}

QString codeText(const QString &text)
{
    return QStringLiteral("<code>%1</code>").arg(esc(text));
}

// The rows of a command's or a program call's spec, as the batch wrote them.
QString userCodeRows(const TaskSpec &spec, UserCode kind)
{
    const ComputeSpec &compute = spec.shape->compute;
    QString out;
    if (kind == UserCode::Exec) {
        CommandSpec command;
        if (!CommandSpec::decode(compute.params, &command))
            return out;
        out += fieldRow(command.shell.isEmpty() ? tr("Command") : tr("Shell"),
                        codeText(command.displayTemplate()));
        if (!command.cwd.isEmpty())
            out += fieldRow(tr("Directory"), codeText(command.cwd));
        for (const auto &var : command.env)
            out += fieldRow(tr("Environment"),
                            codeText(QStringLiteral("%1=%2").arg(var.first, var.second)));
    } else {
        CallSpec call;
        if (!CallSpec::decode(compute.params, &call))
            return out;
        QString program = QStringLiteral("<code>%1</code> · <a href=\"%2\">%3</a>")
                                  .arg(esc(call.program),
                                       esc(TaskDetailsView::programLogLink(call.program)
                                                   .toString(QUrl::FullyEncoded)),
                                       tr("program log"));
        if (compute.program)
            program += QStringLiteral("<br>%1").arg(
                    codeText(CommandSpec::joinArguments(compute.program->argv)));
        out += fieldRow(tr("Program"), program);
        QString args = QString::fromUtf8(call.argsJson);
        if (args.size() > MaxArgsChars)
            args = args.left(MaxArgsChars) + QChar(0x2026);
        out += fieldRow(tr("Args"), codeText(args));
    }
    if (!spec.input.isNull())
        out += fieldRow(tr("Input"), codeText(spec.input));
    return out;
}

QString tailBlock(const QString &label, const QByteArray &tail, const QString &color)
{
    if (tail.isEmpty())
        return {};
    const QString note = tail.size() >= ProcessOutcome::MaxTailBytes
                                 ? tr(" (the last %1)").arg(Formatting::bytes(tail.size()))
                                 : QString();
    return QStringLiteral("<p style=\"margin:4px 0 0 0\"><b>%1</b>%2</p>"
                          "<pre style=\"margin-top:0; white-space:pre-wrap%3\">%4</pre>")
            .arg(esc(label), esc(note),
                 color.isEmpty() ? QString() : QStringLiteral("; color:%1").arg(color),
                 esc(QString::fromUtf8(tail.endsWith('\n') ? tail.chopped(1) : tail)));
}

// What one attempt of a command or call ran and left behind.
QString outcomeBlock(int attempt, const ProcessOutcome &p, bool running, const QString &dim,
                     const QString &errorColor)
{
    QStringList head;
    head << TaskDetailsView::tr("Attempt %1").arg(attempt);
    if (running)
        head << TaskDetailsView::tr("running");
    if (p.signal != 0)
        head << TaskDetailsView::tr("killed by %1")
                        .arg(Formatting::exitStatus(ProcessOutcome::NoExitCode, p.signal));
    else if (p.exitCode != ProcessOutcome::NoExitCode)
        head << TaskDetailsView::tr("exit %1").arg(p.exitCode);
    QString out = QStringLiteral("<p style=\"margin:8px 0 2px 0\"><b>%1</b></p>")
                          .arg(esc(head.join(QStringLiteral(" · "))));
    if (!p.command.isEmpty())
        out += QStringLiteral("<p style=\"margin:0\">%1</p>").arg(codeText(p.command));
    out += tailBlock(TaskDetailsView::tr("stderr"), p.stderrTail, errorColor);
    out += tailBlock(TaskDetailsView::tr("stdout"), p.stdoutTail, QString());
    if (p.stderrTail.isEmpty() && p.stdoutTail.isEmpty())
        out += QStringLiteral("<p style=\"margin:0; color:%1\">%2</p>")
                       .arg(dim, running ? TaskDetailsView::tr("No output yet.")
                                         : TaskDetailsView::tr("No output."));
    return out;
}

// url: the task's (urlOf()).
QString fetchText(const FetchSpec &fetch, const QByteArray &url)
{
    switch (fetch.kind) {
    case FetchKind::None:
        return tr("none (the compute runs over the task's id)");
    case FetchKind::Delay: {
        const QString wait = fetch.delayMinMs == fetch.delayMaxMs
                                     ? tr("a simulated wait of %1")
                                               .arg(Formatting::milliseconds(fetch.delayMinMs))
                                     : tr("a simulated wait of %1 to %2")
                                               .arg(Formatting::milliseconds(fetch.delayMinMs),
                                                    Formatting::milliseconds(fetch.delayMaxMs));
        if (fetch.failPpm == 0)
            return wait;
        return tr("%1 that fails %2% of attempts")
                .arg(wait, QString::number(fetch.failPpm / 1e4, 'g', 4));
    }
    case FetchKind::Url: {
        return QStringLiteral("<code>%1</code>").arg(esc(QString::fromUtf8(url)));
    }
    }
    return {};
}

QString prettyResult(const QByteArray &result)
{
    const QByteArray head = result.left(MaxResultBytes);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(head, &error);
    QString text = error.error == QJsonParseError::NoError && !doc.isNull()
                           ? QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed()
                           : QString::fromUtf8(head);
    if (result.size() > MaxResultBytes)
        text += QLatin1Char('\n') + tr("… (%1 in all)").arg(Formatting::bytes(result.size()));
    return text;
}

// exit: the Exit cell of a command's or call's attempt; null for the built-in ops.
QString attemptRow(int attempt, int worker, quint32 queuedUs, quint32 fetchUs, quint32 computeUs,
                   quint16 http, const QString &outcome, const QString *exit = nullptr)
{
    const auto cell = [](const QString &s, bool right = false) {
        return QStringLiteral("<td style=\"padding:1px 10px 1px 0\"%1>%2</td>")
                .arg(right ? QStringLiteral(" align=\"right\"") : QString(), s);
    };
    return QStringLiteral("<tr>%1%2%3%4%5%6%7%8</tr>")
            .arg(cell(QString::number(attempt), true),
                 cell(worker >= 0 ? QString::number(worker) : QStringLiteral("–"), true),
                 cell(Formatting::microseconds(queuedUs), true),
                 cell(fetchUs ? Formatting::microseconds(fetchUs) : QStringLiteral("–"), true),
                 cell(computeUs ? Formatting::microseconds(computeUs) : QStringLiteral("–"), true),
                 cell(http ? QString::number(http) : QStringLiteral("–"), true),
                 exit ? cell(exit->isEmpty() ? QStringLiteral("–") : esc(*exit), true) : QString(),
                 cell(outcome));
}

QString failureText(ErrorKind kind, const QString &message)
{
    const QString kindText = QString::fromLatin1(errorKindName(kind));
    if (message.isEmpty())
        return esc(kindText);
    if (message.startsWith(kindText)) // "exit 3: ...", not "exit: exit 3: ..."
        return esc(message);
    return QStringLiteral("%1: %2").arg(esc(kindText), esc(message));
}

} // namespace

TaskDetailsView::TaskDetailsView(QWidget *parent)
    : QTextBrowser(parent)
{
    setOpenLinks(false);
    setPlaceholderText(tr("Select a task to see its spec, every attempt and its result."));
    connect(this, &QTextBrowser::anchorClicked, this, [this](const QUrl &link) {
        const QString program = programOfLink(link);
        if (!program.isEmpty())
            emit programLogRequested(program);
    });
}

QUrl TaskDetailsView::programLogLink(const QString &program)
{
    QUrl link;
    link.setScheme(ProgramLinkScheme);
    link.setPath(program);
    return link;
}

QString TaskDetailsView::programOfLink(const QUrl &link)
{
    return link.scheme() == ProgramLinkScheme ? link.path() : QString();
}

void TaskDetailsView::showTask(std::shared_ptr<const TaskStore> store, int row)
{
    const bool same = store == m_store && row == m_row;
    m_store = std::move(store);
    m_row = row;
    if (!same)
        m_shown.clear();
    refresh();
    if (!same)
        verticalScrollBar()->setValue(0);
}

void TaskDetailsView::clearTask()
{
    m_store.reset();
    m_row = -1;
    m_shown.clear();
    clear();
}

void TaskDetailsView::refresh()
{
    if (!m_store || m_row < 0 || m_row >= m_store->size())
        return;
    const QString text = html(*m_store, m_row, palette());
    if (text == m_shown)
        return;
    m_shown = text;
    const int scroll = verticalScrollBar()->value();
    setHtml(text);
    verticalScrollBar()->setValue(scroll);
}

QString TaskDetailsView::html(const TaskStore &store, int taskRow, const QPalette &palette)
{
    const TaskSpec &spec = store.spec(taskRow);
    // One snapshot: the engine moves a failed attempt's outcome into the history and
    // changes the state in one write.
    TaskState st;
    QList<AttemptRecord> history;
    ProcessOutcome latest;
    std::shared_ptr<const TaskShape> current; // after a retry with changes, the changed one
    store.read([&](const TaskStates &states) {
        current = store.shapeLocked(taskRow);
        st = states[taskRow];
        history = store.historyLocked(taskRow);
        if (const ProcessOutcome *p = store.processLocked(taskRow))
            latest = *p;
    });
    const QString dim = palette.color(QPalette::PlaceholderText).name();

    const QString title = QStringLiteral("<h3 style=\"margin-bottom:4px\">%1&nbsp;%2</h3>")
                                  .arg(StatusStyle::dotHtml(st.status), esc(spec.id));
    QString statusLine = esc(StatusStyle::text(st.status));
    if (st.attempts > 0)
        statusLine
                += QStringLiteral(" <span style=\"color:%1\">%2</span>")
                           .arg(dim, st.attempts == 1 ? tr("after 1 attempt")
                                                      : tr("after %1 attempts").arg(st.attempts));
    const QString statusRow = fieldRow(tr("Status"), statusLine);
    const TaskShape &shape = *current;
    QString specRows = fieldRow(tr("Fetch"), fetchText(shape.fetch, urlOf(spec, shape)));
    specRows += headerRows(shape.fetch.headers());
    if (shape.fetch.maxBytes > 0)
        specRows += fieldRow(tr("Max size"), Formatting::bytes(shape.fetch.maxBytes));
    specRows += fieldRow(tr("Compute"), computeText(shape.compute));
    const UserCode userCode = userCodeOf(shape.compute);
    if (userCode != UserCode::None)
        specRows += userCodeRows(spec, userCode);
    specRows += fieldRow(tr("Max attempts"), shape.maxAttempts ? QString::number(shape.maxAttempts)
                                                               : tr("the run's setting"));
    const quint32 timeout = timeoutOf(shape);
    specRows += fieldRow(tr("Timeout"),
                         timeout ? Formatting::milliseconds(timeout) : tr("the run's setting"));
    if (current != spec.shape)
        specRows += changedRows(spec, *spec.shape, shape, dim);
    specRows += fieldRow(tr("Batch line"), QString::number(spec.line));
    const QString table = QStringLiteral("<table cellspacing=\"0\">%1</table>");
    QString attemptsHtml;

    // Failed attempts are kept in the history; the latest one lives in the state.
    attemptsHtml += QStringLiteral("<h4 style=\"margin-bottom:2px\">%1</h4>").arg(tr("Attempts"));
    const int recorded = history.isEmpty() ? 0 : history.last().attempt;
    if (history.isEmpty() && st.attempts == 0) {
        attemptsHtml
                += QStringLiteral("<p style=\"color:%1\">%2</p>").arg(dim, tr("Not started yet."));
    } else {
        const auto head = [&](const QString &text, bool right) {
            return QStringLiteral("<td style=\"padding:1px 10px 1px 0; color:%1\"%2>%3</td>")
                    .arg(dim, right ? QStringLiteral(" align=\"right\"") : QString(), esc(text));
        };
        const bool withExit = userCode == UserCode::Exec;
        attemptsHtml += QStringLiteral("<table cellspacing=\"0\"><tr>") + head(tr("#"), true)
                        + head(tr("Worker"), true) + head(tr("Waited"), true)
                        + head(tr("Fetch"), true)
                        + head(userCode == UserCode::None ? tr("Compute") : tr("Ran"), true)
                        + head(tr("HTTP"), true) + (withExit ? head(tr("Exit"), true) : QString())
                        + head(tr("Outcome"), false) + QStringLiteral("</tr>");
        for (const AttemptRecord &a : history) {
            const QString exit = Formatting::exitStatus(a.process.exitCode, a.process.signal);
            attemptsHtml += attemptRow(a.attempt, a.worker, a.queuedUs, a.fetchUs, a.computeUs,
                                       a.httpStatus,
                                       QStringLiteral("<span style=\"color:%1\">%2</span>")
                                               .arg(StatusStyle::color(TaskStatus::Failed).name(),
                                                    failureText(a.error, a.message)),
                                       withExit ? &exit : nullptr);
        }
        if (st.attempts > recorded) {
            QString outcome;
            switch (st.status) {
            case TaskStatus::Running:
                outcome = tr("running…");
                break;
            case TaskStatus::Succeeded:
                outcome = QStringLiteral("<span style=\"color:%1\">%2</span>")
                                  .arg(StatusStyle::color(TaskStatus::Succeeded).name(),
                                       tr("succeeded"));
                break;
            default:
                outcome = QStringLiteral("<span style=\"color:%1\">%2</span>")
                                  .arg(StatusStyle::color(st.status).name(),
                                       failureText(st.error, st.message));
                break;
            }
            const bool done = st.status != TaskStatus::Running;
            const QString exit = Formatting::exitStatus(latest.exitCode, latest.signal);
            attemptsHtml += attemptRow(st.attempts, st.worker, st.queuedUs, done ? st.fetchUs : 0,
                                       done ? st.computeUs : 0, done ? st.httpStatus : 0, outcome,
                                       withExit ? &exit : nullptr);
        }
        attemptsHtml += QStringLiteral("</table>");
        if (st.status == TaskStatus::Retrying)
            attemptsHtml += QStringLiteral("<p style=\"color:%1\">%2</p>")
                                    .arg(dim, tr("Waiting out a backoff before the next attempt."));
    }

    // What each attempt ran and wrote, the latest (live while it runs) first: for commands
    // and calls what one looks at a task for, so shown before the spec.
    QString out;
    if (userCode != UserCode::None && (st.attempts > 0 || !history.isEmpty())) {
        const QString errorColor = StatusStyle::color(TaskStatus::Failed).name();
        QString blocks;
        if (st.attempts > recorded && (!latest.isEmpty() || st.status == TaskStatus::Running))
            blocks += outcomeBlock(st.attempts, latest, st.status == TaskStatus::Running, dim,
                                   errorColor);
        for (auto it = history.crbegin(); it != history.crend(); ++it) {
            if (!it->process.isEmpty())
                blocks += outcomeBlock(it->attempt, it->process, false, dim, errorColor);
        }
        if (!blocks.isEmpty())
            out += QStringLiteral("<h4 style=\"margin-bottom:2px\">%1</h4>")
                           .arg(userCode == UserCode::Exec ? tr("Command output")
                                                           : tr("Program output"))
                   + blocks;
    }
    if (userCode == UserCode::None || out.isEmpty())
        out = table.arg(statusRow + specRows) + out;
    else
        out = table.arg(statusRow) + out
              + QStringLiteral("<h4 style=\"margin-bottom:2px\">%1</h4>").arg(tr("Spec"))
              + table.arg(specRows);
    // Why it failed comes first, under the title: the reason one selects a failed task,
    // visible without scrolling in a short details pane.
    QString reason;
    if (isTerminal(st.status) && st.error != ErrorKind::None) {
        reason = QStringLiteral("<p style=\"margin-top:0; color:%1\"><b>%2</b> %3</p>")
                         .arg(StatusStyle::color(st.status).name(),
                              esc(st.status == TaskStatus::Cancelled ? tr("Cancelled:")
                                                                     : tr("Failed:")),
                              failureText(st.error, st.message));
    } else if (st.status != TaskStatus::Succeeded && !history.isEmpty()) {
        reason = QStringLiteral("<p style=\"margin-top:0; color:%1\"><b>%2</b> %3</p>")
                         .arg(StatusStyle::color(TaskStatus::Retrying).name(),
                              esc(tr("Attempt %1 failed:").arg(history.last().attempt)),
                              failureText(history.last().error, history.last().message));
    }
    out = title + reason + out + attemptsHtml;

    if (st.status == TaskStatus::Succeeded) {
        out += QStringLiteral("<h4 style=\"margin-bottom:2px\">%1</h4>").arg(tr("Result"));
        if (st.bytes >= 0)
            out += QStringLiteral("<p>%1</p>")
                           .arg(st.httpStatus ? tr("Fetched %1 with HTTP status %2")
                                                        .arg(Formatting::bytes(st.bytes))
                                                        .arg(st.httpStatus)
                                              : tr("Fetched %1").arg(Formatting::bytes(st.bytes)));
        out += QStringLiteral("<pre style=\"margin-top:2px\">%1</pre>")
                       .arg(esc(prettyResult(st.result)));
    }
    return out;
}

} // namespace Brigade
