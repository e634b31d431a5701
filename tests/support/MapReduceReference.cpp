#include "MapReduceReference.h"

#include <QRandomGenerator>

#include <algorithm>

namespace Brigade::Test {

namespace {

QList<QByteArray> splitLines(const QByteArray &data)
{
    QList<QByteArray> lines = data.split('\n');
    if (!data.isEmpty() && data.endsWith('\n'))
        lines.removeLast(); // no line after the final newline
    if (data.isEmpty())
        lines.clear();
    return lines;
}

bool isNumber(const QByteArray &field)
{
    if (field.isEmpty() || field.size() > 19)
        return false;
    return std::all_of(field.begin(), field.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const QList<QByteArray> &vocabulary()
{
    static const QList<QByteArray> words = [] {
        QList<QByteArray> w = {"Aardvark",     "a",           "the",
                               "Zebra",        "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac",
                               "na\xc3\xafve", "x",           "longerwordthansixteenbytes",
                               "Ab",           "ab",          "AB"};
        for (int i = 0; i < 200; ++i)
            w.append("w" + QByteArray::number(i * 7919 % 1000));
        std::sort(w.begin(), w.end());
        w.erase(std::unique(w.begin(), w.end()), w.end());
        return w;
    }();
    return words;
}

} // namespace

MapReduceReference MapReduceReference::ngram(const QByteArray &data)
{
    MapReduceReference r;
    for (QByteArray line : splitLines(data)) {
        ++r.lines;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty())
            continue;
        const QList<QByteArray> f = line.split('\t');
        if (f.size() != 4 || f[0].isEmpty() || !isNumber(f[1]) || !isNumber(f[2])
            || !isNumber(f[3])) {
            ++r.badLines;
            r.badLineNumbers.append(r.lines);
            continue;
        }
        r.totals[f[0]] += f[2].toULongLong();
    }
    return r;
}

MapReduceReference MapReduceReference::text(const QByteArray &data)
{
    MapReduceReference r;
    for (const QByteArray &line : splitLines(data)) {
        ++r.lines;
        QByteArray word;
        for (char c : line + ' ') {
            if (c == ' ' || (c >= '\t' && c <= '\r')) {
                if (!word.isEmpty())
                    ++r.totals[word];
                word.clear();
            } else {
                word.append(c);
            }
        }
    }
    return r;
}

QByteArray MapReduceReference::generateNgram(int lines, quint32 seed, bool messy, bool sorted)
{
    QRandomGenerator rng(seed);
    const QList<QByteArray> &words = vocabulary();
    QList<QByteArray> out;
    int w = 0;
    for (int i = 0; i < lines; ++i) {
        if (sorted) {
            if (rng.bounded(4) == 0 && w + 1 < words.size())
                w += 1 + int(rng.bounded(qMin(3, int(words.size()) - w - 1)));
        } else {
            w = int(rng.bounded(int(words.size())));
        }
        QByteArray line = words[w] + '\t' + QByteArray::number(1500 + rng.bounded(500)) + '\t'
                          + QByteArray::number(rng.bounded(100000) + 1) + '\t'
                          + QByteArray::number(rng.bounded(1000) + 1);
        if (messy) {
            switch (rng.bounded(40)) {
            case 0:
                line = ""; // empty line
                break;
            case 1:
                line = words[w] + "\t1999\t12"; // a column short
                break;
            case 2:
                line = words[w] + "\t1999\t1x2\t3"; // not a number
                break;
            case 3:
                line = "\t1999\t5\t5"; // empty word
                break;
            case 4:
                line += "\t7"; // a column too many
                break;
            case 5:
                line = words[w] + "\t1999\t99999999999999999999\t1"; // 20 digits
                break;
            case 6:
                line = words[w] + "\t1999\t5\t5 "; // trailing space
                break;
            default:
                break;
            }
            if (rng.bounded(5) == 0)
                line += '\r'; // CRLF
        }
        out.append(line);
    }
    QByteArray data = out.join('\n');
    if (lines % 2 == 0 && !data.isEmpty())
        data += '\n';
    return data;
}

QByteArray MapReduceReference::generateText(int lines, quint32 seed)
{
    QRandomGenerator rng(seed);
    const QList<QByteArray> &words = vocabulary();
    static const char *const spaces[] = {" ", "  ", "\t", " \v ", "\f", "\r"};
    QList<QByteArray> out;
    for (int i = 0; i < lines; ++i) {
        QByteArray line;
        const int n = int(rng.bounded(12));
        for (int k = 0; k < n; ++k) {
            line += spaces[rng.bounded(6)];
            line += words[rng.bounded(int(words.size()))];
        }
        if (rng.bounded(3) == 0)
            line += spaces[rng.bounded(6)];
        out.append(line);
    }
    QByteArray data = out.join('\n');
    if (lines % 2 == 0 && !data.isEmpty())
        data += '\n';
    return data;
}

} // namespace Brigade::Test
