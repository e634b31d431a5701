#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Brigade::Test {

// The kinds of the runs a journal recorded ("run", "resume", ...), oldest first, read
// straight from its runs table.
QStringList journalRunKinds(const QString &journal);

// n lines {"id":"<prefix><i>","compute":{"op":"sum_to","n":i}}, each ending in a newline.
QByteArray sumLines(const QString &prefix, int n);

} // namespace Brigade::Test
