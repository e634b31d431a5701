#include "Journal.h"

#include "JournalRecord.h"
#include "protocol/WireReader.h"
#include "protocol/WireWriter.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QVariant>
#include <QtEndian>

#include <cstring>

namespace Brigade {

namespace {

const QString FormatName = QStringLiteral("brigade-journal");

enum SegmentKind { FinishedSegment = 1, ResetSegment = 2 };

const QString EditsTable = QStringLiteral("CREATE TABLE IF NOT EXISTS edits(seq INTEGER PRIMARY "
                                          "KEY, change TEXT NOT NULL, rows BLOB NOT NULL, specs "
                                          "BLOB, at TEXT)");

QString connectionName()
{
    static QAtomicInteger<int> counter;
    return QStringLiteral("brigade-journal-%1").arg(counter.fetchAndAddRelaxed(1));
}

QString sqlError(const QSqlError &e)
{
    return e.text().trimmed();
}

} // namespace

Journal::Journal() = default;

Journal::~Journal()
{
    close();
}

QString Journal::defaultDirectory()
{
    // Tests run side by side and clear their journals as they start; in Qt's test mode each
    // program therefore keeps them in a folder of its own (its application name's).
    if (QStandardPaths::isTestModeEnabled())
        return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
               + QStringLiteral("/journals");
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (base.isEmpty())
        base = QDir::homePath() + QStringLiteral("/.local/share");
    return base + QStringLiteral("/brigade/journals");
}

QString Journal::defaultPathFor(const QString &batchPath)
{
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QDir dir(defaultDirectory());
    const QString base = QFileInfo(batchPath).completeBaseName() + QLatin1Char('-') + stamp;
    // Two runs of one batch in the same second must not share (and replace) a journal.
    QString path = dir.filePath(base + QStringLiteral(".journal"));
    for (int i = 2; QFileInfo::exists(path) || QFileInfo::exists(path + QStringLiteral(".partial"));
         ++i)
        path = dir.filePath(QStringLiteral("%1-%2.journal").arg(base).arg(i));
    return path;
}

bool Journal::isOpen() const
{
    return m_db.isValid() && m_db.isOpen();
}

void Journal::close()
{
    if (m_connection.isEmpty())
        return;
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connection);
    m_connection.clear();
}

bool Journal::exec(const QString &sql, QString *error)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql)) {
        *error = QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError()));
        return false;
    }
    return true;
}

Status Journal::checkCreatable(const QString &path)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path + QStringLiteral(".partial"));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || !f.setPermissions(QFile::ReadOwner | QFile::WriteOwner))
        return Status::failure(
                QStringLiteral("cannot create journal %1: %2").arg(path, f.errorString()));
    f.remove();
    return {};
}

