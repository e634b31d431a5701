#pragma once

#include "mapreduce/MapReduceResult.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QProgressBar;

namespace Brigade {

// Overall progress of a MapReduce job: a headline, a bar of the bytes mapped, chunks done,
// MB done, MB/s, elapsed time and ETA. Updates are coalesced: whatever rate the job reports
// at, the labels change at most MaxUpdatesPerSecond times a second.
class MapReduceProgressPanel : public QWidget
{
    Q_OBJECT
public:
    static constexpr int MaxUpdatesPerSecond = 30;

    explicit MapReduceProgressPanel(QWidget *parent = nullptr);

    // A job of totalBytes in chunks that has not run yet (chunks 0: not known yet).
    void reset(qint64 totalBytes, int chunks);
    void setHeadline(const QString &text);
    // The latest progress; shown at once, or a little later when the last update was less
    // than 1/MaxUpdatesPerSecond ago.
    void setProgress(const MapReduceProgress &progress);
    // The final figures, shown at once.
    void finish(const MapReduceResult &result);

    const MapReduceProgress &shown() const { return m_shown; }
    QString headline() const;
    int updates() const { return m_updates; } // label refreshes so far

signals:
    void updated(); // the labels show new figures

private:
    void display(const MapReduceProgress &progress);

    MapReduceProgress m_latest;
    MapReduceProgress m_shown;
    bool m_dirty = false;
    QTimer m_throttle;
    int m_updates = 0;

    QLabel *m_headline;
    QLabel *m_done;
    QProgressBar *m_bar;
    QLabel *m_data;
    QLabel *m_speed;
    QLabel *m_elapsed;
    QLabel *m_eta;
    QLabel *m_keys;
    QLabel *m_badLines;
    QLabel *m_failed;
};

} // namespace Brigade
