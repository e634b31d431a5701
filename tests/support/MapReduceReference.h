#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>

namespace Brigade::Test {

// The plain, obviously right way to do what a MapReduce job does, for tests to compare
// with: the whole file in memory, split into lines, one hash map.
struct MapReduceReference
{
    QHash<QByteArray, quint64> totals;
    quint64 lines = 0;
    quint64 badLines = 0;
    QList<quint64> badLineNumbers; // 1-based, all of them

    static MapReduceReference ngram(const QByteArray &data);
    static MapReduceReference text(const QByteArray &data);

    // A test file: n-gram lines of words from a small vocabulary (ASCII and UTF-8), sorted
    // by word unless shuffled, with CRLF endings, empty lines and bad lines mixed in when
    // asked; no final newline when the line count is odd.
    static QByteArray generateNgram(int lines, quint32 seed, bool messy, bool sorted = true);
    // Text lines of words separated by assorted ASCII whitespace.
    static QByteArray generateText(int lines, quint32 seed);
};

} // namespace Brigade::Test
