#include "WorkerPlacementEditor.h"

#include "run/RunSettingsRules.h"
#include "run/WorkerGroups.h"
#include "window/shared/Formatting.h"
#include "window/shared/ProblemLabel.h"
#include "window/shared/StatusStyle.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

namespace Brigade {

namespace {

// What was typed in every section, on or off, lives here; the groups themselves are
// remembered with the rest of the run settings.
const QString DraftGroup = QStringLiteral("run/where");

enum HostColumn { HostName, HostWorkers };

// Worker counts per host are edited with a spin box in the range --ssh HOST*N takes.
class HostCountDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &,
                          const QModelIndex &) const override
    {
        auto *box = new QSpinBox(parent);
        box->setRange(int(RunSettingsRules::limit(RunSettingsRules::Field::SshWorkers).min),
                      int(RunSettingsRules::limit(RunSettingsRules::Field::SshWorkers).max));
        box->setFrame(false);
        box->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return box;
    }
};

// A box for a setting, within the limits the engine's rules give it.
QSpinBox *spinBox(RunSettingsRules::Field field, const QString &tip)
{
    const RunSettingsRules::Limit limit = RunSettingsRules::limit(field);
    const int min = int(limit.min);
    const int max = int(limit.max);
    auto *box = new QSpinBox;
    box->setRange(min, max);
    box->setToolTip(tip);
    box->setGroupSeparatorShown(true);
    box->setAccelerated(true);
    return box;
}

QLineEdit *lineEdit(const QString &placeholder, const QString &tip)
{
    auto *edit = new QLineEdit;
    edit->setPlaceholderText(placeholder);
    edit->setToolTip(tip);
    edit->setClearButtonEnabled(true);
    // Room for a typical command line or path without scrolling.
    edit->setMinimumWidth(edit->fontMetrics().averageCharWidth() * 32);
    return edit;
}

QGroupBox *sectionBox(const QString &title, const QString &name, const QString &tip)
{
    auto *box = new QGroupBox(title);
    box->setObjectName(name);
    box->setCheckable(true);
    box->setToolTip(tip);
    return box;
}

// Whether an option is among the extra arguments, as "--name value", "--name=value" or
// its one-letter form ("-p NAME", "-pNAME").
bool hasOption(const QStringList &arguments, const QString &longName, const QString &shortName)
{
    for (const QString &a : arguments) {
        if (a == longName || a.startsWith(longName + QLatin1Char('=')) || a.startsWith(shortName))
            return true;
    }
    return false;
}

} // namespace

WorkerPlacementEditor::WorkerPlacementEditor(QWidget *parent)
    : QWidget(parent)
{
    auto *left = new QVBoxLayout;
    left->addWidget(createLocalBox());
    left->addWidget(createSshBox(), 1);
    auto *right = new QVBoxLayout;
    right->addWidget(createSlurmBox());
    right->addWidget(createLauncherBox());
    right->addStretch(1);
    auto *columns = new QHBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);

    m_remoteWorker = lineEdit(QStringLiteral("brigade-worker"),
                              tr("The worker program on ssh hosts and Slurm nodes: a name "
                                 "found on their PATH, or a full path. Install the same "
                                 "Brigade version there."));
    m_remoteWorker->setObjectName(QStringLiteral("remoteWorker"));
    auto *remoteForm = new QFormLayout;
    remoteForm->addRow(tr("Worker program on ssh hosts and Slurm &nodes:"), m_remoteWorker);

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("workerSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(columns, 1);
    layout->addLayout(remoteForm);
    layout->addWidget(m_summary);

    // Every edit checks the whole placement again: problems depend on each other (no
    // workers at all) and the summary counts them all.
    for (QGroupBox *box : {m_localBox, m_sshBox, m_slurmBox, m_launcherBox})
        connect(box, &QGroupBox::toggled, this, &WorkerPlacementEditor::validate);
    for (QSpinBox *box : {m_localWorkers, m_slurmWorkers, m_queueTimeout, m_launcherWorkers})
        connect(box, &QSpinBox::valueChanged, this, &WorkerPlacementEditor::validate);
    for (QLineEdit *edit : {m_sshOptions, m_partition, m_timeLimit, m_srunOptions, m_slurmConf,
                            m_launcherCommand, m_remoteWorker})
        connect(edit, &QLineEdit::textChanged, this, &WorkerPlacementEditor::validate);
    connect(m_sshHosts, &QTableWidget::itemChanged, this, &WorkerPlacementEditor::onSshItemChanged);
    validate();
}

