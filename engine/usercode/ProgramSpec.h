#pragma once

#include "SpecProblem.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace Brigade {

class WireReader;
class WireWriter;

// A long-lived program, declared in a batch's first line ({"programs":{"score":{...}}}):
// each worker starts it the first time one of its tasks calls it and feeds it many tasks
// over fd 3 (requests) and fd 4 (replies). See docs/programs.md.
struct ProgramSpec
{
    static constexpr quint32 DefaultMaxInFlight = 32;
    static constexpr quint32 MaxMaxInFlight = 1000000;
    static constexpr quint32 DefaultStartupTimeoutMs = 60000;

    QString name;
    QStringList argv; // {worker} is the only placeholder
    QList<QPair<QString, QString>> env;
    QString cwd;
    QString baseDir; // the batch file's directory, as for commands
    quint32 maxInFlight = DefaultMaxInFlight;
    quint64 recycleAfter = 0; // tasks per process before a fresh one takes over; 0: never
    quint32 startupTimeoutMs = DefaultStartupTimeoutMs; // to {"ready":true}

    // Parses one entry of "programs". Problems are appended to *problems.
    static bool parse(const QString &name, const QJsonValue &value, ProgramSpec *spec,
                      std::vector<SpecProblem> *problems);
    void encode(WireWriter &w) const;
    bool decode(WireReader &r);
    bool operator==(const ProgramSpec &o) const;
};

// A batch's programs by name.
using ProgramTable = QMap<QString, std::shared_ptr<const ProgramSpec>>;

} // namespace Brigade
