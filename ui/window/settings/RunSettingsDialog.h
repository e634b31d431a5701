#pragma once

#include "run/RunSettings.h"
#include "session/RunEndActions.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTabWidget;

namespace Brigade {

class WorkerPlacementEditor;

// The run settings a user chooses: where workers run (this machine, ssh hosts, Slurm, a
// custom launcher), concurrency, attempts, backoff and timeout, host pacing and HTTP
// options (the CLI's --rate, --host-in-flight, --breaker..., --max-host-connections,
// --proxy, --cacert...), and what happens when a run ends (--on-finish, --bell), within the
// limits and by the rules of RunSettingsRules: a value the CLI refuses is refused here with
// the same words, next to its field. The window remembers them with RunSettingsFile and
// RunEndActions.
class RunSettingsDialog : public QDialog
{
    Q_OBJECT
public:
    enum Tab { WorkersTab, TasksTab, HostsTab, RunEndTab };

    explicit RunSettingsDialog(const RunSettings &settings, QWidget *parent = nullptr);

    // settings with the dialog's fields applied.
    RunSettings settings() const;
    void setRunEndActions(const RunEndActions &actions);
    RunEndActions runEndActions() const;
    // What keeps the choices from running; OK stays disabled until there is nothing.
    QStringList problems() const;
    WorkerPlacementEditor *placementEditor() const { return m_placement; }
    QTabWidget *tabs() const { return m_tabs; }

    void accept() override;

private:
    QWidget *makeHostsPage();
    QWidget *makeRunEndPage();
    void setFields(const RunSettings &settings);
    void updateNote();
    // The problems of the Hosts and HTTP and When a Run Ends fields, each shown under its
    // field; returns them.
    QStringList checkFields() const;

    RunSettings m_base;
    QTabWidget *m_tabs = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QLabel *m_note = nullptr;
    WorkerPlacementEditor *m_placement = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QSpinBox *m_computeThreads = nullptr;
    QSpinBox *m_maxAttempts = nullptr;
    QSpinBox *m_backoffBase = nullptr;
    QSpinBox *m_backoffMax = nullptr;
    QSpinBox *m_timeout = nullptr;
    // Hosts and HTTP
    QPlainTextEdit *m_rates = nullptr;
    QLabel *m_ratesProblem = nullptr;
    QSpinBox *m_hostInFlight = nullptr;
    QSpinBox *m_breaker = nullptr;
    QSpinBox *m_breakerCooldown = nullptr;
    QSpinBox *m_maxRetryAfter = nullptr;
    QSpinBox *m_priorityAging = nullptr;
    QSpinBox *m_hostConnections = nullptr;
    QSpinBox *m_maxBodyMiB = nullptr;
    int m_maxBodyMiBShown = 0; // as set: the base's bytes are kept unless it changes
    QCheckBox *m_http1 = nullptr;
    QCheckBox *m_insecure = nullptr;
    QLabel *m_insecureWarning = nullptr;
    QLineEdit *m_caFile = nullptr;
    QLabel *m_caProblem = nullptr;
    QLineEdit *m_proxy = nullptr;
    QLabel *m_proxyProblem = nullptr;
    QLabel *m_hostsProblem = nullptr; // any other rule's
    // When a run ends
    QLineEdit *m_finishCommand = nullptr;
    QLabel *m_finishProblem = nullptr;
    QCheckBox *m_finishBell = nullptr;
    QCheckBox *m_finishNotify = nullptr;
};

} // namespace Brigade