QWidget *WorkerPlacementEditor::createLocalBox()
{
    m_localBox = sectionBox(tr("This machine"), QStringLiteral("localBox"),
                            tr("Worker processes on this machine"));
    m_localWorkers = spinBox(RunSettingsRules::Field::Workers,
                             tr("Worker processes to start here. Each runs many tasks at once; "
                                "one per core uses the whole machine."));
    m_localWorkers->setObjectName(QStringLiteral("localWorkers"));
    m_localWorkers->setSpecialValueText(
            tr("One per core (%1)").arg(qMax(1, QThread::idealThreadCount())));
    auto *form = new QFormLayout(m_localBox);
    form->addRow(tr("&Workers:"), m_localWorkers);
    return m_localBox;
}

QWidget *WorkerPlacementEditor::createSshBox()
{
    m_sshBox = sectionBox(tr("Hosts over ssh"), QStringLiteral("sshBox"),
                          tr("Workers on other machines, started with ssh without a password "
                             "prompt (keys or an agent)"));
    m_sshHosts = new QTableWidget(0, 2);
    m_sshHosts->setObjectName(QStringLiteral("sshHosts"));
    m_sshHosts->setHorizontalHeaderLabels({tr("Host"), tr("Workers")});
    m_sshHosts->horizontalHeaderItem(HostName)->setToolTip(
            tr("[user@]host as ssh takes it; host*N also sets the workers"));
    m_sshHosts->horizontalHeaderItem(HostWorkers)->setToolTip(tr("Workers on this host"));
    m_sshHosts->horizontalHeader()->setSectionResizeMode(HostName, QHeaderView::Stretch);
    m_sshHosts->horizontalHeader()->setSectionResizeMode(HostWorkers,
                                                         QHeaderView::ResizeToContents);
    m_sshHosts->horizontalHeader()->setHighlightSections(false);
    m_sshHosts->verticalHeader()->hide();
    m_sshHosts->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_sshHosts->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_sshHosts->setItemDelegateForColumn(HostWorkers, new HostCountDelegate(m_sshHosts));
    m_sshHosts->setWordWrap(false);
    m_sshHosts->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_sshHosts->verticalHeader()->setDefaultSectionSize(fontMetrics().height() * 3 / 2 + 4);
    m_sshHosts->setMinimumHeight(m_sshHosts->verticalHeader()->defaultSectionSize() * 4
                                 + m_sshHosts->horizontalHeader()->sizeHint().height());

    auto *add = new QPushButton(tr("&Add Host"));
    add->setObjectName(QStringLiteral("addSshHost"));
    add->setToolTip(tr("Add a host to the list and type its name"));
    m_removeHost = new QPushButton(tr("&Remove"));
    m_removeHost->setObjectName(QStringLiteral("removeSshHost"));
    m_removeHost->setToolTip(tr("Remove the selected hosts (Delete)"));
    m_removeHost->setEnabled(false);
    connect(add, &QPushButton::clicked, this, [this] {
        addSshHost(QString(), 1);
        validate();
        const int row = m_sshHosts->rowCount() - 1;
        m_sshHosts->setCurrentCell(row, HostName);
        m_sshHosts->editItem(m_sshHosts->item(row, HostName));
    });
    connect(m_removeHost, &QPushButton::clicked, this, &WorkerPlacementEditor::removeSelectedHosts);
    connect(m_sshHosts, &QTableWidget::itemSelectionChanged, this, [this] {
        m_removeHost->setEnabled(!m_sshHosts->selectionModel()->selectedRows().isEmpty());
    });
    m_sshHosts->installEventFilter(this);
    auto *buttons = new QVBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(m_removeHost);
    buttons->addStretch(1);
    auto *list = new QHBoxLayout;
    list->addWidget(m_sshHosts, 1);
    list->addLayout(buttons);

    m_sshOptions = lineEdit(tr("e.g. -p 2222 -i /home/me/.ssh/cluster"),
                            tr("Extra ssh arguments for every host, split like a command line "
                               "(double quotes group words); no shell is involved."));
    m_sshOptions->setObjectName(QStringLiteral("sshOptions"));
    m_sshError = ProblemLabel::make(QStringLiteral("sshProblem"));

    auto *form = new QFormLayout;
    form->addRow(tr("Extra ssh &options:"), m_sshOptions);
    auto *layout = new QVBoxLayout(m_sshBox);
    layout->addLayout(list, 1);
    layout->addLayout(form);
    layout->addWidget(m_sshError);
    return m_sshBox;
}

