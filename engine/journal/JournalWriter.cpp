#include "JournalWriter.h"

namespace Brigade {

JournalWriter::JournalWriter(QString path, std::shared_ptr<const TaskStore> store, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_store(std::move(store))
{}

void JournalWriter::report(const QString &message)
{
    // One message is enough: a full disk would otherwise repeat it thirty times a second.
    if (!m_failed)
        emit failed(message);
    m_failed = true;
}

void JournalWriter::open(const QString &runKind)
{
    m_journal = std::make_unique<Journal>();
    QString error;
    // Until the run ends, every task counts as open: a crash leaves it so.
    if (!m_journal->open(m_path, &error) || !m_journal->recordRun(runKind, &error)
        || !m_journal->setOpenTasks(m_store->size(), &error)) {
        report(error);
        m_journal.reset();
    }
}

void JournalWriter::create(const QString &batchPath, const BatchBytes &batch,
                           const QString &runKind)
{
    m_journal = std::make_unique<Journal>();
    QString error;
    if (!m_journal->create(m_path, batchPath, batch, &error)
        || !m_journal->recordRun(runKind, &error)
        || !m_journal->setOpenTasks(m_store->size(), &error)) {
        report(error);
        m_journal.reset();
    }
}

void JournalWriter::beginRun(const QString &runKind)
{
    QString error;
    if (m_journal
        && (!m_journal->recordRun(runKind, &error)
            || !m_journal->setOpenTasks(m_store->size(), &error)))
        report(error);
}

void JournalWriter::appendFinished(const QVector<int> &rows)
{
    QString error;
    if (m_journal && !m_journal->appendFinished(*m_store, rows, &error))
        report(error);
}

void JournalWriter::appendReset(const QVector<int> &rows)
{
    QString error;
    if (m_journal && !m_journal->appendReset(rows, &error))
        report(error);
}

void JournalWriter::appendEdit(const JournalEdit &edit)
{
    QString error;
    if (m_journal && !m_journal->appendEdit(edit, &error))
        report(error);
}

void JournalWriter::appendBatchData(const QByteArray &lines, qint64 openTasks)
{
    QString error;
    if (m_journal
        && (!m_journal->appendBatchData(lines, &error)
            || !m_journal->setOpenTasks(openTasks, &error)))
        report(error);
}

void JournalWriter::recordWorkerHost(int slot, const QString &host)
{
    QString error;
    if (m_journal && !m_journal->recordWorkerHost(slot, host, &error))
        report(error);
}

void JournalWriter::recordOpenTasks(qint64 open)
{
    QString error;
    if (m_journal && !m_journal->setOpenTasks(open, &error))
        report(error);
}

void JournalWriter::close(qint64 openTasks)
{
    recordOpenTasks(openTasks);
    m_journal.reset();
}

} // namespace Brigade
