#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Brigade {

// A .txt list of URLs added to a running run (File › Add Tasks…) as the JSON Lines its
// journal holds: each URL line becomes {"fetch": URL}. The problems the intake finds in a
// converted line are put back in the place they have in the line as written
// (originalColumn), so the user is pointed into their own file.
class UrlListLines
{
public:
    // Whole lines in, as many lines out (line numbers hold): a URL line becomes
    // {"fetch": URL}; comments and blank lines become empty lines; a line that is already a
    // JSON object, or that is not text (invalid UTF-8, a NUL byte), stays as written, less
    // its surrounding blanks, so the parser reports it as it is.
    static QByteArray asJson(QByteArrayView lines);
    // The column in line (as written, without its '\n') of a problem the parser found at
    // column of its converted line: inside the URL when the URL is what is wrong (as
    // reading a .txt batch reports it), else where the line's text starts.
    static int originalColumn(QByteArrayView line, int column);

private:
    // line less its surrounding blanks; *lead: how many blanks were before it.
    static QByteArrayView trimmed(QByteArrayView line, qsizetype *lead);
    static bool keptAsWritten(QByteArrayView text);
};

} // namespace Brigade
