#include "TaskIdentity.h"

#include "compute/ComputeRegistry.h"
#include "usercode/ProgramSpec.h"

#include <QCryptographicHash>

#include <algorithm>

namespace Brigade {

namespace {

// Length-prefixed fields, so that no two specs encode alike ("ab","c" vs "a","bc").
class Encoder
{
public:
    void add(QByteArrayView bytes)
    {
        const quint64 n = quint64(bytes.size());
        m_hash.addData(QByteArrayView(reinterpret_cast<const char *>(&n), sizeof n));
        m_hash.addData(bytes);
    }
    void addText(const QString &text) { add(QByteArrayView(text.toUtf8())); }
    template<typename T>
    void addNumber(T value)
    {
        const qint64 v = qint64(value);
        m_hash.addData(QByteArrayView(reinterpret_cast<const char *>(&v), sizeof v));
    }
    // A secret: whether there is one, and a digest of it, never the value itself.
    void addSecret(QByteArrayView value)
    {
        addNumber(value.isEmpty() ? 0 : 1);
        if (!value.isEmpty())
            add(QByteArrayView(QCryptographicHash::hash(value, QCryptographicHash::Sha256)));
    }
    void addHeaders(HeaderList headers, bool secret)
    {
        // Header order is not what a task computes; names are case-insensitive.
        for (auto &header : headers)
            header.first = header.first.toLower();
        std::stable_sort(headers.begin(), headers.end());
        addNumber(headers.size());
        for (const auto &header : std::as_const(headers)) {
            add(header.first);
            if (secret)
                addSecret(header.second);
            else
                add(header.second);
        }
    }
    QByteArray result() const { return m_hash.result(); }

private:
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
};

} // namespace

TaskIdentity TaskIdentity::of(const TaskSpec &spec, const TaskShape &shape)
{
    TaskIdentity identity;
    {
        Encoder e;
        e.addText(spec.id);
        identity.parts[Id] = e.result();
    }
    {
        Encoder e;
        e.addNumber(spec.input.isNull() ? 0 : 1); // null: the id stands for {}
        e.addText(spec.input);
        identity.parts[Input] = e.result();
    }
    {
        const FetchSpec &f = shape.fetch;
        const HttpOptions &h = f.http;
        Encoder e;
        e.addNumber(f.kind);
        e.addNumber(f.delayMinMs);
        e.addNumber(f.delayMaxMs);
        e.addNumber(f.failPpm);
        e.add(f.url);
        e.addHeaders(f.headers, false);
        e.addHeaders(f.secretHeaders, true);
        e.addNumber(h.method);
        e.add(h.body);
        e.addText(h.bodyFile);
        e.addSecret(h.user);
        e.addSecret(h.password);
        e.addNumber(h.netrc);
        e.addText(h.netrcFile);
        e.addNumber(h.decompress);
        e.addNumber(h.maxRedirects);
        e.addNumber(h.httpVersion);
        e.add(h.unsetVariable);
        identity.parts[Fetch] = e.result();
    }
    const ComputeOp *op
            = shape.compute.op ? ComputeRegistry::instance().op(shape.compute.op) : nullptr;
    const bool userCode = op && op->hasOwnRunner();
    {
        Encoder e;
        e.addNumber(shape.compute.op);
        if (!userCode)
            e.add(shape.compute.params); // the op's own encoding of its parsed parameters
        identity.parts[Compute] = e.result();
    }
    {
        // A command (argv or shell line, environment, stdin, result) or a call's arguments:
        // encoded from the parsed JSON, whose objects keep their keys sorted.
        Encoder e;
        if (userCode)
            e.add(shape.compute.params);
        identity.parts[Command] = e.result();
    }
    {
        // A call's program as its batch defines it; how many calls it takes at once and
        // when it is recycled are run policy.
        Encoder e;
        if (const ProgramSpec *p = shape.compute.program.get()) {
            e.addText(p->name);
            e.addNumber(p->argv.size());
            for (const QString &arg : p->argv)
                e.addText(arg);
            e.addNumber(p->env.size());
            for (const auto &variable : p->env) {
                e.addText(variable.first);
                e.addText(variable.second);
            }
            e.addText(p->cwd);
            e.addText(p->baseDir);
        }
        identity.parts[Program] = e.result();
    }
    return identity;
}

QByteArray TaskIdentity::digest() const
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const QByteArray &part : parts)
        hash.addData(part);
    return hash.result();
}

QString TaskIdentity::partName(Part part)
{
    switch (part) {
    case Id:
        return QStringLiteral("id");
    case Input:
        return QStringLiteral("input");
    case Fetch:
        return QStringLiteral("fetch");
    case Compute:
        return QStringLiteral("compute");
    case Command:
        return QStringLiteral("command or arguments");
    case Program:
        return QStringLiteral("program");
    case PartCount:
        break;
    }
    return {};
}

QStringList TaskIdentity::differences(const TaskIdentity &other) const
{
    QStringList changed;
    for (int i = 0; i < PartCount; ++i) {
        if (parts[i] != other.parts[i])
            changed << partName(Part(i));
    }
    return changed;
}

bool TaskIdentity::operator==(const TaskIdentity &o) const
{
    return std::equal(std::begin(parts), std::end(parts), std::begin(o.parts));
}

} // namespace Brigade
