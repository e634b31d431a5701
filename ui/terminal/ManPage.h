#pragma once

#include <QList>
#include <QString>

namespace Brigade {

// A man page made from help texts laid out as QCommandLineParser lays them out (a
// "Usage:" line, paragraphs, "Options:"-style headings over two-column lists), so that
// "man brigade" and "brigade --help" are one text and cannot drift. The build renders it
// with app/manpage_main.cpp; every help text the program prints goes in.
class ManPage
{
public:
    ManPage(const QString &program, const QString &summary, const QString &version);

    // The program's own help: SYNOPSIS, DESCRIPTION, and a section per heading.
    void setMainHelp(const QString &text);
    // One command's help ("brigade run --help"): a subsection of COMMANDS.
    void addCommandHelp(const QString &command, const QString &text);
    void addSeeAlso(const QString &reference); // e.g. "brigade-worker(1)"

    QString render() const; // roff, for the man macros

private:
    struct Help
    {
        QString command; // empty for the main help
        QString text;
    };
    static QString renderHelp(const Help &help);

    QString m_program;
    QString m_summary;
    QString m_version;
    QString m_mainHelp;
    QList<Help> m_commands;
    QStringList m_seeAlso;
};

} // namespace Brigade
