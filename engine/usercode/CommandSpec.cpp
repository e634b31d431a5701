#include "CommandSpec.h"

#include "CommandPieces.h"
#include "Placeholders.h"
#include "protocol/WireReader.h"
#include "protocol/WireWriter.h"

#include <QJsonArray>

namespace Brigade {

namespace {

constexpr quint8 EncodingVersion = 1;
const QString KnownExecKeys
        = QStringLiteral("op, argv, shell, stdin, env, cwd, max_output_bytes, result");

// Environment variable names: what a POSIX shell accepts.
bool isEnvName(const QString &name)
{
    if (name.isEmpty() || name.front().isDigit())
        return false;
    for (QChar c : name) {
        if (!(c == u'_' || (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z')
              || (c >= u'0' && c <= u'9')))
            return false;
    }
    return true;
}

bool hasNul(const QString &s)
{
    return s.contains(QChar(0));
}

} // namespace

void CommandSpec::checkTemplate(const QString &key, const QString &text, int scope, quint8 *needs,
                                std::vector<SpecProblem> *problems)
{
    Placeholders::Problem problem;
    quint8 own = 0;
    if (Placeholders::check(text, Placeholders::Scope(scope), &own, &problem))
        *needs |= own;
    else
        problems->push_back(SpecProblem{key, problem.text, problem.message});
}

QStringList CommandSpec::parseArgv(const QString &key, const QJsonValue &value,
                                   std::vector<SpecProblem> *problems)
{
    const QJsonArray array = value.toArray();
    bool ok = value.isArray() && !array.isEmpty();
    QStringList argv;
    for (const QJsonValue &v : array) {
        ok = ok && v.isString() && !hasNul(v.toString());
        argv.append(v.toString());
    }
    if (ok && argv.first().isEmpty())
        ok = false;
    if (!ok) {
        problems->push_back(
                SpecProblem{key,
                            {},
                            QStringLiteral("expected \"%1\" to be a non-empty array of strings, "
                                           "the program first, like [\"gzip\", \"-9c\", \"{}\"]")
                                    .arg(key)});
        return {};
    }
    return argv;
}

QList<QPair<QString, QString>> CommandSpec::parseEnv(const QJsonValue &value,
                                                     std::vector<SpecProblem> *problems)
{
    QList<QPair<QString, QString>> env;
    if (!value.isObject()) {
        problems->push_back(SpecProblem{QStringLiteral("env"),
                                        {},
                                        QStringLiteral("expected \"env\" to be an object of "
                                                       "variable names to string values")});
        return env;
    }
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!isEnvName(it.key())) {
            problems->push_back(SpecProblem{QStringLiteral("env"), it.key(),
                                            QStringLiteral("invalid environment variable name "
                                                           "\"%1\"")
                                                    .arg(it.key())});
        } else if (!it.value().isString() || hasNul(it.value().toString())) {
            problems->push_back(SpecProblem{QStringLiteral("env"), it.key(),
                                            QStringLiteral("expected the value of \"%1\" in "
                                                           "\"env\" to be a string")
                                                    .arg(it.key())});
        } else {
            env.append({it.key(), it.value().toString()});
        }
    }
    return env;
}

