#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

namespace Brigade {

class CountTable;

// Where a MapReduce job is, as MapReduceJob::progressChanged() reports it.
struct MapReduceProgress
{
    int chunksDone = 0; // mapped and merged, or failed
    int chunksTotal = 0;
    int chunksFailed = 0;
    qint64 bytesDone = 0; // input bytes of the chunks done
    qint64 bytesTotal = 0;
    qint64 elapsedMs = 0;
    double bytesPerSecond = 0; // since the start
    qint64 etaMs = -1;         // -1 when unknown
    qint64 keys = 0;           // distinct keys merged so far
    quint64 badLines = 0;      // so far
    bool active = false;
};

struct KeyTotal
{
    QByteArray key;
    quint64 total = 0;
    bool found = false; // for asked keys: whether the key occurs at all
};

struct BadLineExample
{
    QString file;
    quint64 line = 0; // 1-based
    QString reason;

    QString toString() const { return QStringLiteral("%1:%2: %3").arg(file).arg(line).arg(reason); }
};

// What a MapReduce job found.
struct MapReduceResult
{
    enum class Status { Succeeded, Failed, Cancelled };

    Status status = Status::Succeeded;
    QStringList errors; // why it failed: failed chunks, a changed input, ...
    QString id;         // the job's id from the batch, if any
    int chunks = 0;
    qint64 bytes = 0;
    qint64 elapsedMs = 0;
    quint64 lines = 0;
    quint64 badLines = 0;
    QVector<BadLineExample> badExamples; // the first few, in file order
    qint64 distinctKeys = 0;
    quint64 totalCount = 0;  // the sum of all totals
    bool overflowed = false; // some total passed 2^64 - 1 and was capped there
    QVector<KeyTotal> top;   // the largest totals, largest first, ties in byte order
    QVector<KeyTotal> keys;  // the asked keys, in the order asked
    // Every key and its total, for views and export; null unless succeeded.
    std::shared_ptr<const CountTable> table;

    bool succeeded() const { return status == Status::Succeeded; }
};

} // namespace Brigade

Q_DECLARE_METATYPE(Brigade::MapReduceProgress)
Q_DECLARE_METATYPE(Brigade::MapReduceResult)
