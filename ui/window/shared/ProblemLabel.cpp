#include "ProblemLabel.h"

#include "StatusStyle.h"

#include <QLabel>

namespace Brigade::ProblemLabel {

QLabel *make(const QString &objectName)
{
    auto *label = new QLabel;
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    QPalette p = label->palette();
    p.setColor(QPalette::WindowText, StatusStyle::color(TaskStatus::Failed));
    label->setPalette(p);
    label->hide();
    return label;
}

void show(QLabel *label, const QString &problem)
{
    label->setText(problem);
    label->setVisible(!problem.isEmpty());
}

} // namespace Brigade::ProblemLabel