QWidget *WorkerPlacementEditor::createSlurmBox()
{
    m_slurmBox = sectionBox(tr("Slurm"), QStringLiteral("slurmBox"),
                            tr("Workers as Slurm job steps (srun), one CPU each; they wait in "
                               "Slurm's queue until it gives them a CPU"));
    m_slurmWorkers = spinBox(RunSettingsRules::Field::GroupWorkers, tr("Worker steps to start"));
    m_slurmWorkers->setObjectName(QStringLiteral("slurmWorkers"));
    m_partition = lineEdit(tr("the cluster's default"),
                           tr("The partition the workers run in (srun --partition); several "
                              "separated by commas"));
    m_partition->setObjectName(QStringLiteral("slurmPartition"));
    m_timeLimit = lineEdit(tr("the partition's default"),
                           tr("Longest a worker may run (srun --time): minutes (30), H:MM:SS "
                              "(2:00:00) or D-HH:MM:SS (1-12:00:00)"));
    m_timeLimit->setObjectName(QStringLiteral("slurmTime"));
    m_srunOptions = lineEdit(tr("e.g. --mem 2G --account lab"),
                             tr("Extra srun arguments, split like a command line (double "
                                "quotes group words); no shell is involved."));
    m_srunOptions->setObjectName(QStringLiteral("srunOptions"));
    m_slurmConf = lineEdit(tr("$SLURM_CONF or the system's"),
                           tr("The slurm.conf srun reads (SLURM_CONF)"));
    m_slurmConf->setObjectName(QStringLiteral("slurmConf"));
    auto *browse = new QPushButton(tr("&Browse…"));
    browse->setToolTip(tr("Choose the slurm.conf file"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
                this, tr("Choose slurm.conf"),
                m_slurmConf->text().isEmpty() ? QStringLiteral("/etc/slurm") : m_slurmConf->text(),
                tr("Slurm configuration (*.conf);;All files (*)"));
        if (!path.isEmpty())
            m_slurmConf->setText(path);
    });
    auto *confRow = new QHBoxLayout;
    confRow->addWidget(m_slurmConf, 1);
    confRow->addWidget(browse);
    m_queueTimeout = spinBox(RunSettingsRules::Field::QueueTimeoutMs,
                             tr("Give up on a worker that waits longer than this for Slurm to "
                                "give it a CPU"));
    m_queueTimeout->setObjectName(QStringLiteral("queueTimeout"));
    m_queueTimeout->setSuffix(tr(" ms"));
    m_queueTimeout->setSingleStep(1000);
    m_queueTimeout->setSpecialValueText(tr("No limit"));
    m_slurmError = ProblemLabel::make(QStringLiteral("slurmProblem"));

    auto *form = new QFormLayout;
    form->addRow(tr("W&orkers:"), m_slurmWorkers);
    form->addRow(tr("&Partition:"), m_partition);
    form->addRow(tr("T&ime limit:"), m_timeLimit);
    form->addRow(tr("Extra &srun options:"), m_srunOptions);
    auto *confLabel = new QLabel(tr("slurm.&conf:"));
    confLabel->setBuddy(m_slurmConf);
    form->addRow(confLabel, confRow);
    form->addRow(tr("&Queue wait at most:"), m_queueTimeout);
    auto *layout = new QVBoxLayout(m_slurmBox);
    layout->addLayout(form);
    layout->addWidget(m_slurmError);
    return m_slurmBox;
}

