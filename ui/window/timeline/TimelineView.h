#pragma once

#include "TimelineFrame.h"
#include "timeline/AttemptLog.h"

#include <QFutureWatcher>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <atomic>
#include <memory>

class QScrollBar;

namespace Brigade {

class TaskStore;

// The timeline of a batch's runs: a lane per worker, grouped by host, under a row of the
// tasks waiting; each attempt a bar split into its phases and coloured by its outcome (an
// attempt still running: a bar in the running colour that grows up to now), or,
// where a pixel holds more attempts than can be told apart, per-pixel columns of how many
// attempts were in each phase. Frames are drawn off the GUI thread (TimelineRenderer); the
// GUI thread only blits the latest frame (stretched to the range shown meanwhile) and
// draws the axis and labels.
//
// Mouse: the wheel zooms around the pointer, dragging pans, Shift+drag selects a time range
// (for the time breakdown), a click selects the attempt's task, a double click shows the
// whole run again. Keys: + and - zoom, arrows pan, 0 shows everything.
class TimelineView : public QWidget
{
    Q_OBJECT
public:
    explicit TimelineView(QWidget *parent = nullptr);
    ~TimelineView() override;

    void setStore(std::shared_ptr<const TaskStore> store);
    std::shared_ptr<const TaskStore> store() const { return m_store; }
    // While a run goes on the view follows it (unless zoomed in) and redraws now and then.
    void setRunning(bool running);
    // New attempts were logged: redraw soon (coalesced).
    void refresh();

    // The range shown, on the attempt log's clock (µs).
    qint64 fromUs() const { return m_fromUs; }
    qint64 toUs() const { return m_toUs; }
    void setRange(qint64 fromUs, qint64 toUs); // stops following the run
    void zoom(double factor, qint64 aroundUs); // factor < 1 zooms in
    void showAll();                            // the whole run, following it while it runs
    bool isFollowing() const { return m_follow; }
    // The whole run's extent: from its first start to its latest end (or now, running).
    std::pair<qint64, qint64> extent() const;

    // The time range selected with Shift+drag (from < 0: none).
    qint64 selectionFromUs() const { return m_selFrom; }
    qint64 selectionToUs() const { return m_selTo; }
    void setSelection(qint64 fromUs, qint64 toUs);
    void clearSelection();

    // Where things are, for tests and tools: a lane's vertical middle (-1 when not shown),
    // the x of a time, and the attempt (its index in the attempt log) under a point, or -1.
    QRect plotRect() const; // where attempts are drawn
    int laneCount() const;
    int laneY(int lane) const;
    int xOf(qint64 us) const;
    qint64 spanAt(const QPoint &pos) const;
    // The running attempt under a point (its index in frame().running), or -1.
    int runningAt(const QPoint &pos) const;
    // Frames drawn so far, and the latest's figures.
    qint64 framesRendered() const { return m_framesRendered; }
    const TimelineFrame &frame() const { return m_frame; }
    bool isRendering() const { return m_watcher.isRunning(); }
    // The latest frame shows the view as it is now: its range, size and scroll, with no newer
    // frame wanted or on its way. A frame that has ended but is not yet taken is not current.
    bool isFrameCurrent() const;
    // The tooltip text for an attempt.
    QString describeSpan(qint64 span) const;
    // The tooltip text for a running attempt of the latest frame.
    QString describeRunning(int index) const;

    // The colours of the timeline in the current palette (for exports too).
    TimelineColors colors() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void taskActivated(int row); // an attempt was clicked: its task
    void rangeChanged(qint64 fromUs, qint64 toUs);
    void selectionChanged(qint64 fromUs, qint64 toUs); // from < 0: cleared
    void frameRendered();

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void leaveEvent(QEvent *event) override;
    bool event(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Row
    {
        enum Kind { Queue, Host, Lane } kind = Lane;
        int lane = -1;
        QString label;
        QString tip;
        int y = 0; // in content coordinates (0: the top of the first row)
        int height = 0;
    };

    int gutterWidth() const;
    int axisHeight() const;
    void relayout();
    void updateScrollBar();
    void scheduleRender(bool rangeChanged);
    void startRender();
    void onRendered();
    void onLiveTick();
    void followExtent();
    qint64 timeAt(int x) const;
    // The latest frame is of this range, plot size and scroll.
    bool frameFitsView() const;
    // Whether the latest frame drew bars one by one for the range, scroll and size shown,
    // and then the bar under a point (null: none).
    bool barsAreWhereShown() const;
    const TimelineFrame::Bar *barAt(const QPoint &pos) const;
    const Row *rowAt(int y) const; // widget y
    void clampRange(qint64 *from, qint64 *to) const;
    void paintAxis(QPainter &p, const QRect &plot);
    void paintGutter(QPainter &p, const QRect &plot);

    std::shared_ptr<const TaskStore> m_store;
    QVector<TimelineLane> m_lanes;
    QVector<Row> m_rows;
    int m_contentHeight = 0;
    QScrollBar *m_scroll;

    qint64 m_fromUs = 0;
    qint64 m_toUs = 1000000;
    bool m_follow = true;
    bool m_running = false;
    qint64 m_selFrom = -1;
    qint64 m_selTo = -1;

    // Drawing
    QThreadPool m_pool; // one thread of its own: never queued behind a sort or an export
    QFutureWatcher<TimelineFrame> m_watcher;
    std::shared_ptr<std::atomic_bool> m_cancel;
    bool m_dirty = false;
    quint64 m_generation = 0;
    TimelineFrame m_frame;
    int m_frameScroll = 0;        // the scroll offset the frame was drawn at
    int m_frameScrollPending = 0; // and the one the frame being drawn is for
    qint64 m_framesRendered = 0;
    qint64 m_seenLogSize = -1;
    QTimer m_liveTimer;

    // Mouse
    QPoint m_pressPos;
    qint64 m_pressFrom = 0;
    qint64 m_pressTo = 0;
    bool m_pressed = false;
    bool m_panning = false;
    bool m_selecting = false;
    qint64 m_hoverSpan = -1;
    int m_hoverRunning = -1; // in m_frame.running
};

} // namespace Brigade
