#include "BatchBytes.h"

#include <QFile>
#include <QHashFunctions>

namespace Brigade {

BatchBytes::BatchBytes(QByteArray data)
    : m_data(std::move(data))
    , m_size(m_data.size())
{}

size_t BatchBytes::hashOf(QByteArrayView bytes)
{
    // Compared within this process only, so Qt's fast hash (AES-based where the CPU has it)
    // with a fixed seed serves: a few ms for a 55 MB batch.
    return qHashBits(bytes.data(), size_t(bytes.size()), size_t(0x9e3779b97f4a7c15ULL));
}

BatchBytes BatchBytes::readBack(const QString &path, QByteArrayView parsed)
{
    BatchBytes b;
    b.m_path = path;
    b.m_size = parsed.size();
    for (qsizetype off = 0; off < parsed.size(); off += PieceBytes)
        b.m_hashes.append(hashOf(parsed.sliced(off, qMin(PieceBytes, parsed.size() - off))));
    if (b.m_hashes.isEmpty())
        b.m_hashes.append(hashOf({}));
    return b;
}

BatchBytes BatchBytes::madeBy(std::function<QByteArray()> make)
{
    BatchBytes b;
    b.m_made = std::make_shared<Made>();
    b.m_made->make = std::move(make);
    return b;
}

const QByteArray &BatchBytes::data() const
{
    if (!m_made)
        return m_data;
    std::call_once(m_made->once, [made = m_made.get()] {
        made->data = made->make();
        made->make = nullptr; // what it held (the list) goes now
    });
    return m_made->data;
}

qsizetype BatchBytes::size() const
{
    return m_made ? data().size() : m_size;
}

bool BatchBytes::sameAs(QByteArrayView bytes) const
{
    if (!isReadBack())
        return data() == bytes;
    if (bytes.size() != m_size)
        return false;
    for (qsizetype off = 0, i = 0; off < bytes.size(); off += PieceBytes, ++i) {
        if (hashOf(bytes.sliced(off, qMin(PieceBytes, bytes.size() - off))) != m_hashes[i])
            return false;
    }
    return true;
}

Result<QByteArray> BatchBytes::piece(int i) const
{
    QByteArray scratch;
    const Result<QByteArrayView> view = piece(i, &scratch);
    if (!view)
        return Result<QByteArray>::failure(view.error());
    return view->data() == scratch.constData() ? scratch : view->toByteArray();
}

Result<QByteArrayView> BatchBytes::piece(int i, QByteArray *scratch) const
{
    const qsizetype off = qsizetype(i) * PieceBytes;
    const qsizetype length = qBound<qsizetype>(0, m_size - off, PieceBytes);
    if (!isReadBack()) {
        const QByteArray &held = data();
        const qsizetype heldLength = qBound<qsizetype>(0, held.size() - off, PieceBytes);
        return QByteArrayView(held).sliced(qMin(off, held.size()), heldLength);
    }
    auto changed = [this] {
        return Result<QByteArrayView>::failure(
                QStringLiteral("%1 changed after it was read, so the journal cannot hold the "
                               "batch this run runs")
                        .arg(m_path));
    };
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<QByteArrayView>::failure(
                QStringLiteral("cannot read %1 again: %2").arg(m_path, file.errorString()));
    if (scratch->size() < length)
        scratch->resize(length);
    if (!file.seek(off) || file.read(scratch->data(), length) != length)
        return changed();
    const QByteArrayView bytes(scratch->constData(), length);
    if (i < 0 || i >= m_hashes.size() || hashOf(bytes) != m_hashes[i])
        return changed();
    return bytes;
}

} // namespace Brigade