QWidget *WorkerPlacementEditor::createLauncherBox()
{
    m_launcherBox = sectionBox(tr("Custom launcher"), QStringLiteral("launcherBox"),
                               tr("Workers started by a command of your own, e.g. in a "
                                  "container"));
    m_launcherCommand
            = lineEdit(tr("e.g. docker exec -i box brigade-worker"),
                       tr("The command that starts one worker, its program first. It must "
                          "pass its standard input and output through to the worker; the "
                          "worker's own options are appended. Double quotes group words; no "
                          "shell is involved."));
    m_launcherCommand->setObjectName(QStringLiteral("launcherCommand"));
    m_launcherWorkers = spinBox(RunSettingsRules::Field::GroupWorkers,
                                tr("Workers started with this command"));
    m_launcherWorkers->setObjectName(QStringLiteral("launcherWorkers"));
    m_launcherError = ProblemLabel::make(QStringLiteral("launcherProblem"));
    auto *form = new QFormLayout;
    form->addRow(tr("Co&mmand:"), m_launcherCommand);
    form->addRow(tr("Wor&kers:"), m_launcherWorkers);
    auto *layout = new QVBoxLayout(m_launcherBox);
    layout->addLayout(form);
    layout->addWidget(m_launcherError);
    return m_launcherBox;
}

// ---- Fields to and from settings --------------------------------------------------------

void WorkerPlacementEditor::recall()
{
    QSettings s;
    s.beginGroup(DraftGroup);
    m_localBox->setChecked(s.value(QStringLiteral("local"), true).toBool());
    m_localWorkers->setValue(s.value(QStringLiteral("localWorkers"), 0).toInt());
    m_sshBox->setChecked(s.value(QStringLiteral("ssh"), false).toBool());
    setSshHosts(s.value(QStringLiteral("sshHosts")).toStringList());
    m_sshOptions->setText(s.value(QStringLiteral("sshOptions")).toString());
    m_slurmBox->setChecked(s.value(QStringLiteral("slurm"), false).toBool());
    m_slurmWorkers->setValue(s.value(QStringLiteral("slurmWorkers"), 4).toInt());
    m_partition->setText(s.value(QStringLiteral("slurmPartition")).toString());
    m_timeLimit->setText(s.value(QStringLiteral("slurmTime")).toString());
    m_srunOptions->setText(s.value(QStringLiteral("srunOptions")).toString());
    m_slurmConf->setText(s.value(QStringLiteral("slurmConf")).toString());
    m_launcherBox->setChecked(s.value(QStringLiteral("launcher"), false).toBool());
    m_launcherCommand->setText(s.value(QStringLiteral("launcherCommand")).toString());
    m_launcherWorkers->setValue(s.value(QStringLiteral("launcherWorkers"), 1).toInt());
    m_remoteWorker->setText(s.value(QStringLiteral("remoteWorker")).toString());
}

void WorkerPlacementEditor::remember() const
{
    QSettings s;
    s.beginGroup(DraftGroup);
    s.setValue(QStringLiteral("local"), m_localBox->isChecked());
    s.setValue(QStringLiteral("localWorkers"), m_localWorkers->value());
    s.setValue(QStringLiteral("ssh"), m_sshBox->isChecked());
    s.setValue(QStringLiteral("sshHosts"), sshSpecs());
    s.setValue(QStringLiteral("sshOptions"), m_sshOptions->text());
    s.setValue(QStringLiteral("slurm"), m_slurmBox->isChecked());
    s.setValue(QStringLiteral("slurmWorkers"), m_slurmWorkers->value());
    s.setValue(QStringLiteral("slurmPartition"), m_partition->text());
    s.setValue(QStringLiteral("slurmTime"), m_timeLimit->text());
    s.setValue(QStringLiteral("srunOptions"), m_srunOptions->text());
    s.setValue(QStringLiteral("slurmConf"), m_slurmConf->text());
    s.setValue(QStringLiteral("launcher"), m_launcherBox->isChecked());
    s.setValue(QStringLiteral("launcherCommand"), m_launcherCommand->text());
    s.setValue(QStringLiteral("launcherWorkers"), m_launcherWorkers->value());
    s.setValue(QStringLiteral("remoteWorker"), m_remoteWorker->text());
}

