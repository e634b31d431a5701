#include "TaskIdentity.h"

#include "compute/ComputeRegistry.h"
#include "usercode/ProgramSpec.h"

#include <algorithm>
#include <openssl/sha.h>

namespace Brigade {

namespace {

// SHA-256 through OpenSSL's low-level calls (its SHA-NI/AVX code, no per-call setup):
// a resume of a million tasks hashes each of them, and QCryptographicHash took seconds.
class Sha256
{
public:
    Sha256() { SHA256_Init(&m_ctx); }
    void addData(QByteArrayView bytes)
    {
        SHA256_Update(&m_ctx, bytes.data(), size_t(bytes.size()));
    }
    QByteArray result()
    {
        QByteArray digest(SHA256_DIGEST_LENGTH, Qt::Uninitialized);
        SHA256_Final(reinterpret_cast<unsigned char *>(digest.data()), &m_ctx);
        return digest;
    }
    static QByteArray hash(QByteArrayView bytes)
    {
        Sha256 h;
        h.addData(bytes);
        return h.result();
    }

private:
    SHA256_CTX m_ctx;
};

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
            add(QByteArrayView(Sha256::hash(value)));
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
    QByteArray result() { return m_hash.result(); }

private:
    Sha256 m_hash;
};

} // namespace

namespace {

QByteArray idPart(const TaskSpec &spec)
{
    Encoder e;
    e.addText(spec.id);
    return e.result();
}

QByteArray inputPart(const TaskSpec &spec)
{
    Encoder e;
    e.addNumber(spec.input.isNull() ? 0 : 1); // null: the id stands for {}
    e.addText(spec.input);
    return e.result();
}

QByteArray combine(const QByteArray &id, const QByteArray &input, const QByteArray &shape)
{
    Sha256 hash;
    hash.addData(id);
    hash.addData(input);
    hash.addData(shape);
    return hash.result();
}

} // namespace

TaskIdentity TaskIdentity::of(const TaskSpec &spec, const TaskShape &shape)
{
    TaskIdentity identity;
    identity.parts[Id] = idPart(spec);
    identity.parts[Input] = inputPart(spec);
    {
        const FetchSpec &f = shape.fetch;
        const HttpOptions &h = f.http();
        Encoder e;
        e.addNumber(f.kind);
        e.addNumber(f.delayMinMs);
        e.addNumber(f.delayMaxMs);
        e.addNumber(f.failPpm);
        e.add(urlOf(spec, shape));
        e.addHeaders(f.headers(), false);
        e.addHeaders(f.secretHeaders(), true);
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
    Sha256 shape;
    for (int i = Fetch; i < PartCount; ++i)
        shape.addData(parts[i]);
    return combine(parts[Id], parts[Input], shape.result());
}

QByteArray TaskIdentity::shapeDigest(const TaskShape &shape)
{
    Q_ASSERT(!shape.fetch.urls);
    const TaskIdentity identity = of(TaskSpec{}, shape);
    Sha256 hash;
    for (int i = Fetch; i < PartCount; ++i)
        hash.addData(identity.parts[i]);
    return hash.result();
}

QByteArray TaskIdentity::digestOf(const TaskSpec &spec, const QByteArray &shapeDigest)
{
    return combine(idPart(spec), inputPart(spec), shapeDigest);
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
