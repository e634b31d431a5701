#include "CallSpec.h"

#include "protocol/WireReader.h"
#include "protocol/WireWriter.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Brigade {

namespace {
constexpr quint8 EncodingVersion = 1;
}

bool CallSpec::parse(const QJsonObject &compute, CallSpec *spec, std::vector<SpecProblem> *problems)
{
    const std::size_t before = problems->size();
    for (auto it = compute.begin(); it != compute.end(); ++it) {
        const QString key = it.key();
        if (key == u"op") {
            continue;
        } else if (key == u"program") {
            if (!it.value().isString() || it.value().toString().isEmpty())
                problems->push_back(SpecProblem{key,
                                                {},
                                                QStringLiteral("expected \"program\" to name one "
                                                               "of the batch's \"programs\"")});
            else
                spec->program = it.value().toString();
        } else if (key == u"args") {
            // Compact JSON of any value: wrapped in an array, since a document is an object
            // or an array, then unwrapped.
            const QByteArray wrapped
                    = QJsonDocument(QJsonArray{it.value()}).toJson(QJsonDocument::Compact);
            spec->argsJson = wrapped.mid(1, wrapped.size() - 2);
        } else {
            problems->push_back(SpecProblem{key,
                                            {},
                                            QStringLiteral("unknown key \"%1\" for call (known: "
                                                           "op, program, args)")
                                                    .arg(key)});
        }
    }
    if (!compute.contains(QLatin1String("program")))
        problems->push_back(SpecProblem{QString(),
                                        {},
                                        QStringLiteral("expected \"program\" in call, like "
                                                       "{\"op\":\"call\",\"program\":\"score\","
                                                       "\"args\":{...}}")});
    return problems->size() == before;
}

QByteArray CallSpec::encode() const
{
    QByteArray out;
    WireWriter w(&out);
    w.u8(EncodingVersion);
    w.u8(quint8(slotCount < 0 ? 0xff
                              : slotCount)); // second byte, as CommandSpec::withSlots expects
    w.bytes(program.toUtf8());
    w.bytes(argsJson);
    w.commit();
    return out;
}

bool CallSpec::decode(QByteArrayView params, CallSpec *spec)
{
    WireReader r(params);
    if (r.u8() != EncodingVersion)
        return false;
    const quint8 slotCount = r.u8();
    spec->slotCount = slotCount == 0xff ? qint16(-1) : qint16(slotCount);
    spec->program = QString::fromUtf8(r.bytesView());
    spec->argsJson = r.bytes();
    return r.ok() && r.atEnd() && !spec->program.isEmpty() && !spec->argsJson.isEmpty();
}

} // namespace Brigade
