#pragma once

#include "SpecProblem.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <vector>

namespace Brigade {

// A command task, {"compute":{"op":"exec",...}}: one process per attempt. Its strings are
// templates (see Placeholders), filled on the worker for each attempt.
struct CommandSpec
{
    enum class Stdin : quint8 { Default = 0, Body = 1, None = 2 };
    enum class Result : quint8 { Text = 0, Json = 1, None = 2 };
    static constexpr qint64 DefaultMaxOutputBytes = 16 * 1024 * 1024;
    static constexpr qint64 MaxOutputBytesLimit = 60 * 1024 * 1024; // fits a results frame
    static constexpr int DefaultSlots = 1;

    QStringList argv; // without "shell"
    QString shell;    // a /bin/sh -c command line, instead of argv
    QList<QPair<QString, QString>> env;
    QString cwd;     // relative: to baseDir
    QString baseDir; // the batch file's directory (may not exist on a remote worker)
    Stdin stdinMode = Stdin::Default; // Default: the body when the task fetches a URL
    Result result = Result::Text;
    qint64 maxOutputBytes = DefaultMaxOutputBytes;
    qint16 slotCount = -1; // compute slots held while it runs; -1: DefaultSlots
    quint8 needs = 0;      // Placeholders::Need bits of all its templates

    // Parses the "compute" object of an exec task. Problems are appended to *problems.
    static bool parse(const QJsonObject &compute, CommandSpec *spec,
                      std::vector<SpecProblem> *problems);
    QByteArray encode() const;
    static bool decode(QByteArrayView params, CommandSpec *spec);
    // The params of an encoded spec with its slots replaced (the task-level "slots").
    static QByteArray withSlots(const QByteArray &params, qint16 slotCount);

    // The command as written (argv joined, quoted where needed; or the shell line), for
    // views and messages.
    QString displayTemplate() const;
    // argv joined into one line a shell would split back into the same words.
    static QString joinArguments(const QStringList &argv);

    // Pieces the program definitions share. Each appends its problems with key set.
    static QStringList parseArgv(const QString &key, const QJsonValue &value,
                                 std::vector<SpecProblem> *problems);
    static QList<QPair<QString, QString>> parseEnv(const QJsonValue &value,
                                                   std::vector<SpecProblem> *problems);
    // Checks a template's placeholders (scope: Placeholders::Scope); adds its needs.
    static void checkTemplate(const QString &key, const QString &text, int scope, quint8 *needs,
                              std::vector<SpecProblem> *problems);
};

} // namespace Brigade
