#include "RunSettingsDialog.h"

#include "StatusStyle.h"
#include "WorkerPlacementEditor.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace Brigade {

namespace {

const QString Group = QStringLiteral("run");
const QString GroupsKey = QStringLiteral("workerGroups");

QSpinBox *spinBox(int min, int max, const QString &suffix, const QString &tip)
{
    auto *box = new QSpinBox;
    box->setRange(min, max);
    box->setSuffix(suffix);
    box->setToolTip(tip);
    box->setGroupSeparatorShown(true);
    box->setAccelerated(true);
    box->setMinimumWidth(box->fontMetrics().averageCharWidth() * 20);
    return box;
}

} // namespace

RunSettingsDialog::RunSettingsDialog(const RunSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_base(settings)
{
    setWindowTitle(tr("Run Settings"));
    const QString ms = tr(" ms");
    m_placement = new WorkerPlacementEditor;
    m_placement->setObjectName(QStringLiteral("workerPlacement"));
    m_concurrency = spinBox(1, 1000000, QString(),
                            tr("Tasks a worker keeps in flight at once. Fetches wait on the "
                               "network, so many can share a worker."));
    m_computeThreads = spinBox(1, 256, QString(),
                               tr("Threads a worker computes on. One per worker is right when "
                                  "there is a worker per core."));
    m_maxAttempts = spinBox(1, 100, QString(),
                            tr("Attempts a task gets before it counts as failed, unless the "
                               "batch says otherwise."));
    m_backoffBase = spinBox(0, 3600000, ms,
                            tr("Wait before the first retry; it doubles with every further "
                               "attempt, with random jitter."));
    m_backoffMax = spinBox(0, 3600000, ms, tr("The longest wait between attempts."));
    m_timeout = spinBox(0, 86400000, ms,
                        tr("How long one attempt may take before it is stopped, unless the "
                           "batch says otherwise."));
    m_timeout->setSpecialValueText(tr("No timeout"));

    auto *tasksPage = new QWidget;
    auto *form = new QFormLayout(tasksPage);
    // Numbers read best in boxes their own size, not stretched across the dialog.
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    form->addRow(tr("Tasks in flight per &worker:"), m_concurrency);
    form->addRow(tr("Compute &threads per worker:"), m_computeThreads);
    form->addRow(tr("Max &attempts per task:"), m_maxAttempts);
    form->addRow(tr("Retry &backoff starts at:"), m_backoffBase);
    form->addRow(tr("Retry backoff &at most:"), m_backoffMax);
    form->addRow(tr("&Timeout per attempt:"), m_timeout);

    auto *workersPage = new QWidget;
    auto *workersLayout = new QVBoxLayout(workersPage);
    workersLayout->addWidget(m_placement);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("settingsTabs"));
    m_tabs->addTab(workersPage, tr("Where Workers Run"));
    m_tabs->addTab(tasksPage, tr("Tasks and Retries"));

    m_note = new QLabel;
    m_note->setObjectName(QStringLiteral("settingsNote"));
    m_note->setWordWrap(true);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel
                                     | QDialogButtonBox::RestoreDefaults);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] {
                setFields(RunSettings{});
                m_placement->restoreDefaults();
            });
    // Choices that cannot run are not taken: each says why next to its fields.
    connect(m_placement, &WorkerPlacementEditor::changed, this, &RunSettingsDialog::updateNote);
    connect(m_tabs, &QTabWidget::currentChanged, this, &RunSettingsDialog::updateNote);

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_note, 1);
    bottom->addWidget(m_buttons);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(bottom);
    setFields(settings);
    m_placement->setSettings(settings);
    updateNote();
}

void RunSettingsDialog::updateNote()
{
    const QStringList problems = m_placement->problems();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problems.isEmpty());
    QPalette p = palette();
    if (problems.isEmpty()) {
        m_note->setText(tr("Changes apply to the next run."));
        p.setColor(QPalette::WindowText, p.color(QPalette::PlaceholderText));
    } else {
        // Why OK is disabled, also when the problem is on the other tab.
        m_note->setText(m_tabs->currentIndex() == 0
                                ? tr("Fix what is marked in red to save.")
                                : tr("Where Workers Run: %1").arg(problems.first()));
        p.setColor(QPalette::WindowText, StatusStyle::color(TaskStatus::Failed));
    }
    m_note->setPalette(p);
}

void RunSettingsDialog::setFields(const RunSettings &s)
{
    m_concurrency->setValue(s.concurrency);
    m_computeThreads->setValue(s.computeThreads);
    m_maxAttempts->setValue(s.maxAttempts);
    m_backoffBase->setValue(int(qMin<quint32>(s.retry.baseDelayMs, 3600000)));
    m_backoffMax->setValue(int(qMin<quint32>(s.retry.maxDelayMs, 3600000)));
    m_timeout->setValue(int(qMin<quint32>(s.timeoutMs, 86400000)));
}

