#pragma once

#include "run/RunStats.h"

#include <QStringList>
#include <QWidget>

class QLabel;
class QTableView;

namespace Brigade {

class CoreBars;
class FetchHostsModel;
class HostTotalsModel;
class LoadChart;
class WorkerTableModel;

// Everything about the machines during a run: a bar per core here, a row per host with
// its workers' totals, a row per fetched host as the run paces it, a row per worker, the engine's
// notices about hosts, and a chart of throughput and core load over the run.
class CorePanel : public QWidget
{
    Q_OBJECT
public:
    explicit CorePanel(QWidget *parent = nullptr);

    void addSample(const LoadSample &sample);
    // Engine news worth keeping in sight for the run, e.g. a host taken out of rotation.
    void addNotice(const QString &text);
    // A new run: the chart and the notices start empty.
    void clear();

    CoreBars *coreBars() const { return m_bars; }
    WorkerTableModel *workers() const { return m_workers; }
    HostTotalsModel *hosts() const { return m_hosts; }
    FetchHostsModel *fetchHosts() const { return m_fetchHosts; }
    QStringList notices() const { return m_noticeLines; }
    LoadChart *chart() const { return m_chart; }

private:
    CoreBars *m_bars;
    HostTotalsModel *m_hosts;
    QTableView *m_hostView;
    QLabel *m_notices;
    QLabel *m_fetchTitle;
    FetchHostsModel *m_fetchHosts;
    QTableView *m_fetchView;
    QStringList m_noticeLines;
    WorkerTableModel *m_workers;
    QTableView *m_workerView;
    LoadChart *m_chart;
};

} // namespace Brigade