bool Journal::create(const QString &path, const QString &batchPath, const BatchBytes &batch,
                     QString *error)
{
    close();
    m_path = path;
    QDir().mkpath(QFileInfo(path).absolutePath());
    // Built under another name and renamed when complete: a crash while creating it leaves
    // no half-made journal behind, so a journal that exists can always be resumed.
    const QString building = path + QStringLiteral(".partial");
    {
        // Create the file first so it is never readable by others, not even briefly.
        QFile f(building);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || !f.setPermissions(QFile::ReadOwner | QFile::WriteOwner)) {
            *error = QStringLiteral("cannot create journal %1: %2").arg(path, f.errorString());
            return false;
        }
    }
    QFile::remove(building + QStringLiteral("-wal"));
    QFile::remove(building + QStringLiteral("-shm"));
    m_connection = connectionName();
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    m_db.setDatabaseName(building);
    if (!m_db.open()) {
        *error = QStringLiteral("cannot open journal %1: %2").arg(path, sqlError(m_db.lastError()));
        return false;
    }
    const QStringList schema{
            // No rollback journal while building: the file is thrown away if this fails,
            // so the batch copy is written once instead of twice (log, then checkpoint).
            // Large pages: the batch's copy (most of a new journal) is written as 8x fewer
            // pages, a million-task run ~4% sooner. Journals made with 4 KB pages read
            // as ever: SQLite takes a file's page size from the file.
            QStringLiteral("PRAGMA page_size=%1").arg(PageBytes),
            QStringLiteral("PRAGMA journal_mode=OFF"),
            QStringLiteral("PRAGMA synchronous=NORMAL"),
            QStringLiteral("BEGIN"), // one transaction, one sync, for all of it
            QStringLiteral("CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB)"),
            QStringLiteral("CREATE TABLE batch(chunk INTEGER PRIMARY KEY, data BLOB NOT NULL)"),
            QStringLiteral(
                    "CREATE TABLE runs(run INTEGER PRIMARY KEY, kind TEXT, started_at TEXT)"),
            QStringLiteral("CREATE TABLE segments(seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL, "
                           "count INTEGER NOT NULL, data BLOB NOT NULL, at_ms INTEGER)"),
            QStringLiteral("CREATE TABLE workers(slot INTEGER PRIMARY KEY, host TEXT)"),
            EditsTable,
    };
    for (const QString &sql : schema) {
        if (!exec(sql, error))
            return false;
    }
    QSqlQuery meta(m_db);
    meta.prepare(QStringLiteral("INSERT INTO meta(key, value) VALUES(?, ?)"));
    const QList<QPair<QString, QVariant>> values{
            {QStringLiteral("format"), FormatName},
            {QStringLiteral("version"), FormatVersion},
            {QStringLiteral("batch_path"), QFileInfo(batchPath).absoluteFilePath()},
            {QStringLiteral("batch_size"), qint64(batch.size())},
            {QStringLiteral("created_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
            {QStringLiteral("brigade_version"), QStringLiteral(BRIGADE_VERSION)},
    };
    // A failed build leaves nothing behind (without a log there is nothing to roll back to).
    auto abandon = [&](const QSqlError &e) {
        *error = QStringLiteral("journal %1: %2").arg(path, sqlError(e));
        QFile::remove(building); // the connection closes with this object
        return false;
    };
    for (const auto &[k, v] : values) {
        meta.bindValue(0, k);
        meta.bindValue(1, v);
        if (!meta.exec())
            return abandon(meta.lastError());
    }
    QSqlQuery chunk(m_db);
    chunk.prepare(QStringLiteral("INSERT INTO batch(chunk, data) VALUES(?, ?)"));
    QByteArray scratch;
    for (int i = 0; i < batch.pieceCount(); ++i) {
        const Result<QByteArrayView> piece = batch.piece(i, &scratch);
        if (!piece) {
            *error = QStringLiteral("journal %1: %2").arg(path, piece.error());
            QFile::remove(building);
            return false;
        }
        chunk.bindValue(0, qint64(i));
        // Never null, not even for an empty batch (a fed run's starts so): the column is NOT NULL.
        // Bound without a copy: the driver hands SQLite the bytes for this statement only.
        chunk.bindValue(1, piece->isEmpty()
                                   ? QByteArray("", 0)
                                   : QByteArray::fromRawData(piece->data(), piece->size()));
        if (!chunk.exec())
            return abandon(chunk.lastError());
        chunk.bindValue(1, QVariant()); // lets go of scratch, so the next piece reuses it
    }
    if (!m_db.commit())
        return abandon(m_db.lastError());
    meta.finish();
    chunk.finish();
    close();
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(path + suffix);
    if (!QFile::rename(building, path)) {
        *error = QStringLiteral("cannot create journal %1: rename failed").arg(path);
        return false;
    }
    return open(path, error);
}

bool Journal::open(const QString &path, QString *error)
{
    close();
    m_path = path;
    if (!QFileInfo(path).isFile()) {
        *error = QStringLiteral("no journal at %1").arg(path);
        return false;
    }
    m_connection = connectionName();
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    m_db.setDatabaseName(path);
    if (!m_db.open()) {
        *error = QStringLiteral("cannot open journal %1: %2").arg(path, sqlError(m_db.lastError()));
        return false;
    }
    QByteArray format;
    QString why;
    if (!readMeta(QStringLiteral("format"), &format, &why) || format != FormatName.toUtf8()) {
        *error = QStringLiteral("%1 is not a Brigade journal, or it is damaged%2. A journal "
                                "cannot be repaired: run the batch file again to start a new one")
                         .arg(path, why.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(why));
        close();
        return false;
    }
    QByteArray version;
    if (!readMeta(QStringLiteral("version"), &version, &why)
        || version.toInt() < OldestReadableVersion || version.toInt() > FormatVersion) {
        *error = QStringLiteral("%1 is a journal of format version %2; this Brigade reads "
                                "versions %3 to %4")
                         .arg(path, QString::fromUtf8(version))
                         .arg(OldestReadableVersion)
                         .arg(FormatVersion);
        close();
        return false;
    }
    // Results are appended through a write-ahead log: a crash mid-write loses at most the
    // transaction being written, never what was committed before it.
    if (!exec(QStringLiteral("PRAGMA journal_mode=WAL"), error)
        || !exec(QStringLiteral("PRAGMA synchronous=NORMAL"), error)) {
        close();
        return false;
    }
    // The log is folded back into the file every ~4 MB, whatever the journal's page size
    // (SQLite counts pages: its default of 1,000 is 32 MB of large pages).
    QSqlQuery pageSize(m_db);
    if (pageSize.exec(QStringLiteral("PRAGMA page_size")) && pageSize.next()
        && pageSize.value(0).toInt() > 0) {
        const int pages = qMax(16, CheckpointBytes / pageSize.value(0).toInt());
        if (!exec(QStringLiteral("PRAGMA wal_autocheckpoint=%1").arg(pages), error)) {
            close();
            return false;
        }
    }
    // Found, not added: a journal may be open in another Brigade that is writing it.
    QSqlQuery columns(m_db);
    m_hasSegmentTimes = false;
    if (columns.exec(QStringLiteral("SELECT name FROM pragma_table_info('segments')"))) {
        while (columns.next())
            m_hasSegmentTimes = m_hasSegmentTimes || columns.value(0).toString() == u"at_ms";
    }
    QSqlQuery tables(m_db);
    m_hasWorkerHosts = tables.exec(QStringLiteral(
                               "SELECT 1 FROM sqlite_master WHERE type='table' AND name='workers'"))
                       && tables.next();
    QSqlQuery edits(m_db);
    m_hasEdits = edits.exec(QStringLiteral(
                         "SELECT 1 FROM sqlite_master WHERE type='table' AND name='edits'"))
                 && edits.next();
    return true;
}

bool Journal::readMeta(const QString &key, QByteArray *value, QString *error) const
{
    QSqlQuery q(m_db);
    // A query that could not be prepared says why (not a database, no such table); its
    // exec() would only say "Parameter count mismatch".
    if (!q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"))) {
        *error = sqlError(q.lastError());
        return false;
    }
    q.bindValue(0, key);
    if (!q.exec()) {
        *error = sqlError(q.lastError());
        return false;
    }
    if (!q.next()) {
        *error = QStringLiteral("no %1 recorded").arg(key);
        return false;
    }
    *value = q.value(0).toByteArray();
    return true;
}

QString Journal::batchPath() const
{
    QByteArray v;
    QString ignored;
    readMeta(QStringLiteral("batch_path"), &v, &ignored);
    return QString::fromUtf8(v);
}

QByteArray Journal::batchData(QString *error) const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT data FROM batch ORDER BY chunk"))) {
        *error = QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError()));
        return {};
    }
    QByteArray all;
    while (q.next())
        all += q.value(0).toByteArray();
    return all;
}