bool CommandSpec::parse(const QJsonObject &compute, CommandSpec *spec,
                        std::vector<SpecProblem> *problems)
{
    const std::size_t before = problems->size();
    const int taskScope = int(Placeholders::Scope::Task);
    for (auto it = compute.begin(); it != compute.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        const auto fail = [&](const QString &message) {
            problems->push_back(SpecProblem{key, {}, message});
        };
        if (key == u"op") {
            continue;
        } else if (key == u"argv") {
            spec->argv = parseArgv(key, v, problems);
            for (const QString &arg : std::as_const(spec->argv))
                checkTemplate(key, arg, taskScope, &spec->needs, problems);
        } else if (key == u"shell") {
            if (!v.isString() || v.toString().trimmed().isEmpty() || hasNul(v.toString()))
                fail(QStringLiteral("expected \"shell\" to be a command line for /bin/sh, like "
                                    "\"gzip -9c {} > {}.gz\""));
            else
                spec->shell = v.toString();
            checkTemplate(key, spec->shell, taskScope, &spec->needs, problems);
        } else if (key == u"stdin") {
            if (v == QJsonValue(QStringLiteral("body")))
                spec->stdinMode = Stdin::Body;
            else if (v == QJsonValue(QStringLiteral("none")))
                spec->stdinMode = Stdin::None;
            else
                fail(QStringLiteral("expected \"stdin\" to be \"body\" (the fetched body) or "
                                    "\"none\" (/dev/null)"));
        } else if (key == u"env") {
            spec->env = parseEnv(v, problems);
            for (const auto &e : std::as_const(spec->env))
                checkTemplate(key, e.second, taskScope, &spec->needs, problems);
        } else if (key == u"cwd") {
            if (!v.isString() || v.toString().isEmpty() || hasNul(v.toString()))
                fail(QStringLiteral("expected \"cwd\" to be a directory path"));
            else
                spec->cwd = v.toString();
            checkTemplate(key, spec->cwd, taskScope, &spec->needs, problems);
        } else if (key == u"max_output_bytes") {
            const qint64 n = v.isDouble() ? v.toInteger(-1) : -1;
            if (n < 1 || n > MaxOutputBytesLimit)
                fail(QStringLiteral("expected \"max_output_bytes\" to be an integer from 1 to %1")
                             .arg(MaxOutputBytesLimit));
            else
                spec->maxOutputBytes = n;
        } else if (key == u"result") {
            if (v == QJsonValue(QStringLiteral("text")))
                spec->result = Result::Text;
            else if (v == QJsonValue(QStringLiteral("json")))
                spec->result = Result::Json;
            else if (v == QJsonValue(QStringLiteral("none")))
                spec->result = Result::None;
            else
                fail(QStringLiteral("expected \"result\" to be \"text\" (stdout as a string), "
                                    "\"json\" (stdout parsed as JSON) or \"none\""));
        } else {
            fail(QStringLiteral("unknown key \"%1\" for exec (known: %2)").arg(key, KnownExecKeys));
        }
    }
    const bool hasArgv = compute.contains(QLatin1String("argv"));
    const bool hasShell = compute.contains(QLatin1String("shell"));
    if (hasArgv && hasShell)
        problems->push_back(SpecProblem{QStringLiteral("shell"),
                                        {},
                                        QStringLiteral("exec takes \"argv\" or \"shell\", not "
                                                       "both")});
    else if (!hasArgv && !hasShell)
        problems->push_back(SpecProblem{QString(),
                                        {},
                                        QStringLiteral("expected \"argv\" in exec, like "
                                                       "{\"op\":\"exec\",\"argv\":[\"gzip\","
                                                       "\"-9c\",\"{}\"]}, or a \"shell\" "
                                                       "command line")});
    return problems->size() == before;
}

QString CommandSpec::joinArguments(const QStringList &argv)
{
    QString out;
    for (const QString &arg : argv) {
        if (!out.isEmpty())
            out += u' ';
        bool plain = !arg.isEmpty();
        for (QChar c : arg) {
            plain = plain && (c.isLetterOrNumber() || QStringView(u"-_./=:,+%@{}#").contains(c));
        }
        out += plain ? arg : Placeholders::shellQuoted(arg);
    }
    return out;
}

QString CommandSpec::displayTemplate() const
{
    return shell.isEmpty() ? joinArguments(argv) : shell;
}

QByteArray CommandSpec::encode() const
{
    QByteArray out;
    WireWriter w(&out);
    w.u8(EncodingVersion);
    w.u8(quint8(slotCount < 0 ? 0xff : slotCount)); // first: withSlots() patches it
    w.u8(quint8(stdinMode));
    w.u8(quint8(result));
    w.u8(needs);
    w.i64(maxOutputBytes);
    w.bytes(shell.toUtf8());
    CommandPieces::writeStrings(w, argv);
    CommandPieces::writeEnvironment(w, env);
    w.bytes(cwd.toUtf8());
    w.bytes(baseDir.toUtf8());
    w.commit();
    return out;
}

QByteArray CommandSpec::withSlots(const QByteArray &params, qint16 slotCount)
{
    QByteArray out = params;
    if (out.size() > 1)
        out[1] = char(quint8(slotCount < 0 ? 0xff : slotCount));
    return out;
}

bool CommandSpec::decode(QByteArrayView params, CommandSpec *spec)
{
    WireReader r(params);
    if (r.u8() != EncodingVersion)
        return false;
    const quint8 slotCount = r.u8();
    spec->slotCount = slotCount == 0xff ? qint16(-1) : qint16(slotCount);
    const quint8 stdinMode = r.u8();
    const quint8 result = r.u8();
    if (stdinMode > quint8(Stdin::None) || result > quint8(Result::None))
        return false;
    spec->stdinMode = Stdin(stdinMode);
    spec->result = Result(result);
    spec->needs = r.u8();
    spec->maxOutputBytes = r.i64();
    spec->shell = r.utf8();
    if (!CommandPieces::readStrings(r, &spec->argv)
        || !CommandPieces::readEnvironment(r, &spec->env))
        return false;
    spec->cwd = r.utf8();
    spec->baseDir = r.utf8();
    return r.ok() && r.atEnd() && (spec->shell.isEmpty() != spec->argv.isEmpty())
           && spec->maxOutputBytes > 0 && spec->maxOutputBytes <= MaxOutputBytesLimit;
}

} // namespace Brigade
