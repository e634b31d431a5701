#include "ManPage.h"

#include <QRegularExpression>

namespace Brigade {

namespace {

int indentOf(const QString &line)
{
    int n = 0;
    while (n < line.size() && line.at(n) == QLatin1Char(' '))
        ++n;
    return n;
}

// Roff-safe text: backslashes escaped, and the dashes of option-like words ("--workers",
// "-p") as \- so they stay ASCII hyphen-minus for copy and paste.
QString escaped(const QString &plain)
{
    QStringList words = QString(plain)
                                .replace(QLatin1Char('\\'), QLatin1String("\\e"))
                                .split(QLatin1Char(' '));
    static const QRegularExpression optionLike(QStringLiteral("^[\"'(\\[]*-"));
    for (QString &w : words) {
        if (optionLike.match(w).hasMatch())
            w.replace(QLatin1Char('-'), QLatin1String("\\-"));
    }
    return words.join(QLatin1Char(' '));
}

// escaped(), for the start of a line: a leading control character (. or ') guarded.
QString text(const QString &plain)
{
    QString out = escaped(plain);
    if (out.startsWith(QLatin1Char('.')) || out.startsWith(QLatin1Char('\'')))
        out.prepend(QLatin1String("\\&"));
    return out;
}

// The left column of a list: options and command words bold, <VALUES> and CAPITALS
// italic, [optional parts] and separating commas plain.
QString term(const QString &plain)
{
    QStringList out;
    for (const QString &word : plain.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        QString w = word;
        QString tail;
        if (w.size() > 1 && w.endsWith(QLatin1Char(','))) {
            w.chop(1);
            tail = QStringLiteral(",");
        }
        if (w.startsWith(QLatin1Char('[')))
            out << escaped(w) + tail;
        else if (w.startsWith(QLatin1Char('<')) || w == w.toUpper())
            out << QStringLiteral("\\fI%1\\fR%2").arg(escaped(w), tail);
        else
            out << QStringLiteral("\\fB%1\\fR%2").arg(escaped(w), tail);
    }
    return out.join(QLatin1Char(' '));
}

// A heading of a help text: "Options:", flush left, a few words ending in a colon.
bool isHeading(const QString &line)
{
    return !line.isEmpty() && !line.at(0).isSpace() && line.endsWith(QLatin1Char(':'))
           && line.count(QLatin1Char(' ')) < 3;
}

} // namespace

ManPage::ManPage(const QString &program, const QString &summary, const QString &version)
    : m_program(program)
    , m_summary(summary)
    , m_version(version)
{}

void ManPage::setMainHelp(const QString &text)
{
    m_mainHelp = text;
}

void ManPage::addCommandHelp(const QString &command, const QString &text)
{
    m_commands.append(Help{command, text});
}

void ManPage::addSeeAlso(const QString &reference)
{
    m_seeAlso.append(reference);
}

QString ManPage::render() const
{
    // No date in the header: the page is the same for every build of one version.
    QString out = QStringLiteral(".TH %1 1 \"\" \"%2\" \"User Commands\"\n")
                          .arg(escaped(m_program.toUpper()), escaped(m_version));
    // No hyphenation, so options, paths and names read (and copy) as typed; lines left
    // aligned, since without hyphens a justified line of long words cannot be filled.
    out += QStringLiteral(".nh\n.ad l\n");
    out += QStringLiteral(".SH NAME\n%1 \\- %2\n").arg(text(m_program), escaped(m_summary));
    out += renderHelp(Help{QString(), m_mainHelp});
    if (!m_commands.isEmpty()) {
        out += QStringLiteral(".SH COMMANDS\n");
        for (const Help &h : m_commands)
            out += renderHelp(h);
    }
    if (!m_seeAlso.isEmpty()) {
        QStringList refs;
        for (const QString &r : m_seeAlso) {
            const int paren = r.indexOf(QLatin1Char('('));
            refs << QStringLiteral(".BR %1 %2").arg(escaped(r.left(paren)), r.mid(paren));
        }
        out += QStringLiteral(".SH SEE ALSO\n") + refs.join(QStringLiteral(",\n")) + u'\n';
    }
    return out;
}

QString ManPage::renderHelp(const Help &help)
{
    static const QRegularExpression twoColumns(QStringLiteral("^( +)(\\S.*?)  +(\\S.*)$"));
    const bool main = help.command.isEmpty();
    QString out;
    if (!main)
        out += QStringLiteral(".SS \"%1\"\n").arg(escaped(help.command));
    bool paragraph = false; // a blank line came: the next text starts a paragraph
    int itemColumn = -1;    // where the last list item's description starts
    int preformatted = -1;  // indent of the example block being written, -1 outside one
    auto endPreformatted = [&] {
        if (preformatted >= 0)
            out += QStringLiteral(".fi\n.RE\n");
        preformatted = -1;
    };
    bool sawUsage = false;
    const QStringList lines = help.text.split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (line.trimmed().isEmpty()) {
            endPreformatted();
            paragraph = true;
            continue;
        }
        if (!sawUsage && line.startsWith(QLatin1String("Usage: "))) {
            sawUsage = true;
            const QString usage = line.mid(7).trimmed();
            const int space = usage.indexOf(QLatin1Char(' '));
            out += main ? QStringLiteral(".SH SYNOPSIS\n") : QStringLiteral(".PP\n");
            out += QStringLiteral(".B %1\n").arg(escaped(usage.left(space)));
            if (space > 0)
                out += text(usage.mid(space + 1)) + u'\n';
            out += main ? QStringLiteral(".SH DESCRIPTION\n") : QStringLiteral(".PP\n");
            paragraph = false;
            continue;
        }
        if (isHeading(line)) {
            endPreformatted();
            const QString heading = line.chopped(1);
            out += main ? QStringLiteral(".SH %1\n").arg(escaped(heading.toUpper()))
                        : QStringLiteral(".PP\n.B %1\n").arg(escaped(heading));
            itemColumn = -1;
            paragraph = false;
            continue;
        }
        const int indent = indentOf(line);
        if (itemColumn > 0 && indent == itemColumn && preformatted < 0) {
            out += text(line.trimmed()) + u'\n'; // a wrapped description goes on
            continue;
        }
        const QRegularExpressionMatch item = twoColumns.match(line);
        if (item.hasMatch() && preformatted < 0) {
            out += QStringLiteral(".TP\n%1\n%2\n")
                           .arg(term(item.captured(2)), text(item.captured(3)));
            itemColumn = item.capturedStart(3);
            paragraph = false;
            continue;
        }
        if (indent > 0) { // an example, kept as laid out
            if (preformatted < 0) {
                out += QStringLiteral(".PP\n.RS 4\n.nf\n");
                preformatted = indent;
            }
            out += text(line.mid(qMin(indent, preformatted))) + u'\n';
            itemColumn = -1;
            continue;
        }
        endPreformatted();
        if (paragraph || itemColumn >= 0)
            out += QStringLiteral(".PP\n");
        out += text(line) + u'\n';
        itemColumn = -1;
        paragraph = false;
    }
    endPreformatted();
    return out;
}

} // namespace Brigade
