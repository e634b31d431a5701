#pragma once

#include <QFutureWatcher>
#include <QWidget>

#include <functional>
#include <memory>

class QLabel;
class QSplitter;
class QToolButton;

namespace Brigade {

class TaskStore;
class TimeBreakdownView;
class TimelineView;

// The Timeline dock: the timeline of every worker with its zoom buttons and legend, and
// beside it where the time went; exports both as a PNG or a self-contained HTML report.
class TimelinePanel : public QWidget
{
    Q_OBJECT
public:
    explicit TimelinePanel(QWidget *parent = nullptr);
    ~TimelinePanel() override;

    void setStore(std::shared_ptr<const TaskStore> store, const QString &title);
    void setRunning(bool running);
    void refresh(); // attempts were logged

    TimelineView *timeline() const { return m_timeline; }
    TimeBreakdownView *breakdown() const { return m_breakdown; }

    // The run summary written off the GUI thread; exportFinished() follows. The report's
    // failure groups come from the provider, when one is set.
    void exportPng(const QString &path);
    void exportReport(const QString &path);
    bool isExporting() const { return m_export.isRunning(); }
    using FailureSectionProvider = std::function<QString()>; // an HTML section, or empty
    void setFailureSection(FailureSectionProvider provider);

signals:
    void exportFinished(const QString &path, const QString &error);

private:
    void chooseExport(bool html);
    void updateRangeLabel();

    std::shared_ptr<const TaskStore> m_store;
    QString m_title;
    TimelineView *m_timeline;
    TimeBreakdownView *m_breakdown;
    QSplitter *m_splitter;
    QLabel *m_rangeLabel;
    QToolButton *m_exportButton;
    QFutureWatcher<QString> m_export;
    QString m_exportPath;
    FailureSectionProvider m_failures;
};

} // namespace Brigade
