#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Brigade {

class ByteSink;

// brigade run LIST -- PROG ARG...: GNU parallel's way in, without a batch file to write.
// The list and the command become an ordinary batch (a defaults line with the command, a
// task per line of LIST with the line as its "input"), so everything else -- the journal,
// --resume, retry-failed, remote workers -- works on it unchanged.
class CommandLineBatch
{
public:
    // The batch: one task per line of list (the line without its line break; an empty line
    // is an empty input), its id the line's number, running command in cwd. {} stands for the line;
    // with no placeholder in the command, the line is appended as its last argument. Braces that
    // are not placeholders are literal.
    static QByteArray make(const QByteArray &list, const QStringList &command, const QString &cwd);
    // The pieces of make(), for a list that arrives a line at a time (brigade run - -- PROG):
    // the defaults line (without its line break), and the task of list line lineNo.
    static QByteArray defaultsLine(const QStringList &command, const QString &cwd);
    static void appendTask(QByteArray *batch, qint64 lineNo, QByteArrayView line);
    static void appendTask(ByteSink &out, qint64 lineNo, QByteArrayView line);
    // A name for the batch, for messages and the journal: JSON Lines by its suffix.
    static QString nameFor(const QString &listPath);
};

} // namespace Brigade
