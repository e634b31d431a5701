#include "ResultWriter.h"

#include "JsonText.h"

namespace Brigade {

namespace {

void appendCsvField(QByteArray *out, QByteArrayView v)
{
    const bool quote = v.contains(',') || v.contains('"') || v.contains('\n') || v.contains('\r');
    if (!quote) {
        out->append(v.data(), v.size());
        return;
    }
    out->append('"');
    for (char c : v) {
        if (c == '"')
            out->append('"');
        out->append(c);
    }
    out->append('"');
}

QByteArray durationText(const TaskState &st)
{
    return QByteArray::number(double(st.fetchUs + st.computeUs) / 1000.0, 'f', 3);
}

} // namespace

ResultWriter::Format ResultWriter::formatFor(const QString &path)
{
    return path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) ? Format::Csv
                                                                     : Format::JsonLines;
}

QByteArray ResultWriter::csvHeader()
{
    return "id,status,attempts,result,error,http_status,bytes,worker,duration_ms\n";
}

QByteArray ResultWriter::record(const TaskSpec &spec, const TaskState &st, Format format)
{
    QByteArray out;
    out.reserve(128 + st.result.size());
    const bool hasHttp = st.httpStatus != 0;
    const bool hasBytes = st.bytes >= 0;
    if (format == Format::JsonLines) {
        out.append("{\"id\":");
        JsonText::appendString(&out, QStringView(spec.id));
        out.append(",\"status\":\"").append(statusName(st.status)).append('"');
        out.append(",\"attempts\":").append(QByteArray::number(st.attempts));
        out.append(",\"result\":");
        out.append(st.status == TaskStatus::Succeeded && !st.result.isEmpty() ? st.result : "null");
        out.append(",\"error\":");
        if (st.status == TaskStatus::Succeeded || st.message.isEmpty())
            out.append("null");
        else
            JsonText::appendString(&out, QStringView(st.message));
        out.append(",\"http_status\":");
        out.append(hasHttp ? QByteArray::number(st.httpStatus) : QByteArray("null"));
        out.append(",\"bytes\":");
        out.append(hasBytes ? QByteArray::number(st.bytes) : QByteArray("null"));
        out.append(",\"worker\":");
        out.append(st.worker >= 0 ? QByteArray::number(st.worker) : QByteArray("null"));
        out.append(",\"duration_ms\":").append(durationText(st)).append("}\n");
        return out;
    }
    appendCsvField(&out, spec.id.toUtf8());
    out.append(',').append(statusName(st.status));
    out.append(',').append(QByteArray::number(st.attempts)).append(',');
    if (st.status == TaskStatus::Succeeded)
        appendCsvField(&out, st.result);
    out.append(',');
    if (st.status != TaskStatus::Succeeded)
        appendCsvField(&out, st.message.toUtf8());
    out.append(',');
    if (hasHttp)
        out.append(QByteArray::number(st.httpStatus));
    out.append(',');
    if (hasBytes)
        out.append(QByteArray::number(st.bytes));
    out.append(',');
    if (st.worker >= 0)
        out.append(QByteArray::number(st.worker));
    out.append(',').append(durationText(st)).append('\n');
    return out;
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
    store.read([&](const QVector<TaskState> &states) {
        for (int row : rows)
            m_buffer.append(record(store.spec(row), states[row], m_format));
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
