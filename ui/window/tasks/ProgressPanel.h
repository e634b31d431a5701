#pragma once

#include "run/RunStats.h"

#include <QWidget>

#include <array>

class QLabel;

namespace Brigade {

class StackedProgressBar;

// Overall progress of a run: a headline, a bar split by outcome, counts per status, rate,
// elapsed time and ETA.
class ProgressPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ProgressPanel(QWidget *parent = nullptr);

    // A batch of total tasks that has not run yet.
    void reset(qint64 total);
    void setStats(const RunStats &stats);
    void setHeadline(const QString &text);
    const RunStats &stats() const { return m_stats; }

private:
    void updateLabels();

    RunStats m_stats;
    QLabel *m_headline;
    QLabel *m_done;
    StackedProgressBar *m_bar;
    std::array<QLabel *, 6> m_counts{};
    QLabel *m_rate;
    QLabel *m_elapsed;
    QLabel *m_eta;
};

} // namespace Brigade
