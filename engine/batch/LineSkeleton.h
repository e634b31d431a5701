#pragma once

#include <QByteArrayView>

#include <memory>
#include <string>

namespace Brigade {

// The fast way through a batch line: simdjson (on-demand) finds the line's top-level "id"
// and "input" strings, and what remains of the line, its skeleton, is the key of the task
// shape. Lines with equal skeletons differ only in those two strings, so the full parse
// (and its error messages) runs once per skeleton; a million lines with their own ids but
// a few shapes cost a million simdjson scans and a few full parses.
class LineSkeleton
{
public:
    // data: the whole buffer the lines are in. simdjson reads up to SIMDJSON_PADDING bytes
    // past a line; lines that close to the end are copied to a padded buffer first.
    explicit LineSkeleton(QByteArrayView data);
    ~LineSkeleton();
    LineSkeleton(const LineSkeleton &) = delete;
    LineSkeleton &operator=(const LineSkeleton &) = delete;

    // False when the line is not of the simple form (an object whose "id" and "input", if
    // there, are non-empty and plain ASCII strings without escapes): parse it in full then.
    bool read(QByteArrayView line);

    // After read() returned true: the skeleton (the line without the two strings, and
    // where they were), and the strings as views into the line.
    const std::string &key() const { return m_key; }
    bool hasId() const { return m_idAt >= 0; }
    QByteArrayView id() const { return m_id; }
    bool hasInput() const { return m_inputAt >= 0; }
    QByteArrayView input() const { return m_input; }

private:
    struct Parser;

    std::unique_ptr<Parser> m_parser;
    QByteArrayView m_data;
    std::string m_padded; // lines near the end of m_data, copied with padding
    std::string m_key;
    QByteArrayView m_id;
    QByteArrayView m_input;
    qsizetype m_idAt = -1;
    qsizetype m_inputAt = -1;
};

} // namespace Brigade
