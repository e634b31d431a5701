#include "ResultWriter.h"

#include "core/ByteSink.h"
#include "text/CsvText.h"
#include "text/JsonText.h"

namespace Brigade {

namespace {

using CsvText::appendField;

void appendDuration(ByteSink &out, const TaskState &st)
{
    out.fixed(double(st.fetchUs + st.computeUs) / 1000.0, 3);
}

} // namespace

ResultWriter::Format ResultWriter::formatFor(const QString &path)
{
    return path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) ? Format::Csv
                                                                     : Format::JsonLines;
}

QByteArray ResultWriter::csvHeader()
{
    return "id,url,status,attempts,result,error,http_status,bytes,worker,duration_ms,exit_code,"
           "command,stderr\n";
}

QByteArray ResultWriter::record(const TaskSpec &spec, const TaskState &state, Format format,
                                const ProcessOutcome *process)
{
    QByteArray out;
    appendRecord(&out, spec, state, format, process);
    return out;
}

void ResultWriter::appendRecord(QByteArray *buffer, const TaskSpec &spec, const TaskState &st,
                                Format format, const ProcessOutcome *process)
{
    if (process && process->isEmpty())
        process = nullptr;
    const bool hasExit = process && process->exitCode != ProcessOutcome::NoExitCode;
    ByteSink out(buffer);
    const bool hasHttp = st.httpStatus != 0;
    const bool hasBytes = st.bytes >= 0;
    const QByteArray id = spec.id.toUtf8();
    // A URL list's ids are line numbers: the record says which URL it is about.
    const bool hasUrl = spec.shape && spec.shape->fetch.kind == FetchKind::Url;
    if (format == Format::JsonLines) {
        out.literal("{\"id\":");
        JsonText::appendString(out, id);
        if (hasUrl) {
            out.literal(",\"url\":");
            JsonText::appendString(out, spec.url());
        }
        out.literal(",\"status\":\"");
        out.append(QByteArrayView(statusName(st.status)));
        out.literal("\",\"attempts\":");
        out.number(st.attempts);
        out.literal(",\"result\":");
        if (st.status == TaskStatus::Succeeded && !st.result.isEmpty())
            out.append(st.result);
        else
            out.literal("null");
        out.literal(",\"error\":");
        if (st.status == TaskStatus::Succeeded || st.message.isEmpty())
            out.literal("null");
        else
            JsonText::appendString(out, st.message.toUtf8());
        out.literal(",\"http_status\":");
        if (hasHttp)
            out.number(st.httpStatus);
        else
            out.literal("null");
        out.literal(",\"bytes\":");
        if (hasBytes)
            out.number(st.bytes);
        else
            out.literal("null");
        out.literal(",\"worker\":");
        if (st.worker >= 0)
            out.number(st.worker);
        else
            out.literal("null");
        out.literal(",\"duration_ms\":");
        appendDuration(out, st);
        if (process) {
            out.literal(",\"exit_code\":");
            if (hasExit)
                out.number(process->exitCode);
            else
                out.literal("null");
            out.literal(",\"command\":");
            JsonText::appendString(out, process->command.toUtf8());
            out.literal(",\"stderr\":");
            if (process->stderrTail.isEmpty())
                out.literal("null");
            else
                JsonText::appendString(out, process->stderrTail);
        }
        out.literal("}\n");
        return;
    }
    appendField(out, id);
    out.append(',');
    if (hasUrl)
        appendField(out, spec.url());
    out.append(',');
    out.append(QByteArrayView(statusName(st.status)));
    out.append(',');
    out.number(st.attempts);
    out.append(',');
    if (st.status == TaskStatus::Succeeded)
        appendField(out, st.result);
    out.append(',');
    if (st.status != TaskStatus::Succeeded)
        appendField(out, st.message.toUtf8());
    out.append(',');
    if (hasHttp)
        out.number(st.httpStatus);
    out.append(',');
    if (hasBytes)
        out.number(st.bytes);
    out.append(',');
    if (st.worker >= 0)
        out.number(st.worker);
    out.append(',');
    appendDuration(out, st);
    out.append(',');
    if (hasExit)
        out.number(process->exitCode);
    out.append(',');
    if (process)
        appendField(out, process->command.toUtf8());
    out.append(',');
    if (process) // CSV is text: bytes that are not UTF-8 become U+FFFD
        appendField(out, QString::fromUtf8(process->stderrTail).toUtf8());
    out.append('\n');
}

ResultWriter::~ResultWriter()
{
    QString ignored;
    close(&ignored);
}

bool ResultWriter::open(const QString &path, QString *error)
{
    m_format = formatFor(path);
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, m_file.errorString());
        return false;
    }
    if (m_format == Format::Csv)
        m_file.write(csvHeader());
    return true;
}

void ResultWriter::write(const TaskStore &store, const QVector<int> &rows)
{
    if (!m_file.isOpen())
        return;
    m_buffer.resize(0);
    store.read([&](const TaskStates &states) {
        for (int row : rows) {
            // A task retried with changes names the URL it fetched, not the batch's.
            const TaskSpec &spec = store.spec(row);
            const std::shared_ptr<const TaskShape> &shape = store.shapeLocked(row);
            if (shape == spec.shape) {
                appendRecord(&m_buffer, spec, states[row], m_format, store.processLocked(row));
            } else {
                TaskSpec changed = spec;
                changed.shape = shape;
                appendRecord(&m_buffer, changed, states[row], m_format, store.processLocked(row));
            }
        }
    });
    m_file.write(m_buffer);
    m_file.flush();
    m_written += rows.size();
}

bool ResultWriter::close(QString *error)
{
    if (!m_file.isOpen())
        return true;
    m_file.close();
    if (m_file.error() != QFileDevice::NoError) {
        *error = m_file.errorString();
        return false;
    }
    return true;
}

} // namespace Brigade