bool Journal::recordRun(const QString &kind, QString *error)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO runs(kind, started_at) VALUES(?, ?)"));
    q.bindValue(0, kind);
    q.bindValue(1, QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    if (!q.exec()) {
        *error = QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError()));
        return false;
    }
    return true;
}

bool Journal::appendEdit(const JournalEdit &edit, QString *error)
{
    if (!m_hasEdits) {
        // A journal of an older Brigade: the table is added, and the version says so.
        if (!exec(EditsTable, error)
            || !exec(QStringLiteral("INSERT OR REPLACE INTO meta(key, value) VALUES('version', %1)")
                             .arg(FormatVersion),
                     error))
            return false;
        m_hasEdits = true;
    }
    QByteArray rows;
    WireWriter w(&rows);
    for (int row : edit.rows)
        w.u32(quint32(row));
    w.commit();
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO edits(change, rows, specs, at) VALUES(?, ?, ?, ?)"));
    q.bindValue(0, QString::fromUtf8(edit.change));
    q.bindValue(1, rows);
    q.bindValue(2, qCompress(edit.specs));
    q.bindValue(3, QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    if (!q.exec()) {
        *error = QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError()));
        return false;
    }
    return true;
}

QList<JournalEdit> Journal::edits(QString *error) const
{
    QList<JournalEdit> list;
    if (!m_hasEdits)
        return list;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT change, rows, specs, at FROM edits ORDER BY seq"))) {
        *error = QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError()));
        return list;
    }
    while (q.next()) {
        JournalEdit e;
        e.change = q.value(0).toString().toUtf8();
        const QByteArray rows = q.value(1).toByteArray();
        WireReader r(rows);
        while (!r.atEnd() && r.ok())
            e.rows.append(int(r.u32()));
        if (!r.ok()) {
            *error = QStringLiteral("journal %1 is corrupt: an edit's rows are malformed")
                             .arg(m_path);
            return {};
        }
        e.specs = qUncompress(q.value(2).toByteArray());
        e.at = q.value(3).toString();
        list.append(e);
    }
    return list;
}

