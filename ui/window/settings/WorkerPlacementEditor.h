#pragma once

#include "run/RunSettings.h"

#include <QWidget>

class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTableWidgetItem;

namespace Brigade {

// Where a run's workers go: this machine, hosts over ssh, Slurm and a custom launcher,
// each with its worker count and options. The choices become RunSettings::workers and
// groups through the same WorkerGroups calls as the CLI's --workers, --ssh, --slurm and
// --launcher, so one set of choices runs the same from either. Each section says next to
// its fields what keeps it from running.
class WorkerPlacementEditor : public QWidget
{
    Q_OBJECT
public:
    explicit WorkerPlacementEditor(QWidget *parent = nullptr);

    // Shows settings' workers and groups. Sections they leave off keep what was typed there
    // last time (remember()), so turning one off and on again loses nothing.
    void setSettings(const RunSettings &settings);
    // Sets settings' workers, groups and queue timeout from the fields.
    void apply(RunSettings *settings) const;
    // What keeps the choices from running, one sentence each; empty when they can run.
    QStringList problems() const;
    // Keeps every field, those of sections that are off too, for the next setSettings().
    void remember() const;
    // Workers on this machine only, one per core; what was typed elsewhere stays.
    void restoreDefaults();

signals:
    void changed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QWidget *createLocalBox();
    QWidget *createSshBox();
    QWidget *createSlurmBox();
    QWidget *createLauncherBox();
    void recall();
    void addSshHost(const QString &host, int count);
    void setSshHosts(const QStringList &specs);
    QStringList sshSpecs() const;
    void onSshItemChanged(QTableWidgetItem *item);
    void removeSelectedHosts();
    QString srunOptions() const;
    void validate();
    QString localProblem() const;
    QString sshProblem() const;
    QString slurmProblem() const;
    QString launcherProblem() const;
    QString summary() const;

    QGroupBox *m_localBox;
    QSpinBox *m_localWorkers;

    QGroupBox *m_sshBox;
    QTableWidget *m_sshHosts;
    QPushButton *m_removeHost;
    QLineEdit *m_sshOptions;
    QLabel *m_sshError;

    QGroupBox *m_slurmBox;
    QSpinBox *m_slurmWorkers;
    QLineEdit *m_partition;
    QLineEdit *m_timeLimit;
    QLineEdit *m_srunOptions;
    QLineEdit *m_slurmConf;
    QSpinBox *m_queueTimeout;
    QLabel *m_slurmError;

    QGroupBox *m_launcherBox;
    QLineEdit *m_launcherCommand;
    QSpinBox *m_launcherWorkers;
    QLabel *m_launcherError;

    QLineEdit *m_remoteWorker;
    QLabel *m_summary;
};

} // namespace Brigade
