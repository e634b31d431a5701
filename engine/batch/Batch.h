#pragma once

#include "core/TaskSpec.h"
#include "mapreduce/MapReduceSpec.h"
#include "run/HostPacing.h"
#include "usercode/ProgramSpec.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QVector>

#include <array>
#include <optional>

namespace Brigade {

// The keys of Batch::fetchKinds, and the one a shape's tasks count under (or a task, whose
// URL may be its own: a URL list's).
inline constexpr std::array<const char *, 5> FetchKindNames
        = {"none", "delay", "http", "https", "file"};
size_t fetchKindIndex(const TaskShape &shape);
size_t fetchKindIndex(const TaskSpec &spec);

// One problem in a batch file, located as file:line:column (1-based).
struct BatchError
{
    QString file;
    int line = 0;
    int column = 0;
    QString message;

    QString toString() const; // "file:line:column: message"
};

// A parsed batch: the valid tasks, and every problem found.
struct Batch
{
    QString path;
    QVector<TaskSpec> tasks;
    QList<BatchError> errors; // the first Options::maxErrors problems
    qint64 errorCount = 0;    // all problems, including those not kept in errors
    qint64 lines = 0;
    bool lastLineOpen = false; // the last line has no '\n' (lines appended need one first)
    bool cancelled = false;

    // Summary for views: how many tasks fetch what and compute what.
    QMap<QString, qint64> fetchKinds; // "none", "delay", "http", "https", "file"
    QMap<QString, qint64> computeOps; // op name, or "none"
    QString defaultsText;             // the defaults line as written, if any
    // The first line's "pacing" (see HostPacing::under); hasPacing: it had one.
    HostPacing pacing;
    bool hasPacing = false;
    // A {"mapreduce":{...}} line: the batch is then that one job and has no tasks.
    std::optional<MapReduceSpec> mapReduce;
    // The user's own code it runs, to show before anything runs: the programs its first
    // line declares, and its command templates (as written) with how many tasks use each.
    ProgramTable programs;
    QMap<QString, qint64> commands;

    bool hasErrors() const { return errorCount > 0; }
    bool runsUserCode() const { return !programs.isEmpty() || !commands.isEmpty(); }
};

} // namespace Brigade
