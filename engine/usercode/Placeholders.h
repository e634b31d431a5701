#pragma once

#include <QString>
#include <QStringView>

namespace Brigade {

// What the placeholders of one attempt stand for.
struct PlaceholderValues
{
    QString input;    // {} and its forms: the task's "input", or its id
    QString id;       // {id}
    qint64 seq = 0;   // {#}: the task's place in the batch, from 1
    int attempt = 0;  // {attempt}, from 1
    int worker = -1;  // {worker}: the worker slot, from 0
    QString url;      // {url}: the fetched URL
    QString bodyPath; // {body}: a file holding the fetched body
};

// Placeholders in a command's argv, env values and cwd, with GNU parallel's meanings where
// they overlap: {} the input, {.} without its extension, {/} its basename, {//} its
// dirname, {/.} the basename without extension, {#} the sequence number; and {id},
// {attempt}, {worker}, {url}, {body}. As in GNU parallel, other braces are literal text
// ({print $1}, JSON); {{ and }} are literal braces, to write a literal "{}".
class Placeholders
{
public:
    // What a template needs from its task beyond the always-known values.
    enum Need : quint8 { NeedsUrl = 1, NeedsBody = 2 };
    // Where a template is used: a task's command may use every placeholder; a program is
    // started once per worker, so only {worker} means something there.
    enum class Scope { Task, Program };

    struct Problem
    {
        qsizetype offset = 0; // in the template, where the bad placeholder starts
        QString text;         // the placeholder as written, e.g. "{foo}"
        QString message;
    };

    // Checks a template. Returns false with *problem set when it holds a placeholder its
    // scope cannot fill; *needs gets the Need bits of its placeholders.
    static bool check(QStringView text, Scope scope, quint8 *needs, Problem *problem);
    // Whether the template holds any placeholder (brigade run LIST -- PROG appends {} to
    // a command line that has none). The template must have passed check().
    static bool hasAny(QStringView text);
    // Fills a template that passed check(). When shellQuote is set every value is quoted
    // for /bin/sh, so an input cannot turn into shell syntax.
    static QString expand(QStringView text, const PlaceholderValues &values,
                          bool shellQuote = false);
    // A command-line argument as a template: every brace that is not part of a known
    // placeholder is doubled, so the argument reaches the command exactly as typed
    // ("{{x}}" included) apart from its placeholders.
    static QString escapeUnknown(QStringView argument);

    // GNU parallel's forms of a value.
    static QString withoutExtension(QStringView path); // {.}
    static QString basename(QStringView path);         // {/}
    static QString dirname(QStringView path);          // {//}
    static QString shellQuoted(QStringView value);
};

} // namespace Brigade
