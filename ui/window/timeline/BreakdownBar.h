#pragma once

#include "TimelineFrame.h"
#include "timeline/TimeBreakdown.h"

#include <QWidget>

namespace Brigade {

// A breakdown's phases as one stacked bar with a legend: queued, waiting on a worker,
// fetching, computing, waiting to retry, each as its share of the time. paint() draws just
// the bar anywhere (the breakdown table's share column uses it).
class BreakdownBar : public QWidget
{
    Q_OBJECT
public:
    explicit BreakdownBar(QWidget *parent = nullptr);

    void setTotals(const PhaseTotals &totals);
    const PhaseTotals &totals() const { return m_totals; }

    static void paint(QPainter *painter, const QRectF &rect, const PhaseTotals &totals,
                      const TimelineColors &colors);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    PhaseTotals m_totals;
};

} // namespace Brigade
