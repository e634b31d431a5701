#pragma once

#include "core/TaskState.h"

#include <QWidget>

#include <array>

namespace Brigade {

// A progress bar split by outcome: succeeded, failed, cancelled, then running and
// retrying, over the batch's total.
class StackedProgressBar : public QWidget
{
    Q_OBJECT
public:
    explicit StackedProgressBar(QWidget *parent = nullptr);

    void setCounts(const std::array<qint64, TaskStatusCount> &counts);
    const std::array<qint64, TaskStatusCount> &counts() const { return m_counts; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::array<qint64, TaskStatusCount> m_counts{};
};

} // namespace Brigade
