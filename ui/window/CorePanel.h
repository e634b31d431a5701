#pragma once

#include "run/RunStats.h"

#include <QWidget>

class QTableView;

namespace Brigade {

class CoreBars;
class LoadChart;
class WorkerTableModel;

// Everything about the machine during a run: a bar per core, a row per worker, and a
// chart of throughput and core load over the run.
class CorePanel : public QWidget
{
    Q_OBJECT
public:
    explicit CorePanel(QWidget *parent = nullptr);

    void addSample(const LoadSample &sample);
    void clear();

    CoreBars *coreBars() const { return m_bars; }
    WorkerTableModel *workers() const { return m_workers; }
    LoadChart *chart() const { return m_chart; }

private:
    CoreBars *m_bars;
    WorkerTableModel *m_workers;
    QTableView *m_workerView;
    LoadChart *m_chart;
};

} // namespace Brigade
