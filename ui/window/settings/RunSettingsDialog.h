#pragma once

#include "run/RunSettings.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QSpinBox;
class QTabWidget;

namespace Brigade {

class WorkerPlacementEditor;

// The run settings a user chooses: where workers run (this machine, ssh hosts, Slurm, a
// custom launcher), concurrency, attempts, backoff and timeout, within the limits of
// RunSettingsRules. The window remembers them with RunSettingsFile.
class RunSettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit RunSettingsDialog(const RunSettings &settings, QWidget *parent = nullptr);

    // settings with the dialog's fields applied.
    RunSettings settings() const;
    // What keeps the choices from running; OK stays disabled until there is nothing.
    QStringList problems() const;
    WorkerPlacementEditor *placementEditor() const { return m_placement; }

    void accept() override;

private:
    void setFields(const RunSettings &settings);
    void updateNote();

    RunSettings m_base;
    QTabWidget *m_tabs;
    QDialogButtonBox *m_buttons;
    QLabel *m_note;
    WorkerPlacementEditor *m_placement;
    QSpinBox *m_concurrency;
    QSpinBox *m_computeThreads;
    QSpinBox *m_maxAttempts;
    QSpinBox *m_backoffBase;
    QSpinBox *m_backoffMax;
    QSpinBox *m_timeout;
};

} // namespace Brigade