RunSettings RunSettingsDialog::settings() const
{
    RunSettings s = m_base;
    m_placement->apply(&s);
    s.concurrency = m_concurrency->value();
    s.computeThreads = m_computeThreads->value();
    s.maxAttempts = m_maxAttempts->value();
    s.retry.baseDelayMs = quint32(m_backoffBase->value());
    s.retry.maxDelayMs = quint32(qMax(m_backoffMax->value(), m_backoffBase->value()));
    s.timeoutMs = quint32(m_timeout->value());
    return s;
}

QStringList RunSettingsDialog::problems() const
{
    return m_placement->problems();
}

void RunSettingsDialog::accept()
{
    if (!m_placement->problems().isEmpty())
        return;
    m_placement->remember();
    QDialog::accept();
}

RunSettings RunSettingsDialog::load(const RunSettings &base)
{
    RunSettings s = base;
    QSettings settings;
    settings.beginGroup(Group);
    s.workers = qBound(0, settings.value(QStringLiteral("workers"), s.workers).toInt(), 1024);
    s.concurrency = qBound(1, settings.value(QStringLiteral("concurrency"), s.concurrency).toInt(),
                           1000000);
    s.computeThreads = qBound(
            1, settings.value(QStringLiteral("computeThreads"), s.computeThreads).toInt(), 256);
    s.maxAttempts
            = qBound(1, settings.value(QStringLiteral("maxAttempts"), s.maxAttempts).toInt(), 100);
    s.retry.baseDelayMs
            = settings.value(QStringLiteral("backoffBaseMs"), s.retry.baseDelayMs).toUInt();
    s.retry.maxDelayMs
            = settings.value(QStringLiteral("backoffMaxMs"), s.retry.maxDelayMs).toUInt();
    s.timeoutMs = settings.value(QStringLiteral("timeoutMs"), s.timeoutMs).toUInt();
    s.queueTimeoutMs = settings.value(QStringLiteral("queueTimeoutMs"), s.queueTimeoutMs).toUInt();
    if (settings.contains(GroupsKey + QStringLiteral("/size"))) {
        s.groups.clear();
        const int n = settings.beginReadArray(GroupsKey);
        for (int i = 0; i < n; ++i) {
            settings.setArrayIndex(i);
            WorkerGroup g;
            const int kind = settings.value(QStringLiteral("kind")).toInt();
            if (kind < int(WorkerGroup::Kind::Ssh) || kind > int(WorkerGroup::Kind::Command))
                continue;
            g.kind = WorkerGroup::Kind(kind);
            g.count = qBound(1, settings.value(QStringLiteral("count"), 1).toInt(), 100000);
            g.host = settings.value(QStringLiteral("host")).toString();
            g.options = settings.value(QStringLiteral("options")).toStringList();
            g.remoteProgram = settings.value(QStringLiteral("remoteProgram")).toString();
            g.command = settings.value(QStringLiteral("command")).toString();
            g.slurmConf = settings.value(QStringLiteral("slurmConf")).toString();
            s.groups.append(g);
        }
        settings.endArray();
    }
    return s;
}

void RunSettingsDialog::save(const RunSettings &s)
{
    QSettings settings;
    settings.beginGroup(Group);
    settings.setValue(QStringLiteral("workers"), s.workers);
    settings.setValue(QStringLiteral("concurrency"), s.concurrency);
    settings.setValue(QStringLiteral("computeThreads"), s.computeThreads);
    settings.setValue(QStringLiteral("maxAttempts"), s.maxAttempts);
    settings.setValue(QStringLiteral("backoffBaseMs"), s.retry.baseDelayMs);
    settings.setValue(QStringLiteral("backoffMaxMs"), s.retry.maxDelayMs);
    settings.setValue(QStringLiteral("timeoutMs"), s.timeoutMs);
    settings.setValue(QStringLiteral("queueTimeoutMs"), s.queueTimeoutMs);
    settings.remove(GroupsKey);
    settings.beginWriteArray(GroupsKey, int(s.groups.size()));
    for (int i = 0; i < s.groups.size(); ++i) {
        const WorkerGroup &g = s.groups[i];
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("kind"), int(g.kind));
        settings.setValue(QStringLiteral("count"), g.count);
        settings.setValue(QStringLiteral("host"), g.host);
        settings.setValue(QStringLiteral("options"), g.options);
        settings.setValue(QStringLiteral("remoteProgram"), g.remoteProgram);
        settings.setValue(QStringLiteral("command"), g.command);
        settings.setValue(QStringLiteral("slurmConf"), g.slurmConf);
    }
    settings.endArray();
}

} // namespace Brigade
