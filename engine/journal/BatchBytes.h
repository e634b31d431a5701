#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QString>
#include <QVector>

#include <functional>
#include <memory>
#include <mutex>

namespace Brigade {

// A batch's bytes as its journal copies them (Journal::create), in pieces: held in memory,
// or read back from the batch file and checked piece by piece against what was parsed.
// The second lets a command-line run that starts at once drop its copy of the batch as
// soon as the batch is parsed: a 55 MB batch of a million tasks is then not held a second
// time while they run. A file changed in between is refused, never copied. Or made when
// first wanted: a list of arguments is read without making its batch (see
// BatchParser::parseArgumentList), which the journal's thread then makes as the run starts.
class BatchBytes
{
public:
    static constexpr qsizetype PieceBytes = 8 * 1024 * 1024;

    BatchBytes() = default;
    BatchBytes(QByteArray data); // NOLINT: held, as a QByteArray was
    // The bytes parsed from the file at path, which will be read back from there: only
    // their size and one hash per piece are kept.
    static BatchBytes readBack(const QString &path, QByteArrayView parsed);
    // The bytes make() gives, made once by the first thread that wants them (copies share
    // them); make must be safe to call on any thread.
    static BatchBytes madeBy(std::function<QByteArray()> make);

    // Made with nothing (not even an empty batch).
    bool isNull() const { return m_data.isNull() && m_path.isEmpty() && !m_made; }
    qsizetype size() const;
    bool isReadBack() const { return !m_path.isEmpty(); }
    bool isMade() const { return m_made != nullptr; }
    // Pieces of PieceBytes (the last shorter); at least one, empty for an empty batch.
    int pieceCount() const
    {
        return int(qMax<qsizetype>(1, (size() + PieceBytes - 1) / PieceBytes));
    }
    // Whether these are the bytes given: held or made, compared; read back, by size and by
    // the hashes of what was parsed (the file is not read).
    bool sameAs(QByteArrayView bytes) const;
    // Piece i, or why it cannot be had (the file is gone, shorter, or not what was parsed).
    Result<QByteArray> piece(int i) const;
    // The same, without a copy of held bytes, and read back into scratch, whose memory
    // serves every piece: a fresh 8 MB buffer per piece costs ~2,000 page faults, which on
    // a virtual machine made the journal's copy of a 55 MB batch take twice as long. The
    // view lasts until scratch changes or this BatchBytes ends.
    Result<QByteArrayView> piece(int i, QByteArray *scratch) const;

private:
    static size_t hashOf(QByteArrayView bytes);
    // Held bytes, or made ones (made now if not yet).
    const QByteArray &data() const;

    struct Made
    {
        std::once_flag once;
        std::function<QByteArray()> make;
        QByteArray data;
    };
    std::shared_ptr<Made> m_made;
    QByteArray m_data;
    QString m_path;
    QVector<size_t> m_hashes; // read back: one per piece
    qsizetype m_size = 0;
};

} // namespace Brigade
