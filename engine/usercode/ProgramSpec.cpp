#include "ProgramSpec.h"

#include "CommandPieces.h"
#include "CommandSpec.h"
#include "Placeholders.h"
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
    CommandPieces::writeStrings(w, argv);
    CommandPieces::writeEnvironment(w, env);
    w.bytes(cwd.toUtf8());
    w.bytes(baseDir.toUtf8());
    w.u32(maxInFlight);
    w.u64(recycleAfter);
    w.u32(startupTimeoutMs);
}

bool ProgramSpec::decode(WireReader &r)
{
    name = r.utf8();
    if (!CommandPieces::readStrings(r, &argv) || argv.isEmpty()
        || !CommandPieces::readEnvironment(r, &env)) {
        r.fail();
        return false;
    }
    cwd = r.utf8();
    baseDir = r.utf8();
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
