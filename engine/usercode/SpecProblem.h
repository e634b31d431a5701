#pragma once

#include <QString>

namespace Brigade {

// A problem found in a command or program definition, located by the batch parser: the
// key it is about and, when it is one placeholder, that placeholder's text (its column
// is then found in the line).
struct SpecProblem
{
    QString key;
    QString needle;
    QString message;
};

} // namespace Brigade