void WorkerPlacementEditor::setSettings(const RunSettings &settings)
{
    recall();
    // The settings decide which sections are on and what they hold; text typed earlier is
    // kept where it still says the same, so quoting and field splits survive.
    const WorkerGroup *slurm = nullptr;
    const WorkerGroup *launcher = nullptr;
    QStringList hosts;
    QStringList sshOptions;
    QString remote;
    bool anyRemote = false;
    for (const WorkerGroup &g : settings.groups) {
        switch (g.kind) {
        case WorkerGroup::Kind::Local:
            break;
        case WorkerGroup::Kind::Ssh:
            if (hosts.isEmpty())
                sshOptions = g.options;
            hosts.append(WorkerGroups::sshSpec(g.host, g.count));
            break;
        case WorkerGroup::Kind::Slurm:
            if (!slurm)
                slurm = &g;
            break;
        case WorkerGroup::Kind::Command:
            if (!launcher)
                launcher = &g;
            break;
        }
        if ((g.kind == WorkerGroup::Kind::Ssh || g.kind == WorkerGroup::Kind::Slurm)
            && !anyRemote) {
            remote = g.remoteProgram;
            anyRemote = true;
        }
    }

    const int perCore = qMax(1, QThread::idealThreadCount());
    m_localBox->setChecked(settings.workers > 0 || settings.groups.isEmpty());
    if (settings.groups.isEmpty())
        m_localWorkers->setValue(settings.workers);
    else if (settings.workers > 0 && !(m_localWorkers->value() == 0 && settings.workers == perCore))
        m_localWorkers->setValue(settings.workers);

    m_sshBox->setChecked(!hosts.isEmpty());
    if (!hosts.isEmpty()) {
        setSshHosts(hosts);
        if (WorkerGroups::splitArguments(m_sshOptions->text()) != sshOptions)
            m_sshOptions->setText(WorkerGroups::joinArguments(sshOptions));
    }
    m_slurmBox->setChecked(slurm != nullptr);
    if (slurm) {
        m_slurmWorkers->setValue(slurm->count);
        m_slurmConf->setText(slurm->slurmConf);
        if (WorkerGroups::splitArguments(srunOptions()) != slurm->options) {
            m_partition->clear();
            m_timeLimit->clear();
            m_srunOptions->setText(WorkerGroups::joinArguments(slurm->options));
        }
    }
    m_launcherBox->setChecked(launcher != nullptr);
    if (launcher) {
        m_launcherCommand->setText(launcher->command);
        m_launcherWorkers->setValue(launcher->count);
    }
    if (anyRemote)
        m_remoteWorker->setText(remote);
    m_queueTimeout->setValue(int(qMin<quint32>(settings.queueTimeoutMs, 7 * 24 * 3600 * 1000)));
    validate();
}

void WorkerPlacementEditor::apply(RunSettings *settings) const
{
    // In the CLI's order: --ssh hosts, then --slurm, then --launcher.
    QList<WorkerGroup> groups;
    const QString remote = m_remoteWorker->text().trimmed();
    if (m_sshBox->isChecked()) {
        for (const QString &spec : sshSpecs()) {
            QString host;
            int count = 0;
            if (WorkerGroups::parseSshSpec(spec, &host, &count))
                groups.append(WorkerGroups::ssh(host, count, m_sshOptions->text(), remote));
        }
    }
    if (m_slurmBox->isChecked())
        groups.append(WorkerGroups::slurm(m_slurmWorkers->value(), srunOptions(),
                                          m_slurmConf->text().trimmed(), remote));
    if (m_launcherBox->isChecked())
        groups.append(WorkerGroups::launcher(m_launcherCommand->text().trimmed(),
                                             m_launcherWorkers->value()));
    int local = 0;
    if (m_localBox->isChecked()) {
        // RunSettings reads 0 as "one per core" only when nothing else runs.
        local = m_localWorkers->value();
        if (local == 0 && !groups.isEmpty())
            local = qMax(1, QThread::idealThreadCount());
    }
    settings->workers = local;
    settings->groups = groups;
    settings->queueTimeoutMs = quint32(m_queueTimeout->value());
}

void WorkerPlacementEditor::restoreDefaults()
{
    m_localBox->setChecked(true);
    m_localWorkers->setValue(0);
    m_sshBox->setChecked(false);
    m_slurmBox->setChecked(false);
    m_launcherBox->setChecked(false);
    m_queueTimeout->setValue(0);
}

