#include "CommandPieces.h"

#include "protocol/WireReader.h"
#include "protocol/WireWriter.h"

#include <QDir>

namespace Brigade::CommandPieces {

void writeStrings(WireWriter &w, const QStringList &strings)
{
    w.u32(quint32(strings.size()));
    for (const QString &s : strings)
        w.bytes(s.toUtf8());
}

bool readStrings(WireReader &r, QStringList *strings)
{
    const quint32 n = r.u32();
    if (n > quint32(r.remaining() / 4)) {
        r.fail();
        return false;
    }
    strings->clear();
    for (quint32 i = 0; i < n && r.ok(); ++i)
        strings->append(r.utf8());
    return r.ok();
}

void writeEnvironment(WireWriter &w, const Environment &env)
{
    w.u32(quint32(env.size()));
    for (const auto &e : env) {
        w.bytes(e.first.toUtf8());
        w.bytes(e.second.toUtf8());
    }
}

bool readEnvironment(WireReader &r, Environment *env)
{
    const quint32 n = r.u32();
    if (n > quint32(r.remaining() / 8)) {
        r.fail();
        return false;
    }
    env->clear();
    for (quint32 i = 0; i < n && r.ok(); ++i) {
        QString name = r.utf8();
        env->append({name, r.utf8()});
    }
    return r.ok();
}

QString workingDirectory(const QString &cwd, const QString &baseDir)
{
    const bool haveBase = !baseDir.isEmpty() && QDir(baseDir).exists();
    if (cwd.isEmpty())
        return haveBase ? baseDir : QString();
    if (QDir::isRelativePath(cwd) && haveBase)
        return QDir(baseDir).filePath(cwd);
    return cwd;
}

void setVariable(QList<QByteArray> *environment, const QByteArray &name, const QByteArray &value)
{
    environment->removeIf([&](const QByteArray &entry) {
        return entry.size() > name.size() && entry.startsWith(name) && entry[name.size()] == '=';
    });
    environment->append(name + '=' + value);
}

} // namespace Brigade::CommandPieces
