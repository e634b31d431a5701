#pragma once

#include "failures/FailureGroups.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace Brigade {

class FailureGroupsModel;
class RunSession;

// The Failures dock: failed and retrying tasks grouped by cause (the run session's
// FailureGroups), with counts, times, hosts, an example and a sparkline each, and bulk
// actions on the groups chosen: retry now, retry with changes to their specs, stop
// retrying, skip (give up on, with a reason), export their tasks as a batch. The tasks of a group
// are looked up off the GUI thread; the window carries the actions out (the signals below).
class FailuresView : public QWidget
{
    Q_OBJECT
public:
    enum class Action { Retry, RetryWithSettings, StopRetrying, Skip, Export };
    Q_ENUM(Action)

    explicit FailuresView(QWidget *parent = nullptr);

    void setSession(RunSession *session);
    // Runs one action on the selected groups (all groups when none is selected).
    void request(Action action);

    FailureGroupsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLabel *summaryLabel() const { return m_summary; }
    QPushButton *button(Action action) const;

signals:
    // The tasks (store rows) of the chosen groups, for an action.
    void actionRequested(Brigade::FailuresView::Action action, const QVector<int> &rows);
    void showTaskRequested(int row); // a group's example, double-clicked

private:
    void onFailures(const FailureSummary &summary);
    void onRowsFound(quint64 token, const QVector<int> &rows);
    void updateButtons();
    QVector<int> chosenIds() const;

    QPointer<RunSession> m_session;
    FailureGroupsModel *m_model;
    QTableView *m_table;
    QLabel *m_summary;
    QHash<int, QPushButton *> m_buttons;
    QHash<quint64, Action> m_pending; // lookups of rows, by token
};

} // namespace Brigade
