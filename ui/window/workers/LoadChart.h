#pragma once

#include "run/RunStats.h"

#include <QVector>
#include <QWidget>

namespace Brigade {

// A small live chart of a run: throughput (tasks/s) and the load of every core over time.
// Painted directly; the history is halved (pairs averaged) whenever it grows past a few
// screenfuls, so a long run costs bounded memory and paint time.
class LoadChart : public QWidget
{
    Q_OBJECT
public:
    explicit LoadChart(QWidget *parent = nullptr);

    void addSample(const LoadSample &sample);
    void clear();
    int sampleCount() const { return m_samples.size(); }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Sample
    {
        qint64 ms = 0;
        double rate = 0;
        QVector<float> cores;
    };

    QVector<Sample> m_samples;
    double m_peakRate = 0;
};

} // namespace Brigade
