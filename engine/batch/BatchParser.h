#pragma once

#include "Batch.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <functional>

namespace Brigade {

// Parses batch files: JSON Lines (one task object per line, an optional first line
// {"defaults":{...}} applying to every task) or plain text (one URL per line).
// Never throws and never crashes on any input; every problem becomes a BatchError.
class BatchParser
{
public:
    struct Options
    {
        int maxErrors = 100;
        // Called now and then from the parsing thread with bytes done and total.
        std::function<void(qint64 done, qint64 total)> progress;
        const std::atomic_bool *cancel = nullptr; // set to stop early (Batch::cancelled)
    };

    static Batch parseFile(const QString &path, const Options &options);
    static Batch parseFile(const QString &path) { return parseFile(path, Options{}); }
    // fileName is used in messages; text (.txt) or JSON Lines is chosen from its suffix
    // and content.
    static Batch parseData(const QByteArray &data, const QString &fileName, const Options &options);
    static Batch parseData(const QByteArray &data, const QString &fileName)
    {
        return parseData(data, fileName, Options{});
    }
    // brigade run LIST -- PROG: what parseData() gives for the batch CommandLineBatch::make()
    // makes of list (defaultsLine, then a task per line), line numbers and messages alike,
    // without making it or parsing its JSON.
    static Batch parseArgumentList(QByteArrayView list, QByteArrayView defaultsLine,
                                   const QString &fileName, const Options &options);
    static Batch parseArgumentList(QByteArrayView list, QByteArrayView defaultsLine,
                                   const QString &fileName)
    {
        return parseArgumentList(list, defaultsLine, fileName, Options{});
    }
};

} // namespace Brigade
