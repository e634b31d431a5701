#pragma once

#include <QByteArrayView>

#include <memory>
#include <string>

namespace Brigade {

// The fast way through a batch line: simdjson (on-demand) finds the line's top-level "id"
// and "input" strings, and a "fetch" given as a URL string, and what remains of the line,
// its skeleton, is the key of the task shape. Lines with equal skeletons differ only in
// those strings, so the full parse (and its error messages) runs once per skeleton; a
// million lines with their own ids (and URLs) but a few shapes cost a million simdjson
// scans and a few full parses.
class LineSkeleton
{
public:
    // data: the whole buffer the lines are in. simdjson reads up to SIMDJSON_PADDING bytes
    // past a line; lines that close to the end are copied to a padded buffer first.
    explicit LineSkeleton(QByteArrayView data);
    ~LineSkeleton();
    LineSkeleton(const LineSkeleton &) = delete;
    LineSkeleton &operator=(const LineSkeleton &) = delete;

    // False when the line is not of the simple form (an object whose "id", "input" and
    // string "fetch", if there, are non-empty and plain ASCII strings without escapes):
    // parse it in full then.
    bool read(QByteArrayView line);

    // After read() returned true: the skeleton (the line without the strings, and where
    // they were), and the strings as views into the line.
    const std::string &key() const { return m_key; }
    bool hasId() const { return m_at[Id] >= 0; }
    QByteArrayView id() const { return m_text[Id]; }
    bool hasInput() const { return m_at[Input] >= 0; }
    QByteArrayView input() const { return m_text[Input]; }
    bool hasFetch() const { return m_at[Fetch] >= 0; }
    QByteArrayView fetch() const { return m_text[Fetch]; }

private:
    enum Cut { Id = 0, Input, Fetch, CutCount };
    struct Parser;

    std::unique_ptr<Parser> m_parser;
    QByteArrayView m_data;
    std::string m_padded; // lines near the end of m_data, copied with padding
    std::string m_key;
    QByteArrayView m_text[CutCount];
    qsizetype m_at[CutCount] = {-1, -1, -1}; // where each string's opening quote is
};

} // namespace Brigade