bool Journal::recordWorkerHost(int slot, const QString &host, QString *error)
{
    if (!m_hasWorkerHosts)
        return true;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO workers(slot, host) VALUES(?, ?)"));
    q.bindValue(0, slot);
    q.bindValue(1, host);
    if (!q.exec()) {
        *error = QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError()));
        return false;
    }
    return true;
}

QHash<int, QString> Journal::workerHosts() const
{
    QHash<int, QString> hosts;
    if (!m_hasWorkerHosts)
        return hosts;
    QSqlQuery q(m_db);
    if (q.exec(QStringLiteral("SELECT slot, host FROM workers"))) {
        while (q.next())
            hosts.insert(q.value(0).toInt(), q.value(1).toString());
    }
    return hosts;
}

bool Journal::setOpenTasks(qint64 count, QString *error)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO meta(key, value) VALUES('open_tasks', ?)"));
    q.bindValue(0, count);
    if (!q.exec()) {
        *error = QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError()));
        return false;
    }
    return true;
}

qint64 Journal::openTasks() const
{
    QByteArray v;
    QString ignored;
    bool ok = false;
    const qint64 n = readMeta(QStringLiteral("open_tasks"), &v, &ignored) ? v.toLongLong(&ok) : -1;
    return ok ? n : -1;
}

QStringList Journal::journalsNamedFor(const QString &batchPath)
{
    const QDir dir(defaultDirectory());
    const QString pattern = QFileInfo(batchPath).completeBaseName() + QStringLiteral("-*.journal");
    QStringList paths;
    for (const QFileInfo &f : dir.entryInfoList({pattern}, QDir::Files, QDir::Time))
        paths << f.absoluteFilePath();
    return paths;
}

