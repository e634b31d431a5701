#pragma once

#include "run/RunSettings.h"

#include <QDialog>

class QSpinBox;

namespace Brigade {

// The run settings a user chooses: workers, concurrency, attempts, backoff and timeout.
// They are remembered with QSettings; everything else in RunSettings keeps its default.
class RunSettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit RunSettingsDialog(const RunSettings &settings, QWidget *parent = nullptr);

    // settings with the dialog's fields applied.
    RunSettings settings() const;

    // base with the remembered fields applied.
    static RunSettings load(const RunSettings &base = RunSettings{});
    static void save(const RunSettings &settings);

private:
    void setFields(const RunSettings &settings);

    RunSettings m_base;
    QSpinBox *m_workers;
    QSpinBox *m_concurrency;
    QSpinBox *m_computeThreads;
    QSpinBox *m_maxAttempts;
    QSpinBox *m_backoffBase;
    QSpinBox *m_backoffMax;
    QSpinBox *m_timeout;
};

} // namespace Brigade