QString WorkerPlacementEditor::srunOptions() const
{
    // The fields go first, so the same option among the extra ones is caught by validate()
    // rather than silently overriding them.
    QStringList fields;
    if (!m_partition->text().trimmed().isEmpty())
        fields << QStringLiteral("--partition") << m_partition->text().trimmed();
    if (!m_timeLimit->text().trimmed().isEmpty())
        fields << QStringLiteral("--time") << m_timeLimit->text().trimmed();
    QString text = WorkerGroups::joinArguments(fields);
    const QString extra = m_srunOptions->text().trimmed();
    if (!extra.isEmpty())
        text += (text.isEmpty() ? QString() : QStringLiteral(" ")) + extra;
    return text;
}

// ---- Hosts ---------------------------------------------------------------------------

void WorkerPlacementEditor::addSshHost(const QString &host, int count)
{
    const QSignalBlocker blocker(m_sshHosts);
    const int row = m_sshHosts->rowCount();
    m_sshHosts->insertRow(row);
    auto *name = new QTableWidgetItem(host);
    name->setToolTip(tr("[user@]host as ssh takes it; host*N also sets the workers"));
    m_sshHosts->setItem(row, HostName, name);
    auto *workers = new QTableWidgetItem;
    workers->setData(Qt::EditRole, count);
    workers->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_sshHosts->setItem(row, HostWorkers, workers);
}

void WorkerPlacementEditor::setSshHosts(const QStringList &specs)
{
    {
        const QSignalBlocker blocker(m_sshHosts);
        m_sshHosts->setRowCount(0);
    }
    for (const QString &spec : specs) {
        QString host = spec;
        int count = 1;
        WorkerGroups::parseSshSpec(spec, &host, &count);
        addSshHost(host, count);
    }
    validate();
}

QStringList WorkerPlacementEditor::sshSpecs() const
{
    QStringList specs;
    for (int row = 0; row < m_sshHosts->rowCount(); ++row) {
        const QString host = m_sshHosts->item(row, HostName)->text().trimmed();
        const int count = m_sshHosts->item(row, HostWorkers)->data(Qt::EditRole).toInt();
        specs.append(WorkerGroups::sshSpec(host, count));
    }
    return specs;
}

void WorkerPlacementEditor::onSshItemChanged(QTableWidgetItem *item)
{
    // "node2*4" typed as the host is the CLI's spelling: split it into host and count.
    if (item->column() == HostName && item->text().contains(QLatin1Char('*'))) {
        QString host;
        int count = 0;
        if (WorkerGroups::parseSshSpec(item->text().trimmed(), &host, &count)) {
            const QSignalBlocker blocker(m_sshHosts);
            item->setText(host);
            m_sshHosts->item(item->row(), HostWorkers)->setData(Qt::EditRole, count);
        }
    }
    validate();
}

void WorkerPlacementEditor::removeSelectedHosts()
{
    QList<int> rows;
    for (const QModelIndex &index : m_sshHosts->selectionModel()->selectedRows())
        rows.append(index.row());
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    for (int row : std::as_const(rows))
        m_sshHosts->removeRow(row);
    validate();
}

