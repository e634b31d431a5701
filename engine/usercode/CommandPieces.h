#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace Brigade {

class WireReader;
class WireWriter;

// What commands (CommandSpec) and programs (ProgramSpec) share: their argument and
// environment lists on the wire, and the rules that start them the same way.
namespace CommandPieces {

using Environment = QList<QPair<QString, QString>>;

void writeStrings(WireWriter &w, const QStringList &strings);
bool readStrings(WireReader &r, QStringList *strings); // UTF-8 only
void writeEnvironment(WireWriter &w, const Environment &env);
bool readEnvironment(WireReader &r, Environment *env);

// Where a child runs: cwd (placeholders filled) relative to the batch file's directory;
// without one, that directory where it exists (a remote worker may not have it), else the
// worker's own (an empty result).
QString workingDirectory(const QString &cwd, const QString &baseDir);
// Sets NAME=value in an environment of "NAME=value" entries, replacing an earlier NAME.
void setVariable(QList<QByteArray> *environment, const QByteArray &name, const QByteArray &value);

} // namespace CommandPieces

} // namespace Brigade
