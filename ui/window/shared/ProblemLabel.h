#pragma once

#include <QString>

class QLabel;

// A problem shown under the fields it is about, in the failure colour, as the settings
// dialogs show why OK is off.
namespace Brigade::ProblemLabel {

// A label for problems (plain text, wrapped), hidden until there is one.
QLabel *make(const QString &objectName);
// Shows problem, or hides the label when it is empty.
void show(QLabel *label, const QString &problem);

} // namespace Brigade::ProblemLabel
