#include "ProgramSpec.h"

#include "CommandSpec.h"
#include "Placeholders.h"
#include "batch/BatchLineParser.h"
#include "protocol/WireReader.h"
#include "protocol/WireWriter.h"

namespace Brigade {

namespace {
const QString KnownProgramKeys
        = QStringLiteral("argv, env, cwd, max_in_flight, recycle_after, startup_timeout_ms");
}

bool ProgramSpec::parse(const QString &name, const QJsonValue &value, ProgramSpec *spec,
                        std::vector<SpecProblem> *problems)
{
    const std::size_t before = problems->size();
    spec->name = name;
    if (!value.isObject()) {
        problems->push_back(SpecProblem{name,
                                        {},
                                        QStringLiteral("expected program \"%1\" to be an object "
                                                       "with \"argv\", like {\"argv\":[\"python3\","
                                                       "\"score.py\"]}")
                                                .arg(name)});
        return false;
    }
    const QJsonObject object = value.toObject();
    const int scope = int(Placeholders::Scope::Program);
    quint8 needs = 0;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        const auto integer = [&](qint64 lo, qint64 hi, qint64 *out) {
            const qint64 n = v.isDouble() ? v.toInteger(lo - 1) : lo - 1;
            if (n < lo || n > hi) {
                problems->push_back(SpecProblem{key,
                                                {},
                                                QStringLiteral("expected \"%1\" to be an integer "
                                                               "from %2 to %3")
                                                        .arg(key)
                                                        .arg(lo)
                                                        .arg(hi)});
                return false;
            }
            *out = n;
            return true;
        };
        qint64 n = 0;
        if (key == u"argv") {
            spec->argv = CommandSpec::parseArgv(key, v, problems);
            for (const QString &arg : std::as_const(spec->argv))
                CommandSpec::checkTemplate(key, arg, scope, &needs, problems);
        } else if (key == u"env") {
            spec->env = CommandSpec::parseEnv(v, problems);
            for (const auto &e : std::as_const(spec->env))
                CommandSpec::checkTemplate(key, e.second, scope, &needs, problems);
        } else if (key == u"cwd") {
            if (!v.isString() || v.toString().isEmpty())
                problems->push_back(SpecProblem{key,
                                                {},
                                                QStringLiteral("expected \"cwd\" to be a "
                                                               "directory path")});
            else
                spec->cwd = v.toString();
            CommandSpec::checkTemplate(key, spec->cwd, scope, &needs, problems);
        } else if (key == u"max_in_flight") {
            if (integer(1, MaxMaxInFlight, &n))
                spec->maxInFlight = quint32(n);
        } else if (key == u"recycle_after") {
            if (integer(0, qint64(1) << 53, &n))
                spec->recycleAfter = quint64(n);
        } else if (key == u"startup_timeout_ms") {
            if (integer(1, 24LL * 3600 * 1000, &n))
                spec->startupTimeoutMs = quint32(n);
        } else {
            problems->push_back(SpecProblem{key,
                                            {},
                                            QStringLiteral("unknown key \"%1\" in program \"%2\" "
                                                           "(known: %3)")
                                                    .arg(key, name, KnownProgramKeys)});
        }
    }
    if (!object.contains(QLatin1String("argv")))
        problems->push_back(SpecProblem{name,
                                        {},
                                        QStringLiteral("expected \"argv\" in program \"%1\", "
                                                       "like [\"python3\", \"score.py\"]")
                                                .arg(name)});
    return problems->size() == before;
}

void ProgramSpec::encode(WireWriter &w) const
{
    w.bytes(name.toUtf8());
    w.u32(quint32(argv.size()));
    for (const QString &a : argv)
        w.bytes(a.toUtf8());
    w.u32(quint32(env.size()));
    for (const auto &e : env) {
        w.bytes(e.first.toUtf8());
        w.bytes(e.second.toUtf8());
    }
    w.bytes(cwd.toUtf8());
    w.bytes(baseDir.toUtf8());
    w.u32(maxInFlight);
    w.u64(recycleAfter);
    w.u32(startupTimeoutMs);
}

namespace {
// Strings of a frame must be UTF-8: anything else is a broken frame, not text to guess at.
QString text(WireReader &r)
{
    const QByteArrayView bytes = r.bytesView();
    if (BatchLineParser::invalidUtf8At(bytes) >= 0)
        r.fail();
    return QString::fromUtf8(bytes);
}
} // namespace

bool ProgramSpec::decode(WireReader &r)
{
    name = text(r);
    const quint32 argc = r.u32();
    if (argc == 0 || argc > quint32(r.remaining() / 4)) {
        r.fail();
        return false;
    }
    argv.clear();
    for (quint32 i = 0; i < argc && r.ok(); ++i)
        argv.append(text(r));
    const quint32 envc = r.u32();
    if (envc > quint32(r.remaining() / 8)) {
        r.fail();
        return false;
    }
    env.clear();
    for (quint32 i = 0; i < envc && r.ok(); ++i) {
        QString key = text(r);
        env.append({key, text(r)});
    }
    cwd = text(r);
    baseDir = text(r);
    maxInFlight = r.u32();
    recycleAfter = r.u64();
    startupTimeoutMs = r.u32();
    return r.ok() && !name.isEmpty() && maxInFlight >= 1 && maxInFlight <= MaxMaxInFlight
           && startupTimeoutMs > 0;
}

bool ProgramSpec::operator==(const ProgramSpec &o) const
{
    return name == o.name && argv == o.argv && env == o.env && cwd == o.cwd && baseDir == o.baseDir
           && maxInFlight == o.maxInFlight && recycleAfter == o.recycleAfter
           && startupTimeoutMs == o.startupTimeoutMs;
}

} // namespace Brigade
