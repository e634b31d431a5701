#include "ProgramLog.h"

namespace Brigade {

void ProgramLog::append(const QString &program, int worker, Stream stream, QByteArrayView text,
                        qint64 atMs)
{
    QMutexLocker locker(&m_mutex);
    Kept &kept = m_programs[program];
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype nl = text.indexOf('\n', start);
        if (nl < 0)
            nl = text.size();
        QByteArrayView line = text.sliced(start, nl - start);
        if (line.endsWith('\r'))
            line.chop(1);
        kept.lines.push_back(Line{atMs, worker, stream, QString::fromUtf8(line)});
        ++kept.total;
        if (kept.lines.size() > size_t(MaxLines))
            kept.lines.pop_front();
        start = nl + 1;
    }
}

void ProgramLog::clear()
{
    QMutexLocker locker(&m_mutex);
    m_programs.clear();
}

QStringList ProgramLog::programs() const
{
    QMutexLocker locker(&m_mutex);
    return m_programs.keys();
}

QList<ProgramLog::Line> ProgramLog::lines(const QString &program) const
{
    QMutexLocker locker(&m_mutex);
    const auto it = m_programs.constFind(program);
    if (it == m_programs.cend())
        return {};
    return QList<Line>(it->lines.begin(), it->lines.end());
}

qint64 ProgramLog::count(const QString &program) const
{
    QMutexLocker locker(&m_mutex);
    return m_programs.value(program).total;
}

} // namespace Brigade