bool Journal::appendFinished(const TaskStore &store, const QVector<int> &rows, QString *error)
{
    if (rows.isEmpty())
        return true;
    // Segment: u32 count, then a JournalRecord per task.
    QByteArray data;
    data.reserve(4 + rows.size() * 12);
    ByteSink out(&data);
    out.grow(4); // the count, written at the end
    quint32 count = 0;
    qint64 previousRow = 0;
    JournalRecord records;
    // A few thousand rows per hold of the store's lock: the engine thread waits for it to
    // record results, and must never wait for a whole segment.
    constexpr qsizetype RowsPerLock = 2048;
    for (qsizetype begin = 0; begin < rows.size(); begin += RowsPerLock) {
        const qsizetype end = qMin(rows.size(), begin + RowsPerLock);
        store.read([&](const TaskStates &states) {
            for (qsizetype i = begin; i < end; ++i) {
                const int row = rows[i];
                const TaskState &st = states.at(row);
                if (!isTerminal(st.status))
                    continue; // reset for a retry meanwhile; journaled when it finishes again
                records.write(out, row - previousRow, st, store.historyLocked(row),
                              store.processLocked(row));
                previousRow = row;
                ++count;
            }
        });
    }
    if (count == 0)
        return true;
    const quint32 le = qToLittleEndian(count);
    std::memcpy(out.at(0), &le, 4);
    out.commit();
    QSqlQuery q(m_db);
    if (m_hasSegmentTimes) {
        q.prepare(QStringLiteral(
                "INSERT INTO segments(kind, count, data, at_ms) VALUES(?, ?, ?, ?)"));
        q.bindValue(3, QDateTime::currentMSecsSinceEpoch());
    } else {
        q.prepare(QStringLiteral("INSERT INTO segments(kind, count, data) VALUES(?, ?, ?)"));
    }
    q.bindValue(0, int(FinishedSegment));
    q.bindValue(1, count);
    q.bindValue(2, data);
    if (!q.exec()) {
        *error = QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError()));
        return false;
    }
    return true;
}

bool Journal::appendBatchData(const QByteArray &lines, QString *error)
{
    if (lines.isEmpty())
        return true;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO batch(chunk, data) VALUES((SELECT COALESCE(MAX(chunk), "
                             "-1) + 1 FROM batch), ?)"));
    q.bindValue(0, lines);
    if (!q.exec()) {
        *error = QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError()));
        return false;
    }
    return true;
}

bool Journal::appendReset(const QVector<int> &rows, QString *error)
{
    if (rows.isEmpty())
        return true;
    QByteArray data;
    WireWriter w(&data);
    for (int row : rows)
        w.u32(quint32(row));
    w.commit();
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO segments(kind, count, data) VALUES(?, ?, ?)"));
    q.bindValue(0, int(ResetSegment));
    q.bindValue(1, int(rows.size()));
    q.bindValue(2, data);
    if (!q.exec()) {
        *error = QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError()));
        return false;
    }
    return true;
}

