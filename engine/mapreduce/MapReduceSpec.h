#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace Brigade {

// How a MapReduce job reads its input lines.
enum class MapFormat : quint8 {
    Ngram, // word<TAB>year<TAB>match_count<TAB>volume_count: sums match_count per word
    Text,  // words separated by ASCII whitespace: counts occurrences
};

// A MapReduce job as declared in a batch: {"mapreduce": {...}} (see docs/mapreduce.md).
struct MapReduceSpec
{
    static constexpr int DefaultTop = 10;
    static constexpr int MaxTop = 1000000;
    static constexpr int MaxKeys = 100000;
    static constexpr qint64 MaxChunkBytes = qint64(1) << 30;

    QString id;         // the line's "id", if any
    QStringList inputs; // absolute local file paths
    MapFormat format = MapFormat::Text;
    int top = DefaultTop;    // how many of the largest totals to report
    QList<QByteArray> keys;  // keys whose totals to report (UTF-8)
    qint64 chunkBytes = 0;   // 0: chosen from the input size and the number of workers
    quint16 maxAttempts = 0; // per chunk; 0: the run's default
    quint32 timeoutMs = 0;   // per chunk attempt; 0: the run's default
    int line = 0;            // in the batch file
};

} // namespace Brigade
