#include "JobView.h"

namespace Brigade {

JobView::JobView(QWidget *parent)
    : QWidget(parent)
{}

} // namespace Brigade