bool Journal::restore(TaskStore &store, QString *error, QVector<int> *order,
                      QVector<qint64> *finishedAtMs) const
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    const QString select
            = m_hasSegmentTimes
                      ? QStringLiteral("SELECT seq, kind, data, at_ms FROM segments "
                                       "ORDER BY seq")
                      : QStringLiteral("SELECT seq, kind, data FROM segments ORDER BY seq");
    if (finishedAtMs)
        finishedAtMs->fill(-1, store.size());
    if (!q.exec(select)) {
        *error = QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError()));
        return false;
    }
    const int n = store.size();
    bool ok = true;
    QString why;
    // Rows in the order their final records were written; a later record or a reset
    // supersedes an earlier one.
    QVector<int> sequence;
    QVector<qint64> latest(n, -1);
    store.write([&](TaskStates &states, TaskStore &s) {
        while (ok && q.next()) {
            const qint64 seq = q.value(0).toLongLong();
            const int kind = q.value(1).toInt();
            const QByteArray data = q.value(2).toByteArray();
            WireReader r(data);
            auto corrupt = [&](const char *what) {
                ok = false;
                why = QStringLiteral("journal %1 is corrupt: segment %2 %3")
                              .arg(m_path)
                              .arg(seq)
                              .arg(QLatin1String(what));
            };
            if (kind == ResetSegment) {
                while (!r.atEnd() && r.ok()) {
                    const quint32 row = r.u32();
                    if (!r.ok() || row >= quint32(n))
                        return corrupt("names a task the batch does not have");
                    s.resetLocked(int(row));
                    latest[int(row)] = -1;
                    if (finishedAtMs)
                        (*finishedAtMs)[int(row)] = -1;
                }
                continue;
            }
            if (kind != FinishedSegment)
                return corrupt("has an unknown kind");
            const quint32 count = r.u32();
            const QVariant at = m_hasSegmentTimes ? q.value(3) : QVariant();
            const qint64 atMs = at.isNull() ? -1 : at.toLongLong();
            qint64 row = 0;
            JournalRecord records;
            for (quint32 i = 0; i < count && r.ok(); ++i) {
                TaskState st;
                QList<AttemptRecord> history;
                ProcessOutcome process;
                qint64 delta = 0;
                if (!records.read(r, &delta, &st, &history, &process))
                    break;
                row += delta;
                if (row < 0 || row >= n)
                    return corrupt("names a task the batch does not have");
                if (!r.ok())
                    break;
                latest[int(row)] = qint64(sequence.size());
                sequence.append(int(row));
                states[int(row)] = std::move(st);
                s.setHistoryLocked(int(row), std::move(history));
                s.setProcessLocked(int(row), std::move(process));
                if (finishedAtMs)
                    (*finishedAtMs)[int(row)] = atMs;
            }
            if (!r.ok() || !r.atEnd())
                return corrupt("is truncated or malformed");
        }
    });
    if (!ok) {
        *error = why;
        return false;
    }
    if (order) {
        order->clear();
        for (qint64 i = 0; i < sequence.size(); ++i) {
            if (latest[sequence[i]] == i)
                order->append(sequence[i]);
        }
    }
    return true;
}

Result<Journal::FinishedCounts> Journal::finishedCounts() const
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT seq, kind, data FROM segments ORDER BY seq")))
        return Result<FinishedCounts>::failure(
                QStringLiteral("journal %1: %2").arg(m_path, sqlError(q.lastError())));
    // The latest status of each row that has one; a reset takes it away.
    QHash<qint64, TaskStatus> latest;
    JournalRecord records;
    while (q.next()) {
        const QByteArray data = q.value(2).toByteArray();
        WireReader r(data);
        if (q.value(1).toInt() == ResetSegment) {
            while (!r.atEnd() && r.ok())
                latest.remove(qint64(r.u32()));
            continue;
        }
        const quint32 count = r.u32();
        qint64 row = 0;
        for (quint32 i = 0; i < count && r.ok(); ++i) {
            TaskState st;
            QList<AttemptRecord> history;
            ProcessOutcome process;
            qint64 delta = 0;
            if (!records.read(r, &delta, &st, &history, &process))
                break;
            row += delta;
            latest.insert(row, st.status);
        }
        if (!r.ok())
            return Result<FinishedCounts>::failure(
                    QStringLiteral("journal %1 is corrupt: segment %2 is truncated or malformed")
                            .arg(m_path)
                            .arg(q.value(0).toLongLong()));
    }
    FinishedCounts counts;
    for (const TaskStatus status : std::as_const(latest)) {
        counts.succeeded += status == TaskStatus::Succeeded;
        counts.failed += status == TaskStatus::Failed;
        counts.cancelled += status == TaskStatus::Cancelled;
    }
    return counts;
}

QDateTime Journal::lastRunStarted() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT started_at FROM runs ORDER BY run DESC LIMIT 1"))
        || !q.next())
        return {};
    QDateTime at = QDateTime::fromString(q.value(0).toString(), Qt::ISODate);
    at.setTimeSpec(Qt::UTC);
    return at;
}

} // namespace Brigade
