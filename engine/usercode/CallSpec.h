#pragma once

#include "SpecProblem.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace Brigade {

// A call of a long-lived program, {"compute":{"op":"call","program":"score","args":{...}}}.
struct CallSpec
{
    static constexpr int DefaultSlots = 0; // a program is limited by its max_in_flight

    QString program;
    QByteArray argsJson = "null"; // compact JSON text of "args"
    qint16 slotCount = -1;        // compute slots held while it runs; -1: DefaultSlots

    // Parses the "compute" object of a call task (whether the program exists is the batch
    // parser's business: it knows the batch's programs).
    static bool parse(const QJsonObject &compute, CallSpec *spec,
                      std::vector<SpecProblem> *problems);
    QByteArray encode() const;
    static bool decode(QByteArrayView params, CallSpec *spec);
};

} // namespace Brigade
