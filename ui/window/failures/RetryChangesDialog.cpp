#include "RetryChangesDialog.h"

#include "run/RunSettingsRules.h"
#include "window/shared/Formatting.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace Brigade {

RetryChangesDialog::RetryChangesDialog(int tasks, QWidget *parent)
    : QDialog(parent)
    , m_host(new QLineEdit(this))
    , m_header(new QLineEdit(this))
    , m_timeout(new QSpinBox(this))
    , m_attempts(new QSpinBox(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Retry with Changes"));
    m_host->setObjectName(QStringLiteral("retryHost"));
    m_host->setPlaceholderText(tr("unchanged (e.g. mirror.example.org:8080)"));
    m_header->setObjectName(QStringLiteral("retryHeader"));
    m_header->setPlaceholderText(tr("none (e.g. X-Api-Version: 2)"));
    using Field = RunSettingsRules::Field;
    m_timeout->setObjectName(QStringLiteral("retryTimeout"));
    m_timeout->setRange(0, int(qMin<qint64>(RunSettingsRules::limit(Field::TimeoutMs).max,
                                            std::numeric_limits<int>::max())));
    m_timeout->setSingleStep(1000);
    m_timeout->setSuffix(tr(" ms"));
    m_timeout->setSpecialValueText(tr("unchanged"));
    m_attempts->setObjectName(QStringLiteral("retryAttempts"));
    m_attempts->setRange(0, int(RunSettingsRules::limit(Field::MaxAttempts).max));
    m_attempts->setSpecialValueText(tr("unchanged"));
    m_problem->setObjectName(QStringLiteral("retryProblem"));
    m_problem->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Fetch from &host:"), m_host);
    form->addRow(tr("Add &header:"), m_header);
    form->addRow(tr("&Timeout per attempt:"), m_timeout);
    form->addRow(tr("&Attempts:"), m_attempts);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(
            Formatting::counted(tasks,
                                tr("Retry %1 task with these changes to its spec (the "
                                   "journal keeps the spec before and after):"),
                                tr("Retry %1 tasks with these changes to their specs (the "
                                   "journal keeps each spec before and after):")),
            this));
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_host, &QLineEdit::textChanged, this, &RetryChangesDialog::recheck);
    connect(m_header, &QLineEdit::textChanged, this, &RetryChangesDialog::recheck);
    connect(m_timeout, &QSpinBox::valueChanged, this, &RetryChangesDialog::recheck);
    connect(m_attempts, &QSpinBox::valueChanged, this, &RetryChangesDialog::recheck);
    recheck();
}

Result<SpecChange> RetryChangesDialog::entered() const
{
    SpecChange c;
    c.host = m_host->text().trimmed().toUtf8();
    const QString header = m_header->text().trimmed();
    if (!header.isEmpty()) {
        const auto parsed = SpecChange::parseHeader(header);
        if (!parsed)
            return Result<SpecChange>::failure(parsed.error());
        c.headers.append(*parsed);
    }
    c.timeoutMs = quint32(m_timeout->value());
    c.maxAttempts = quint16(m_attempts->value());
    if (const Status ok = c.check(); !ok)
        return Result<SpecChange>::failure(ok.error());
    return c;
}

SpecChange RetryChangesDialog::change() const
{
    const Result<SpecChange> c = entered();
    return c ? *c : SpecChange();
}

void RetryChangesDialog::recheck()
{
    const Result<SpecChange> c = entered();
    m_problem->setText(c ? tr("Changes: %1").arg(c->describe()) : c.error());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(c.ok());
}

} // namespace Brigade
