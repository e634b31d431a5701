#pragma once

#include "run/RunStats.h"

#include <QAbstractTableModel>
#include <QVector>

namespace Brigade {

// The hosts a run fetches from (scheme, host and port), as the engine paces them for all
// workers together: open, paused by a Retry-After or broken (its breaker open), requests
// in flight, the rate now against the limit, when the next request may start, errors.
class FetchHostsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Host, State, InFlight, Rate, Next, Errors, ColumnCount };

    explicit FetchHostsModel(QObject *parent = nullptr);

    // A sample's hosts; nowMs is the sample's time on the run clock (LoadSample::elapsedMs).
    void setHosts(const QVector<HostPaceInfo> &hosts, qint64 nowMs);
    const QVector<HostPaceInfo> &hosts() const { return m_hosts; }

    static QString stateText(const HostPaceInfo &host);
    static QString rateText(const HostPaceInfo &host);               // "8/s of 10/s", "8/s"
    static QString nextText(const HostPaceInfo &host, qint64 nowMs); // "now", "in 1.5 s"

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVector<HostPaceInfo> m_hosts;
    qint64 m_nowMs = 0;
};

} // namespace Brigade
