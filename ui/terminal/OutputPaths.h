#pragma once

#include <QString>
#include <QStringList>

namespace Brigade {

// Where a command may write: never over a file it reads. Paths are compared by file
// identity (device and inode), so another name for the same file, a symbolic or a hard
// link, is caught; paths of files that do not exist yet by where they would be.
class OutputPaths
{
public:
    struct Input
    {
        QString path;
        QString what; // "the batch", "the journal", ...
    };

    // Whether a and b name one file.
    static bool sameFile(const QString &a, const QString &b);
    // An empty string if output may be written; otherwise why not, for the user:
    // "-o same.jsonl is the batch (same.jsonl): results would overwrite it; ...".
    static QString check(const QString &output, const QList<Input> &inputs);
};

} // namespace Brigade
