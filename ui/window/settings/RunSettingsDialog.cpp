#include "RunSettingsDialog.h"

#include "WorkerPlacementEditor.h"
#include "run/RunSettingsRules.h"
#include "window/shared/StatusStyle.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include <climits>

namespace Brigade {

namespace {

// A box for a setting, within the limits the engine's rules give it.
QSpinBox *spinBox(RunSettingsRules::Field field, const QString &suffix, const QString &tip)
{
    auto *box = new QSpinBox;
    const RunSettingsRules::Limit limit = RunSettingsRules::limit(field);
    box->setRange(int(limit.min), int(qMin<qint64>(limit.max, INT_MAX)));
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
    m_concurrency = spinBox(RunSettingsRules::Field::Concurrency, QString(),
                            tr("Tasks a worker keeps in flight at once. Fetches wait on the "
                               "network, so many can share a worker."));
    m_computeThreads = spinBox(RunSettingsRules::Field::ComputeThreads, QString(),
                               tr("Threads a worker computes on. One per worker is right when "
                                  "there is a worker per core."));
    m_maxAttempts = spinBox(RunSettingsRules::Field::MaxAttempts, QString(),
                            tr("Attempts a task gets before it counts as failed, unless the "
                               "batch says otherwise."));
    m_backoffBase = spinBox(RunSettingsRules::Field::BackoffMs, ms,
                            tr("Wait before the first retry; it doubles with every further "
                               "attempt, with random jitter."));
    m_backoffMax = spinBox(RunSettingsRules::Field::BackoffMs, ms,
                           tr("The longest wait between attempts."));
    m_timeout = spinBox(RunSettingsRules::Field::TimeoutMs, ms,
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
    // Out of range values are held to the box's limits, the rules' limits.
    m_backoffBase->setValue(
            int(qMin<quint32>(s.retry.baseDelayMs, quint32(m_backoffBase->maximum()))));
    m_backoffMax->setValue(
            int(qMin<quint32>(s.retry.maxDelayMs, quint32(m_backoffMax->maximum()))));
    m_timeout->setValue(int(qMin<quint32>(s.timeoutMs, quint32(m_timeout->maximum()))));
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

} // namespace Brigade
