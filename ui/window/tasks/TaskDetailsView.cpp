#include "TaskDetailsView.h"

#include "compute/ComputeRegistry.h"
#include "window/shared/Formatting.h"
#include "window/shared/StatusStyle.h"

#include <QJsonDocument>
#include <QScrollBar>
#include <QtEndian>

namespace Brigade {

namespace {

constexpr qsizetype MaxResultBytes = 256 * 1024;

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

QString fetchText(const FetchSpec &fetch)
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
        const QString url = QString::fromUtf8(fetch.url);
        return QStringLiteral("<code>%1</code>").arg(esc(url));
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

QString attemptRow(int attempt, int worker, quint32 queuedUs, quint32 fetchUs, quint32 computeUs,
                   quint16 http, const QString &outcome)
{
    const auto cell = [](const QString &s, bool right = false) {
        return QStringLiteral("<td style=\"padding:1px 10px 1px 0\"%1>%2</td>")
                .arg(right ? QStringLiteral(" align=\"right\"") : QString(), s);
    };
    return QStringLiteral("<tr>%1%2%3%4%5%6%7</tr>")
            .arg(cell(QString::number(attempt), true),
                 cell(worker >= 0 ? QString::number(worker) : QStringLiteral("–"), true),
                 cell(Formatting::microseconds(queuedUs), true),
                 cell(fetchUs ? Formatting::microseconds(fetchUs) : QStringLiteral("–"), true),
                 cell(computeUs ? Formatting::microseconds(computeUs) : QStringLiteral("–"), true),
                 cell(http ? QString::number(http) : QStringLiteral("–"), true), cell(outcome));
}

QString failureText(ErrorKind kind, const QString &message)
{
    const QString kindText = QString::fromLatin1(errorKindName(kind));
    if (message.isEmpty())
        return esc(kindText);
    return QStringLiteral("%1: %2").arg(esc(kindText), esc(message));
}

} // namespace

TaskDetailsView::TaskDetailsView(QWidget *parent)
    : QTextBrowser(parent)
{
    setOpenLinks(false);
    setPlaceholderText(tr("Select a task to see its spec, every attempt and its result."));
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
    const TaskShape &shape = *spec.shape;
    const TaskState st = store.state(taskRow);
    const QList<AttemptRecord> history = store.attemptHistory(taskRow);
    const QString dim = palette.color(QPalette::PlaceholderText).name();

    QString out;
    out += QStringLiteral("<h3 style=\"margin-bottom:4px\">%1&nbsp;%2</h3>")
                   .arg(StatusStyle::dotHtml(st.status), esc(spec.id));
    QString statusLine = esc(StatusStyle::text(st.status));
    if (st.attempts > 0)
        statusLine
                += QStringLiteral(" <span style=\"color:%1\">%2</span>")
                           .arg(dim, st.attempts == 1 ? tr("after 1 attempt")
                                                      : tr("after %1 attempts").arg(st.attempts));
    out += QStringLiteral("<table cellspacing=\"0\">");
    out += fieldRow(tr("Status"), statusLine);
    out += fieldRow(tr("Fetch"), fetchText(shape.fetch));
    for (const auto &header : shape.fetch.headers)
        out += fieldRow(tr("Header"), QStringLiteral("<code>%1: %2</code>")
                                              .arg(esc(QString::fromUtf8(header.first)),
                                                   esc(QString::fromUtf8(header.second))));
    if (shape.fetch.maxBytes > 0)
        out += fieldRow(tr("Max size"), Formatting::bytes(shape.fetch.maxBytes));
    out += fieldRow(tr("Compute"), computeText(shape.compute));
    out += fieldRow(tr("Max attempts"), shape.maxAttempts ? QString::number(shape.maxAttempts)
                                                          : tr("the run's setting"));
    const quint32 timeout = shape.fetch.timeoutMs ? shape.fetch.timeoutMs : shape.timeoutMs;
    out += fieldRow(tr("Timeout"),
                    timeout ? Formatting::milliseconds(timeout) : tr("the run's setting"));
    out += fieldRow(tr("Batch line"), QString::number(spec.line));
    out += QStringLiteral("</table>");

    // Failed attempts are kept in the history; the latest one lives in the state.
    out += QStringLiteral("<h4 style=\"margin-bottom:2px\">%1</h4>").arg(tr("Attempts"));
    const int recorded = history.isEmpty() ? 0 : history.last().attempt;
    if (history.isEmpty() && st.attempts == 0) {
        out += QStringLiteral("<p style=\"color:%1\">%2</p>").arg(dim, tr("Not started yet."));
    } else {
        const auto head = [&](const QString &text, bool right) {
            return QStringLiteral("<td style=\"padding:1px 10px 1px 0; color:%1\"%2>%3</td>")
                    .arg(dim, right ? QStringLiteral(" align=\"right\"") : QString(), esc(text));
        };
        out += QStringLiteral("<table cellspacing=\"0\"><tr>") + head(tr("#"), true)
               + head(tr("Worker"), true) + head(tr("Waited"), true) + head(tr("Fetch"), true)
               + head(tr("Compute"), true) + head(tr("HTTP"), true) + head(tr("Outcome"), false)
               + QStringLiteral("</tr>");
        for (const AttemptRecord &a : history)
            out += attemptRow(a.attempt, a.worker, a.queuedUs, a.fetchUs, a.computeUs, a.httpStatus,
                              QStringLiteral("<span style=\"color:%1\">%2</span>")
                                      .arg(StatusStyle::color(TaskStatus::Failed).name(),
                                           failureText(a.error, a.message)));
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
            out += attemptRow(st.attempts, st.worker, st.queuedUs, done ? st.fetchUs : 0,
                              done ? st.computeUs : 0, done ? st.httpStatus : 0, outcome);
        }
        out += QStringLiteral("</table>");
        if (st.status == TaskStatus::Retrying)
            out += QStringLiteral("<p style=\"color:%1\">%2</p>")
                           .arg(dim, tr("Waiting out a backoff before the next attempt."));
    }

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
    } else if (isTerminal(st.status) && st.error != ErrorKind::None) {
        out += QStringLiteral("<h4 style=\"margin-bottom:2px\">%1</h4>").arg(tr("Error"));
        out += QStringLiteral("<p>%1</p>").arg(failureText(st.error, st.message));
    }
    return out;
}

} // namespace Brigade