bool WorkerPlacementEditor::eventFilter(QObject *watched, QEvent *event)
{
    // An open cell editor has the keys itself; these reach the table only outside it.
    if (watched == m_sshHosts && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Delete || key == Qt::Key_Backspace) {
            removeSelectedHosts();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

// ---- Problems ------------------------------------------------------------------------

QString WorkerPlacementEditor::sshProblem() const
{
    if (!m_sshBox->isChecked())
        return {};
    if (m_sshHosts->rowCount() == 0)
        return tr("Add a host, or turn ssh hosts off.");
    const QString noSsh = RunSettingsRules::programProblem(
            QStringLiteral("ssh"), QStringLiteral("ssh hosts are reached with it"));
    if (!noSsh.isEmpty())
        return noSsh;
    QSet<QString> seen;
    for (int row = 0; row < m_sshHosts->rowCount(); ++row) {
        const QString host = m_sshHosts->item(row, HostName)->text().trimmed();
        if (host.isEmpty())
            return tr("Host %1 has no name: type one, or remove the row.").arg(row + 1);
        if (const QString problem = RunSettingsRules::sshHostProblem(host); !problem.isEmpty())
            return problem;
        if (seen.contains(host))
            return tr("%1 is listed twice: give it one row with all its workers.").arg(host);
        seen.insert(host);
    }
    return {};
}

QString WorkerPlacementEditor::slurmProblem() const
{
    if (!m_slurmBox->isChecked())
        return {};
    const QString partition = m_partition->text().trimmed();
    if (const QString problem = RunSettingsRules::partitionProblem(partition); !problem.isEmpty())
        return problem;
    const QString time = m_timeLimit->text().trimmed();
    if (const QString problem = RunSettingsRules::timeLimitProblem(time); !problem.isEmpty())
        return problem;
    const QStringList extra = WorkerGroups::splitArguments(m_srunOptions->text());
    if (!partition.isEmpty()
        && hasOption(extra, QStringLiteral("--partition"), QStringLiteral("-p")))
        return tr("The partition is set twice: in its field and in the extra srun options.");
    if (!time.isEmpty() && hasOption(extra, QStringLiteral("--time"), QStringLiteral("-t")))
        return tr("The time limit is set twice: in its field and in the extra srun options.");
    if (const QString problem = RunSettingsRules::slurmConfProblem(m_slurmConf->text().trimmed());
        !problem.isEmpty())
        return problem;
    return RunSettingsRules::programProblem(QStringLiteral("srun"),
                                            QStringLiteral("Slurm workers are started with it"));
}

QString WorkerPlacementEditor::launcherProblem() const
{
    if (!m_launcherBox->isChecked())
        return {};
    if (WorkerGroups::splitArguments(m_launcherCommand->text()).isEmpty())
        return tr("Type the command that starts a worker, or turn the custom launcher off.");
    return RunSettingsRules::launcherProblem(m_launcherCommand->text());
}

QString WorkerPlacementEditor::localProblem() const
{
    if (m_localBox->isChecked() || m_sshBox->isChecked() || m_slurmBox->isChecked()
        || m_launcherBox->isChecked())
        return {};
    return tr("No workers: turn on this machine, ssh hosts, Slurm or a custom launcher.");
}

QStringList WorkerPlacementEditor::problems() const
{
    QStringList all;
    for (const QString &p : {localProblem(), sshProblem(), slurmProblem(), launcherProblem()}) {
        if (!p.isEmpty())
            all.append(p);
    }
    return all;
}

QString WorkerPlacementEditor::summary() const
{
    RunSettings s;
    apply(&s);
    QStringList parts;
    if (s.workers > 0 || s.groups.isEmpty())
        parts << tr("%1 on this machine")
                         .arg(Formatting::count(s.workers > 0 ? s.workers
                                                              : QThread::idealThreadCount()));
    int sshWorkers = 0;
    int sshHosts = 0;
    for (const WorkerGroup &g : std::as_const(s.groups)) {
        if (g.kind == WorkerGroup::Kind::Ssh) {
            sshWorkers += g.count;
            ++sshHosts;
        }
    }
    if (sshHosts == 1)
        parts << tr("%1 on one ssh host").arg(Formatting::count(sshWorkers));
    else if (sshHosts > 1)
        parts << tr("%1 on %2 ssh hosts")
                         .arg(Formatting::count(sshWorkers), Formatting::count(sshHosts));
    for (const WorkerGroup &g : std::as_const(s.groups)) {
        if (g.kind == WorkerGroup::Kind::Slurm)
            parts << tr("%1 in Slurm").arg(Formatting::count(g.count));
        else if (g.kind == WorkerGroup::Kind::Command)
            parts << tr("%1 through the launcher").arg(Formatting::count(g.count));
    }
    return Formatting::counted(s.effectiveWorkers(), tr("The next run starts %1 worker"),
                               tr("The next run starts %1 workers"))
           + QStringLiteral(": ") + parts.join(QStringLiteral(", ")) + QLatin1Char('.');
}

void WorkerPlacementEditor::validate()
{
    ProblemLabel::show(m_sshError, sshProblem());
    ProblemLabel::show(m_slurmError, slurmProblem());
    ProblemLabel::show(m_launcherError, launcherProblem());
    const QString none = localProblem();
    QPalette p = palette();
    if (!none.isEmpty())
        p.setColor(QPalette::WindowText, StatusStyle::color(TaskStatus::Failed));
    m_summary->setPalette(p);
    m_summary->setText(none.isEmpty() ? summary() : none);
    emit changed();
}

} // namespace Brigade
