#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QString>
#include <QVector>

namespace Brigade {

// A batch's bytes as its journal copies them (Journal::create), in pieces: held in memory,
// or read back from the batch file and checked piece by piece against what was parsed.
// The second lets a command-line run that starts at once drop its copy of the batch as
// soon as the batch is parsed: a 55 MB batch of a million tasks is then not held a second
// time while they run. A file changed in between is refused, never copied.
class BatchBytes
{
public:
    static constexpr qsizetype PieceBytes = 8 * 1024 * 1024;

    BatchBytes() = default;
    BatchBytes(QByteArray data); // NOLINT: held, as a QByteArray was
    // The bytes parsed from the file at path, which will be read back from there: only
    // their size and one hash per piece are kept.
    static BatchBytes readBack(const QString &path, QByteArrayView parsed);

    qsizetype size() const { return m_size; }
    bool isReadBack() const { return !m_path.isEmpty(); }
    // Pieces of PieceBytes (the last shorter); at least one, empty for an empty batch.
    int pieceCount() const
    {
        return int(qMax<qsizetype>(1, (m_size + PieceBytes - 1) / PieceBytes));
    }
    // Piece i, or why it cannot be had (the file is gone, shorter, or not what was parsed).
    Result<QByteArray> piece(int i) const;
    // The same, without a copy of held bytes, and read back into scratch, whose memory
    // serves every piece: a fresh 8 MB buffer per piece costs ~2,000 page faults, which on
    // a virtual machine made the journal's copy of a 55 MB batch take twice as long. The
    // view lasts until scratch changes or this BatchBytes ends.
    Result<QByteArrayView> piece(int i, QByteArray *scratch) const;

private:
    static size_t hashOf(QByteArrayView bytes);

    QByteArray m_data;
    QString m_path;
    QVector<size_t> m_hashes; // read back: one per piece
    qsizetype m_size = 0;
};

} // namespace Brigade
